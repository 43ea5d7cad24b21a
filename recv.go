package ws

import (
	"context"
	"errors"
	"time"
)

// Recv waits for the next message, or ping or pong, in passive mode
// (hackney's ws_recv), for at most the RecvTimeout option's duration.
// Pings are answered as Recv reads them, without Recv waiting for the
// pong to be written: in passive mode the socket is read only while a
// Recv is waiting.
//
// When the connection has ended Recv returns why: a *CloseError if the
// peer closed (hackney's {closed, Code, Reason}), ErrClosed after Close,
// else the error that ended it. In an active mode it returns
// ErrActiveMode; an active-once grant is spent as soon as its message is
// offered on Events, and from then on Recv waits for the next message.
func (c *Conn) Recv() (Frame, error) { return c.RecvTimeout(c.cfg.recvTimeout) }

// RecvTimeout is Recv waiting at most d; zero means no limit. On timeout
// it returns an error matching ErrTimeout, and the Conn stays usable: a
// message that was partly received is kept for the next call.
func (c *Conn) RecvTimeout(d time.Duration) (Frame, error) {
	return c.recv(context.Background(), after(d), nil)
}

// RecvContext is Recv bounded by ctx. When ctx's deadline passes the
// error matches both ErrTimeout and context.DeadlineExceeded; when ctx is
// canceled it is ctx.Err(). Either way the Conn stays usable.
func (c *Conn) RecvContext(ctx context.Context) (Frame, error) {
	deadline, _ := ctx.Deadline()
	return c.recv(ctx, deadline, nil)
}

// RecvInto is Recv writing a message's payload into buf when it fits, so
// that a loop reusing one buffer receives without allocating: the
// returned Payload then shares buf's storage and is valid until buf is
// written to. A payload that does not fit in cap(buf) is returned in new
// memory, as append would; so is a message whose start an earlier call
// received before it timed out.
func (c *Conn) RecvInto(buf []byte) (Frame, error) {
	return c.recv(context.Background(), after(c.cfg.recvTimeout), buf)
}

// after returns the deadline d from now; zero, no deadline, for d <= 0.
func after(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// recv reads the next frame for the consumer until deadline (zero: none)
// or until ctx is done, into buf if it fits.
func (c *Conn) recv(ctx context.Context, deadline time.Time, buf []byte) (Frame, error) {
	unpassive, err := c.passive()
	if err != nil {
		return Frame{}, err
	}
	// An uncontended token is taken without the full select below, which
	// costs more than the rest of a small message's receipt.
	select {
	case <-c.readTok:
	default:
		if err := c.awaitToken(ctx, deadline, unpassive); err != nil {
			return Frame{}, err
		}
	}
	defer c.release()
	defer c.idle()
	// The mode and the state may have changed while this call waited.
	c.hold(recvHolder, deadline, ctx)
	if err := c.stop(); err != nil {
		return Frame{}, err
	}
	if f, ok := c.take(); ok {
		return Frame{Kind: Kind(f.Op), Payload: f.Payload}, nil
	}
	defer c.interruptOn(ctx).undo()
	c.rd.SetBuffer(buf)
	defer c.rd.DropBuffer()
	for {
		f, err := c.next()
		switch {
		case err == nil:
			return Frame{Kind: Kind(f.Op), Payload: f.Payload}, nil
		case err != errInterrupted:
			c.mu.Lock()
			defer c.mu.Unlock()
			return Frame{}, c.stateErr()
		}
		if err := c.stop(); err != nil {
			return Frame{}, err
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return Frame{}, timeoutFor(ctx)
		}
	}
}

// passive says whether a Recv may read: the Conn open and in passive
// mode. It returns the channel that SetActive closes when the mode turns
// active, made here when first needed, for the wait for the token.
func (c *Conn) passive() (unpassive chan struct{}, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.stateErr(); err != nil {
		return nil, err
	}
	if c.mode != Passive {
		return nil, ErrActiveMode
	}
	if c.unpassive == nil {
		c.unpassive = make(chan struct{})
	}
	return c.unpassive, nil
}

// awaitToken waits for the read token, for as long as Recv may wait.
func (c *Conn) awaitToken(ctx context.Context, deadline time.Time, unpassive chan struct{}) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-c.readTok:
		return nil
	case <-unpassive: // messages go to Events from now on
		return ErrActiveMode
	case <-c.endedCh:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.stateErr()
	case <-c.closing:
		return ErrClosed
	case <-timeout:
		return timeoutFor(ctx)
	case <-ctx.Done():
		return ctxError(ctx.Err())
	}
}

// timeoutFor is the error of a Recv whose deadline passed: ctx's, or the
// Conn's receive timeout.
func timeoutFor(ctx context.Context) error {
	if _, ok := ctx.Deadline(); ok {
		return ctxError(context.DeadlineExceeded)
	}
	return ErrTimeout
}

// ctxError is the error of a Recv cut short by its context: a passed
// deadline is a timeout as well.
func ctxError(err error) error { return ctxErrorOf("recv", err) }

// ctxErrorOf is the error of the call op cut short by its context.
func ctxErrorOf(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &timeoutError{msg: "ws: " + op + ": " + err.Error(), cause: err}
	}
	return err
}
