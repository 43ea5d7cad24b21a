package ws

import (
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// startPump starts the goroutine of the active modes, once. c.mu must be
// held, or the Conn not yet shared.
func (c *Conn) startPump() {
	if c.pumping {
		return
	}
	c.pumping = true
	c.bg.Add(1)
	go c.pump()
}

// pump delivers Events while the mode is active. It holds the read token
// only then: in passive mode it waits for the next SetActive, and Recv
// reads. While nobody takes an event it does not read, so the peer is
// slowed by TCP flow control instead of memory growing.
func (c *Conn) pump() {
	defer c.bg.Done()
	for {
		c.mu.Lock()
		active := c.mode != Passive
		c.mu.Unlock()
		if !active {
			select {
			case <-c.kick:
				continue
			case <-c.endedCh:
			case <-c.closing:
			}
			return
		}
		if !c.acquire() {
			return
		}
		c.hold(pumpHolder, time.Time{}, nil)
		ok := c.pumpActive()
		c.idle()
		c.release()
		if !ok {
			return
		}
	}
}

// pumpActive reads and delivers until the mode turns passive (true) or
// the connection ends (false).
func (c *Conn) pumpActive() bool {
	for {
		if c.stop() != nil {
			c.mu.Lock()
			closed := c.closed
			c.mu.Unlock()
			return !closed
		}
		f, ok := c.take()
		if !ok {
			var err error
			if f, err = c.next(); err == errInterrupted {
				continue
			} else if err != nil {
				return false
			}
		}
		if !c.deliver(Event{Conn: c, Frame: Frame{Kind: Kind(f.Op), Payload: f.Payload}}) {
			c.held, c.holding = f, true
		}
	}
}

// deliver offers ev on Events while the mode is active, until it is
// taken (true), or the mode turns passive or Close starts (false). A last
// event (ev.Err set) is offered only in active modes.
//
// An active-once grant is spent when its event is offered, not once it is
// taken: the Conn is Passive before the consumer can see the event, so a
// Recv called right after receiving it gets the next message. The event
// stays offered until a SetActive (a new gen) says otherwise.
func (c *Conn) deliver(ev Event) bool {
	once, onceGen := false, uint64(0)
	for {
		c.mu.Lock()
		if once && c.gen != onceGen {
			once = false // the mode set since decides
		}
		if !once && c.mode == ActiveOnce {
			c.mode = Passive
			once, onceGen = true, c.gen
		}
		mode, closed := c.mode, c.closed
		c.mu.Unlock()
		if closed || mode == Passive && !once {
			return false
		}
		select {
		case c.events <- ev:
			return true
		case <-c.kick:
		case <-c.closing:
		}
	}
}

// take returns the message the pump held when the mode turned passive;
// the read token must be held.
func (c *Conn) take() (proto.Frame, bool) {
	if !c.holding {
		return proto.Frame{}, false
	}
	c.holding = false
	return c.held, true
}
