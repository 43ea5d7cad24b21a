package ws

import (
	"context"
	"net"
	"time"
)

// dialDirect dials the server itself (no proxy, no NetDial) until
// deadline (none if zero) or until ctx ends. An IP address is dialed with
// a dialBound in place of ctx, b if not nil: the same bound for a third of
// the allocations of the context.WithDeadline that net.Dialer makes of a
// Deadline (BenchmarkConnect). A name is dialed with that Deadline.
func dialDirect(ctx context.Context, deadline time.Time, t *target, b *dialBound) (net.Conn, error) {
	var d net.Dialer
	switch {
	case deadline.IsZero():
	case t.ipLiteral:
		if b == nil {
			b = new(dialBound)
		}
		*b = dialBound{ctx: ctx, deadline: deadline}
		ctx = b
	default:
		d.Deadline = deadline
	}
	return d.DialContext(ctx, "tcp", t.addr)
}

// A dialBound is the context of a dial to an IP address: Connect's
// context, with a deadline of its own, which is no context.WithDeadline's
// but costs no timer, no channel and no cancel.
//
// It is no general context: its Done is the one of Connect's context, or
// for a context that never ends the one of neverCanceled, and so it is not
// closed when the deadline passes. It holds the bound for the dial of an
// IP address only, because nothing on that path waits on Done but the
// connect(2) itself, which takes Deadline as the socket's write deadline
// whenever Done is not nil (net's netFD.connect), and stops waiting at
// it. The resolver's path for a name waits on Done: a name is dialed with
// net.Dialer's own Deadline. TestConnectInFlight holds it to this: a
// connect(2) that the server never answers ends at the deadline, and
// when ctx ends.
type dialBound struct {
	ctx      context.Context
	deadline time.Time
}

// neverCanceled stands for a context that never ends, which has no Done
// channel: its Done never closes, and context.AfterFunc, which the connect
// calls on a dialBound, joins it as it would any context.WithCancel, with
// no allocation, where a context of ours would cost it two. Every dial in
// flight is then one entry in its map of children, under its lock: the
// map grows to the most dials at a time, and keeps that size.
var neverCanceled, _ = context.WithCancel(context.Background())

// canceler is the context whose Done is the bound's.
func (b *dialBound) canceler() context.Context {
	if b.ctx.Done() != nil {
		return b.ctx
	}
	return neverCanceled
}

// Deadline is the earlier of the bound's and the context's.
func (b *dialBound) Deadline() (time.Time, bool) {
	if d, ok := b.ctx.Deadline(); ok && d.Before(b.deadline) {
		return d, true
	}
	return b.deadline, true
}

// Done is never nil: the connect takes the deadline only from a context
// that can end.
func (b *dialBound) Done() <-chan struct{} { return b.canceler().Done() }

func (b *dialBound) Err() error { return b.ctx.Err() }

// Value is that of Connect's context, through which its httptrace hooks
// reach the dialer, and else that of the canceler: what context.AfterFunc
// looks up to find the context.WithCancel whose children it can join.
func (b *dialBound) Value(key any) any {
	if v := b.ctx.Value(key); v != nil {
		return v
	}
	return b.canceler().Value(key)
}

// AfterFunc makes context.AfterFunc wait on a canceler that is no
// context.WithCancel, such as a context type of the caller's, through
// context.AfterFunc of its own, and not start a goroutine to wait on Done.
func (b *dialBound) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(b.canceler(), f)
}
