package ws

import (
	"time"

	"github.com/hackney-go/ws/internal/netpoll"
	"github.com/hackney-go/ws/internal/proto"
)

// activate starts the pump of a Conn made in an active mode (ActiveMode),
// before it is handed over.
func (c *Conn) activate() {
	if c.mode == Passive {
		return
	}
	c.mu.Lock()
	c.startPump()
	c.mu.Unlock()
}

// startPump starts the pump of the active modes, once. c.mu is held.
func (c *Conn) startPump() {
	if c.pumping {
		return
	}
	c.pumping = true
	c.kick = make(chan struct{}, 1)
	if c.parkAtStart() {
		return
	}
	c.pumpWG.Add(1)
	go c.pump()
}

// parkAtStart parks the pump before it has had a goroutine, where the
// poller serves the socket, nobody reads, and nothing already read waits
// to be parsed or delivered: a Conn made active while its peer is silent
// then never has one (the runtime keeps a goroutine's descriptor for good
// once made: BenchmarkIdleActive). c.mu is held, so that a report coming
// at once waits for parked to be set.
func (c *Conn) parkAtStart() bool {
	if c.ended || c.closed {
		return false
	}
	select {
	case <-c.readTok:
	default:
		return false
	}
	if !c.polled() || c.rpos < c.rend || c.holding.Load() || c.msgRd != nil {
		c.release()
		return false
	}
	c.hold(pumpHolder, time.Time{}, nil)
	c.parked = parkedActive
	if c.poll.Arm() != nil {
		c.parked = notParked
		c.release()
		return false
	}
	return true
}

// pump delivers Events while the mode is active. It holds the read token
// only then: in passive mode it waits for the next SetActive, and Recv
// reads. While nobody takes an event it does not read, so the peer is
// slowed by TCP flow control instead of memory growing. It returns once
// the connection has ended, after the last event, or once Close starts.
//
// With the poller (a TCP or Unix socket on Linux), its goroutine also
// returns once the socket has been silent for parkAfter, or when it would
// wait for a SetActive: it parks, and wakePump starts another. Parked in
// an active mode it keeps the read token, as a pump waiting on the socket
// would, and the next goroutine goes on with it: wakePump starts one on
// the poller's report, and on whatever would have interrupted that wait:
// Close, the keepalive finding its ping overdue (judge), a send cut short
// that dropped the socket. Parked in passive mode it holds nothing, and
// SetActive, the end or Close start it. An idle Conn in an active mode
// then has no goroutine (BenchmarkIdleActive).
func (c *Conn) pump() { c.pumpFrom(false) }

// pumpFrom runs the pump; holding says that it goes on from a pump
// parked with the token.
func (c *Conn) pumpFrom(holding bool) {
	defer c.pumpWG.Done()
	for {
		if !holding {
			c.mu.Lock()
			mode, over := c.mode, c.ended || c.closed
			if !over && mode == Passive && c.poll != nil {
				c.parked = parkedPassive
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			if over {
				c.lastEvent()
				return
			}
			if mode == Passive {
				select {
				case <-c.kick:
					continue
				case <-c.endedCh:
				case <-c.closing:
				}
				c.lastEvent()
				return
			}
			if !c.acquire() {
				c.lastEvent()
				return
			}
			c.hold(pumpHolder, time.Time{}, nil)
		}
		holding = false
		if c.pumpActive() {
			return
		}
		c.idle()
		c.release()
		c.mu.Lock()
		c.wakePing() // a Ping may read now
		c.mu.Unlock()
	}
}

// pumpActive reads and delivers until the mode turns passive, the
// connection ends or Close starts, or until it parks (true).
func (c *Conn) pumpActive() (parked bool) {
	c.polled()
	for c.stop() == nil {
		f, ok := c.take()
		if !ok {
			var err error
			f, err = c.next()
			if err == errInterrupted && c.poll != nil && !time.Now().Before(c.parkAt) && c.park() {
				return true
			}
			if err != nil {
				continue // stop says why
			}
		}
		if !c.deliver(Event{Conn: c, Frame: Frame{Kind: Kind(f.Op), Payload: f.Payload}}, nil) {
			c.held = f
			c.holding.Store(true)
		}
	}
	return false
}

// parkAfter is how long the pump waits on a silent socket before it
// parks. Waking a parked pump costs a goroutine's start and hand-offs
// between threads: a pump that parked whenever its socket was empty made
// an active round trip 184 µs against 117 (BenchmarkRoundTripActive, on
// this project's 2-core machine). So a Conn whose messages come closer
// than this keeps its goroutine waiting on the runtime's poller, and an
// idle one gives it up. Tests set it lower; it must stay above zero, as a
// read given no time reads nothing.
var parkAfter = time.Second

// polled registers the socket with the poller the first time the pump
// asks, and says whether the poller serves it. The token is held.
func (c *Conn) polled() bool {
	if c.poll == nil && !c.noPoll {
		c.poll = netpoll.Register(c.nc, (*pumpWaker)(c))
		c.noPoll = c.poll == nil
	}
	return c.poll != nil
}

// How the pump is parked (Conn.parked).
const (
	notParked     = iota
	parkedPassive // waiting for a SetActive, without the token
	parkedActive  // waiting for the socket, with the token
	parking       // arming the poller, with the token
	parkWoken     // woken while parking: it goes on instead
)

// park ends the pump's goroutine, keeping the token, once the socket has
// been silent for parkAfter: it arms the poller, whose report starts the pump again
// (wakePump). While it arms the poller it is parking: a report coming at
// once, or any other wake, is then not lost but makes it go on, as only
// one goroutine may hold the token. False when the pump goes on: it was
// woken, the mode or the state changed, which the pump then looks at, or
// the socket was closed, which its next read reports.
func (c *Conn) park() bool {
	c.idle()
	c.mu.Lock()
	if c.ended || c.closed || c.mode == Passive {
		c.mu.Unlock()
		return false
	}
	c.parked = parking
	c.mu.Unlock()
	if testHookParking != nil {
		testHookParking(c)
	}
	err := c.poll.Arm()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && c.parked == parking {
		c.parked = parkedActive
		return true
	}
	c.parked = notParked
	return false
}

// testHookParking, set by tests, runs while the pump is parking, before
// it arms the poller: the window in which a wake must not be lost.
var testHookParking func(*Conn)

// wakePump starts the pump again if it is parked. c.mu is held: Close and
// the end wake it under the lock that records them, and the pump parks
// only under that lock and never once either happened, so that no pump
// starts after finish has waited for it (pumpWG).
func (c *Conn) wakePump() {
	switch c.parked {
	case parking:
		c.parked = parkWoken
	case parkedPassive, parkedActive:
		holding := c.parked == parkedActive
		c.parked = notParked
		c.pumpWG.Add(1)
		go c.pumpFrom(holding)
	}
}

// pumpWaker is the Conn as the poller sees it: a report starts the pump.
type pumpWaker Conn

func (w *pumpWaker) Wake() {
	c := (*Conn)(w)
	c.mu.Lock()
	c.wakePump()
	c.mu.Unlock()
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
