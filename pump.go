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
	c.pumpWG.Add(1)
	go c.pump()
}

// pump delivers Events while the mode is active. It holds the read token
// only then: in passive mode it waits for the next SetActive, and Recv
// reads. While nobody takes an event it does not read, so the peer is
// slowed by TCP flow control instead of memory growing. It returns once
// the connection has ended, after the last event, or once Close starts.
func (c *Conn) pump() {
	defer c.pumpWG.Done()
	defer c.lastEvent()
	for {
		c.mu.Lock()
		mode, over := c.mode, c.ended || c.closed
		c.mu.Unlock()
		if over {
			return
		}
		if mode == Passive {
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
		c.pumpActive()
		c.idle()
		c.release()
		c.mu.Lock()
		c.wakePing() // a Ping may read now
		c.mu.Unlock()
	}
}

// pumpActive reads and delivers until the mode turns passive, the
// connection ends or Close starts.
func (c *Conn) pumpActive() {
	for c.stop() == nil {
		f, ok := c.take()
		if !ok {
			var err error
			if f, err = c.next(); err != nil {
				continue // stop says why
			}
		}
		if !c.deliver(Event{Conn: c, Frame: Frame{Kind: Kind(f.Op), Payload: f.Payload}}, nil) {
			c.held = f
			c.holding.Store(true)
		}
	}
}

// lastEvent offers the reason the connection ended as the last Event, in
// an active mode, then closes the Conn's own Events channel. After a
// breach, the close frame it calls for goes once that event is taken, so
// that the application's answers to the messages before go out first, as
// in passive mode; or CloseTimeout after it is first offered, or when the
// mode turns passive or Close starts, whichever comes first.
func (c *Conn) lastEvent() {
	c.mu.Lock()
	ended, err := c.ended, c.err
	c.mu.Unlock()
	if ended { // deliver offers nothing once Close has started
		var grace <-chan time.Time
		if c.pumpOwed != nil {
			t := time.NewTimer(c.cfg.closeTimeout)
			defer t.Stop()
			grace = t.C
		}
		c.deliver(Event{Conn: c, Err: err}, grace)
	}
	c.sendOwed()
	if c.cfg.events == nil {
		close(c.events)
	}
}

// deliver offers ev on Events while the mode is active, until it is
// taken (true), or the mode turns passive or Close starts (false). When
// grace fires first, the close frame still owed is sent and the offer
// goes on. A last event (ev.Err set) is offered only in active modes.
//
// An active-once grant is spent when its event is offered, not once it is
// taken: the Conn is Passive before the consumer can see the event, so a
// Recv called right after receiving it gets the next message. The event
// stays offered until a SetActive (a new gen) says otherwise.
func (c *Conn) deliver(ev Event, grace <-chan time.Time) bool {
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
		offer := !closed && (mode != Passive || once)
		c.offering = offer && c.ka != nil
		c.mu.Unlock()
		if !offer {
			return false
		}
		select {
		case c.events <- ev:
			if c.ka != nil {
				// Taken: the keepalive waits for an answer again, after
				// its next ping (unhold).
				c.mu.Lock()
				c.offering, c.ka.pingAt = false, 0
				c.mu.Unlock()
			}
			return true
		case <-c.kick:
		case <-c.closing:
		case <-grace:
			grace = nil
			c.sendOwed()
		}
	}
}

// take returns the message the pump held when the mode turned passive;
// the read token must be held.
func (c *Conn) take() (proto.Frame, bool) {
	if !c.holding.Load() {
		return proto.Frame{}, false
	}
	c.holding.Store(false)
	c.unhold()
	return c.held, true
}
