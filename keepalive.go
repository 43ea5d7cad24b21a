package ws

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// ErrKeepalive is the cause of a connection that the keepalive found dead:
// no pong nor any other byte came within PingTimeout of a ping. The Conn's
// error is then a *CloseError with code CloseAbnormal (1006) whose Err is
// ErrKeepalive, so it matches ErrClosed. It does not match ErrTimeout,
// which says a call ran out of time on a Conn that is still usable: a
// loop that goes on after a timeout must stop on this.
var ErrKeepalive = errors.New("ws: keepalive: the peer did not answer a ping in time")

// errPeerDead is what a read reports once the keepalive's ping is overdue:
// endRead turns it into the close frame and error of ErrKeepalive.
var errPeerDead = errors.New("ws: keepalive ping overdue")

// PingInterval turns the keepalive on: when nothing has arrived for d, the
// Conn sends a ping, and when neither its pong nor any other byte arrives
// within PingTimeout, it fails the connection: it sends close 1011 if that
// can be written within PingTimeout and ends with a *CloseError (1006)
// wrapping ErrKeepalive. It works in every mode, with or without a Recv
// waiting: while nobody reads, the keepalive reads, answering pings, as
// far as the next message, which it keeps for the next Recv or Event.
//
// A Conn that its application holds back is never declared dead for it:
// while a message waits to be taken (an Event nobody receives, a message
// the keepalive read with no Recv to take it) the keepalive sends pings
// but waits for no answer, since the answer may be queued behind what the
// application has not read. It starts again once the message is taken.
//
// Off by default (zero): an idle passive Conn then holds no timer and no
// goroutine. With it, an idle Conn holds one timer, and a goroutine only
// while a ping waits for its answer.
func PingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// PingTimeout sets how long the keepalive waits for a byte after its ping
// before it fails the connection (default: the PingInterval). It has no
// effect without PingInterval.
func PingTimeout(d time.Duration) Option { return func(c *config) { c.pingTimeout = d } }

// keepalive is the state of PingInterval. The timer runs tick; pingAt and
// payload, under Conn.mu, are the keepalive's ping waiting for an answer.
//
// Bounds: tick waits for the read token at most until the ping's answer is
// due (PingTimeout), and reads at most that long; finish stops the timer
// and waits for a tick under way (wg), which returns once closing is
// closed: its read is interrupted like any holder's.
type keepalive struct {
	interval, timeout time.Duration
	timer             *time.Timer
	wg                sync.WaitGroup
	pingAt            time.Duration // since Conn.born; 0: no ping waits
	payload           [8]byte
	pong              chan struct{} // closed by the ping's pong, which may come through another holder
}

// startKeepalive arms the keepalive when PingInterval is set.
func (c *Conn) startKeepalive(interval, timeout time.Duration) {
	if interval <= 0 {
		return
	}
	if timeout <= 0 {
		timeout = interval
	}
	c.born = time.Now()
	c.ka = &keepalive{interval: interval, timeout: timeout}
	c.lastIn.Store(int64(c.clock()))
	c.mu.Lock() // tick reads the timer under mu
	c.ka.timer = time.AfterFunc(interval, c.tick)
	c.mu.Unlock()
}

// clock is the time since the Conn was made, on the monotonic clock.
func (c *Conn) clock() time.Duration { return time.Since(c.born) }

// heard records that bytes arrived, for the keepalive.
func (c *Conn) heard() {
	if c.ka != nil {
		c.lastIn.Store(int64(c.clock()))
	}
}

// tick is the keepalive's timer: after PingInterval of silence it pings,
// reads while nobody else does until the answer is due, then judges.
func (c *Conn) tick() {
	c.mu.Lock()
	if c.closed || c.ended {
		c.mu.Unlock()
		return
	}
	c.ka.wg.Add(1)
	defer c.ka.wg.Done()
	idle := c.clock() - time.Duration(c.lastIn.Load())
	if idle < c.ka.interval {
		c.rearm(c.ka.interval - idle)
		c.mu.Unlock()
		return
	}
	// Pinged even when the application holds the Conn back: the ping
	// keeps the path's NATs and proxies from timing out (its answer is
	// not waited for then: judge).
	c.ka.pingAt = c.clock()
	c.pingSeq++
	binary.BigEndian.PutUint64(c.ka.payload[:], c.pingSeq)
	payload, due := c.ka.payload, c.born.Add(c.ka.pingAt+c.ka.timeout)
	c.ka.pong = make(chan struct{})
	held, pong := c.heldBack(), c.ka.pong
	c.mu.Unlock()
	c.w.reply(proto.OpPing, payload[:])
	c.interrupt() // a holder reading re-arms with the answer's due time
	if !held {
		c.readFor(due, nil, pong, true)
	}
	c.judge() // held back: no answer is waited for, the next ping comes after the interval
}

// judge decides, once the keepalive's ping is due, whether the peer is
// alive, and ends the connection if it is not. Only the read token's
// holder may end it: a holder that reads ends it at its due time (arm,
// readError); judge takes the token only if it is free.
func (c *Conn) judge() {
	c.mu.Lock()
	switch {
	case c.closed || c.ended:
		c.mu.Unlock()
		return
	case c.answered() || c.heldBack():
		c.ka.pingAt = 0
		c.rearm(c.ka.interval)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	select {
	case <-c.readTok:
		c.hold(probeHolder, time.Time{}, nil)
		dead := c.overdue()
		if dead {
			c.endRead(errPeerDead)
		}
		c.release()
		if !dead { // answered since the look above
			c.mu.Lock()
			c.ka.pingAt = 0
			c.rearm(c.ka.interval)
			c.mu.Unlock()
		}
	default:
		// The holder reads until the due time, or is about to, and ends
		// the Conn then; should it stop first, the next tick, one
		// timeout later, pings again. A parked pump, which holds the
		// token without reading, is started: its read, armed with the
		// due time already passed, ends the Conn (readError).
		c.mu.Lock()
		c.wakePump()
		c.rearm(c.ka.timeout)
		c.mu.Unlock()
	}
}

// rearm sets the keepalive's timer to fire after d. c.mu is held: once the
// connection has ended or Close has started the timer stays stopped.
func (c *Conn) rearm(d time.Duration) {
	if !c.closed && !c.ended {
		c.ka.timer.Reset(d)
	}
}

// answered says whether a byte arrived since the keepalive's ping. c.mu is
// held.
func (c *Conn) answered() bool {
	return time.Duration(c.lastIn.Load()) > c.ka.pingAt
}

// heldBack says whether the application holds the Conn back: an Event
// offered that nobody takes, a message read that no Recv took yet, or one
// a RecvReader's reader has not read to its end. c.mu is held.
func (c *Conn) heldBack() bool { return c.offering || c.holding.Load() || c.streaming.Load() }

// pongDue returns when the answer to the keepalive's ping is due, zero if
// none is waited for.
func (c *Conn) pongDue() time.Time {
	if c.ka == nil {
		return time.Time{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ka.pingAt == 0 || c.answered() {
		return time.Time{}
	}
	return c.born.Add(c.ka.pingAt + c.ka.timeout)
}

// overdue says whether the keepalive's ping went unanswered for
// PingTimeout.
func (c *Conn) overdue() bool {
	due := c.pongDue()
	return !due.IsZero() && !time.Now().Before(due)
}

// unhold is called when the application takes what held the Conn back:
// the keepalive's ping, whose answer may have waited behind it, is no
// longer waited for, and a Ping waiting for a reader may read again.
func (c *Conn) unhold() {
	c.mu.Lock()
	if c.ka != nil {
		c.ka.pingAt = 0
	}
	c.wakePing()
	c.mu.Unlock()
}

// wakePing tells a Ping waiting for a chance to read that the token may
// be free for it. c.mu is held.
func (c *Conn) wakePing() {
	if c.resume != nil {
		select {
		case c.resume <- struct{}{}:
		default:
		}
	}
}

// A pingWait is a Ping waiting for its pong.
type pingWait struct {
	payload [8]byte
	sent    time.Time
	rtt     time.Duration
	done    chan struct{}
}

// Ping sends a ping with a fresh payload and waits for its pong, at most
// until ctx is done, and returns the round trip, which Latency then
// reports. While nobody else reads, Ping reads, answering pings, as far as
// the next message, which it keeps for the next Recv or Event: a pong
// queued behind a message waits until the application takes it.
//
// When ctx ends first the error matches ctx.Err() (and ErrTimeout for a
// deadline); the Conn stays usable. A pong that answers a later ping
// answers this one too, as RFC 6455 section 5.5.3 lets a peer answer only
// the most recent.
func (c *Conn) Ping(ctx context.Context) (time.Duration, error) {
	c.mu.Lock()
	if err := c.stateErr(); err != nil {
		c.mu.Unlock()
		return 0, err
	}
	c.pingSeq++
	pw := &pingWait{done: make(chan struct{})}
	binary.BigEndian.PutUint64(pw.payload[:], c.pingSeq)
	c.pings = append(c.pings, pw)
	if c.resume == nil {
		c.resume = make(chan struct{}, 1)
	}
	resume := c.resume
	c.mu.Unlock()
	defer c.forget(pw)
	pw.sent = time.Now()
	if err := c.sendFrames(boundOf(ctx), []out{{proto.OpPing, true, pw.payload[:], 0}}, nil); err != nil {
		return 0, err
	}
	deadline, _ := ctx.Deadline()
	for {
		select {
		case <-pw.done:
			return pw.rtt, nil
		default:
		}
		c.readFor(deadline, ctx, pw.done, false)
		select {
		case <-pw.done:
			return pw.rtt, nil
		case <-resume:
		case <-c.endedCh:
			c.mu.Lock()
			defer c.mu.Unlock()
			return 0, c.stateErr()
		case <-c.closing:
			return 0, ErrClosed
		case <-ctx.Done():
			return 0, ctxErrorOf("ping", ctx.Err())
		}
	}
}

// forget drops a Ping's wait once it returns.
func (c *Conn) forget(pw *pingWait) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, p := range c.pings {
		if p == pw {
			c.pings = append(c.pings[:i], c.pings[i+1:]...)
			break
		}
	}
}

// Latency returns the round trip last measured by Ping or the keepalive,
// zero before the first.
func (c *Conn) Latency() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.latency
}

// onPong matches a pong with the pings waiting for it: the Ping calls and
// the keepalive's ping it answers, and those sent before them.
func (c *Conn) onPong(payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.ka != nil && c.ka.pingAt != 0 && string(payload) == string(c.ka.payload[:]) {
		c.latency = now.Sub(c.born.Add(c.ka.pingAt))
		if c.ka.pong != nil {
			close(c.ka.pong)
			c.ka.pong = nil
		}
	}
	for i, pw := range c.pings {
		if string(payload) != string(pw.payload[:]) {
			continue
		}
		pw.rtt = now.Sub(pw.sent)
		c.latency = pw.rtt
		for _, p := range c.pings[:i+1] {
			if p.rtt == 0 {
				p.rtt = now.Sub(p.sent)
			}
			close(p.done)
		}
		c.pings = append(c.pings[:0], c.pings[i+1:]...)
		return
	}
}

// readFor reads on behalf of the keepalive or a Ping while nobody else
// holds the read token, until deadline (zero: none), ctx's end, the
// closing of answered (by whichever holder reads the pong), the first
// message, which it keeps for the next consumer, or, for the keepalive,
// the first bytes. It waits for the token as long as it may read, and
// gives it up when another mode or Close wants it.
func (c *Conn) readFor(deadline time.Time, ctx context.Context, answered <-chan struct{}, keepalive bool) {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	for {
		if c.holding.Load() || c.streaming.Load() {
			return // the application has a message to take first
		}
		select {
		case <-c.readTok:
		case <-answered:
			return
		case <-timeout:
			return
		case <-done:
			return
		case <-c.endedCh:
			return
		case <-c.closing:
			return
		}
		if c.probe(deadline, ctx, answered, keepalive) {
			return
		}
	}
}

// probe reads as the read token's holder for readFor, and says whether
// readFor is done: the token given up because another consumer wants it
// means readFor waits for it again.
func (c *Conn) probe(deadline time.Time, ctx context.Context, answered <-chan struct{}, keepalive bool) (over bool) {
	defer c.release()
	defer c.idle()
	c.hold(probeHolder, deadline, ctx)
	defer c.interruptOn(ctx).undo()
	for {
		if c.holding.Load() || c.streaming.Load() {
			return true
		}
		f, err := c.next()
		switch {
		case err == nil:
			if !(f.Op == proto.OpPong && c.cfg.hideControl) {
				c.held = f
				c.holding.Store(true)
				return true
			}
		case err != errInterrupted:
			return true // the connection ended
		case c.stop() != nil:
			return true // the pump or Close reads from now on
		case !deadline.IsZero() && !time.Now().Before(deadline):
			return true
		}
		select {
		case <-answered:
			return true
		default:
		}
		if keepalive && c.pongDue().IsZero() {
			return true // the keepalive heard from the peer
		}
	}
}
