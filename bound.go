package ws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// SendTimeout bounds every Send, SendAll and fragment of SendFrom as
// SendContext does with a deadline d from the call (default: no bound).
func SendTimeout(d time.Duration) Option { return func(c *config) { c.sendTimeout = d } }

// SendContext is Send bounded by ctx, and by ctx alone: the SendTimeout
// option does not apply to it, so a ctx that cannot end (Background)
// sends without a bound. A frame that cannot start going out
// before ctx ends (the writer busy with other frames, or the socket's
// buffer full) is not sent: the error matches ErrTimeout and
// context.DeadlineExceeded when ctx's deadline passed, or is ctx.Err()
// when it was canceled, and the Conn stays usable. A write cut short once
// part of the frame is out would leave the stream half-framed: then the
// connection is dropped (a close frame cannot follow part of a frame), the
// error matches ErrClosed, not ErrTimeout, and the Conn's later calls
// report a *CloseError (1006) wrapping it. Over TLS even a write cut
// before its first byte breaks the stream (crypto/tls), with the same
// result.
//
// A Send that returned nil has handed its frame to the socket; whether
// the peer's application got it, only the peer can say.
func (c *Conn) SendContext(ctx context.Context, f Frame) error {
	if err := check(f); err != nil {
		return err
	}
	frames := [1]out{{proto.Opcode(f.Kind), true, f.Payload, 0}}
	var bufs [1]*[]byte
	if f.Kind.control() {
		return c.sendFrames(boundOf(ctx), frames[:], nil) // never compressed
	}
	return c.sendFrames(boundOf(ctx), frames[:], bufs[:])
}

// A bound is how long a send may wait and write: until deadline (zero:
// none) and until ctx is done (nil: never). A nil *bound waits for ever,
// as a plain Send does, and costs it nothing (BenchmarkSendMem).
type bound struct {
	deadline time.Time
	ctx      context.Context
}

// boundOf is the bound of ctx, nil if it never ends.
func boundOf(ctx context.Context) *bound {
	d, ok := ctx.Deadline()
	if !ok && ctx.Done() == nil {
		return nil
	}
	if ctx.Done() == nil {
		ctx = nil
	}
	return &bound{deadline: d, ctx: ctx}
}

// sendBound is the bound of a Send without a context: SendTimeout from
// now, nil without it.
func (c *Conn) sendBound() *bound {
	if c.cfg.sendTimeout <= 0 {
		return nil
	}
	return &bound{deadline: time.Now().Add(c.cfg.sendTimeout)}
}

func (b *bound) bounded() bool { return b != nil }

// expired says whether the bound has passed.
func (b *bound) expired() bool {
	if b.ctx != nil && b.ctx.Err() != nil {
		return true
	}
	return !b.deadline.IsZero() && !time.Now().Before(b.deadline)
}

// err is the error of a send that could not start within the bound.
func (b *bound) err() error {
	cause := error(os.ErrDeadlineExceeded)
	if b.ctx != nil {
		if err := b.ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err // canceled
		}
		if _, ok := b.ctx.Deadline(); ok {
			// Its deadline, which may have passed a moment before ctx
			// says so.
			cause = context.DeadlineExceeded
		}
	}
	return &timeoutError{msg: "ws: send: timed out before the frame could be written", cause: cause}
}

// watch makes the waiters on cond, whose lock is l, look up when the
// bound passes, so that a bounded wait on a sync.Cond ends in time. The
// returned func stops the watch.
func (b *bound) watch(l sync.Locker, cond *sync.Cond) (stop func()) {
	wake := func() {
		l.Lock()
		cond.Broadcast()
		l.Unlock()
	}
	var t *time.Timer
	if !b.deadline.IsZero() {
		t = time.AfterFunc(time.Until(b.deadline), wake)
	}
	var cancel func() bool
	if b.ctx != nil {
		cancel = context.AfterFunc(b.ctx, wake)
	}
	return func() {
		if t != nil {
			t.Stop()
		}
		if cancel != nil {
			cancel()
		}
	}
}

// errSendCut is the error of a send whose bound passed once part of its
// frames was out: the stream cannot go on, and the connection is dropped.
var errSendCut = fmt.Errorf("%w: send: the bound passed with part of a frame written; the connection is dropped (a close frame cannot follow part of a frame)", ErrClosed)

// dropAfterCut drops a connection whose stream a bounded send left
// half-framed: the reader then meets the closed socket and ends the Conn
// with a *CloseError (1006) wrapping errSendCut (fault).
func (c *Conn) dropAfterCut() {
	c.mu.Lock()
	if c.fault == nil {
		c.fault = errSendCut
	}
	c.mu.Unlock()
	c.nc.Close()
	c.mu.Lock()
	c.wakePump() // a parked pump's socket, closed, reports nothing to the poller
	c.mu.Unlock()
}

// gate is the message lock of a writer: held shared by Send and SendAll,
// which write their frames in one go, and exclusively by SendFrom, whose
// fragments span many writes, and by compressed sends, whose compressor
// must follow the order of the messages on the wire. A bounded send waits
// for it only as long as its bound: it tries the lock, and sleeps on cond
// until an unlock while it fails; an unlock wakes the sleepers only when
// there are some, so that an unbounded send pays a sync.RWMutex's price
// (BenchmarkSendMem).
type gate struct {
	rw      sync.RWMutex
	waiting atomic.Int32 // bounded sends waiting for rw
	mu      sync.Mutex
	cond    sync.Cond // on mu; signaled by the unlocks while some wait
}

// lock takes the gate, shared or exclusive, waiting at most until b
// passes. The common case, an unbounded shared lock, is inlined at the
// call (BenchmarkSendMem).
func (g *gate) lock(b *bound, exclusive bool) error {
	if b == nil && !exclusive {
		g.rw.RLock()
		return nil
	}
	return g.lockSlow(b, exclusive)
}

// lockSlow is lock for an exclusive or a bounded send.
func (g *gate) lockSlow(b *bound, exclusive bool) error {
	switch {
	case b != nil:
		return g.lockBounded(b, exclusive)
	case exclusive:
		g.rw.Lock()
	default:
		g.rw.RLock()
	}
	return nil
}

// lockBounded is lock for a bounded send.
func (g *gate) lockBounded(b *bound, exclusive bool) error {
	try := g.rw.TryRLock
	if exclusive {
		try = g.rw.TryLock
	}
	if try() {
		return nil
	}
	// Counted as waiting before the next try, under mu: an unlock either
	// comes before that try, which then succeeds, or sees the count and
	// wakes this waiter, which holds mu from its try to its Wait.
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond.L == nil {
		g.cond.L = &g.mu
	}
	defer b.watch(&g.mu, &g.cond)()
	for !try() {
		if b.expired() {
			return b.err()
		}
		g.cond.Wait()
	}
	return nil
}

// tryLock takes the gate exclusively if it is free.
func (g *gate) tryLock() bool { return g.rw.TryLock() }

// unlock gives the gate back, and wakes the bounded sends waiting, if
// any.
func (g *gate) unlock(exclusive bool) {
	if exclusive {
		g.rw.Unlock()
	} else {
		g.rw.RUnlock()
	}
	if g.waiting.Load() > 0 {
		g.wake()
	}
}

func (g *gate) wake() {
	g.mu.Lock()
	g.cond.Broadcast()
	g.mu.Unlock()
}
