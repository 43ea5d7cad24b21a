package ws

import (
	"context"
	"errors"
	"time"
)

// Recv waits for the next message, or ping or pong, in passive mode
// (hackney's ws_recv), for at most the RecvTimeout option's duration.
// Pings have already been answered when Recv returns them.
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
	if d <= 0 {
		return c.recv(context.Background(), nil)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return c.recv(context.Background(), t.C)
}

// RecvContext is Recv bounded by ctx. When ctx's deadline passes the
// error matches both ErrTimeout and context.DeadlineExceeded; when ctx is
// canceled it is ctx.Err(). Either way the Conn stays usable.
func (c *Conn) RecvContext(ctx context.Context) (Frame, error) {
	return c.recv(ctx, nil)
}

// recv waits for a frame until timeout fires or ctx is done; a nil
// timeout and context.Background never fire.
func (c *Conn) recv(ctx context.Context, timeout <-chan time.Time) (Frame, error) {
	c.mu.Lock()
	err, mode := c.stateErr(), c.mode
	if err == nil && mode == Passive && c.unpassive == nil {
		c.unpassive = make(chan struct{})
	}
	unpassive := c.unpassive
	c.mu.Unlock()
	if err != nil {
		return Frame{}, err
	}
	if mode != Passive {
		return Frame{}, ErrActiveMode
	}
	// A message the read loop already holds is taken without the full
	// select below, which costs more than the handoff itself
	// (BenchmarkRecv).
	select {
	case f := <-c.recvCh:
		return f, nil
	default:
	}
	select {
	case f := <-c.recvCh:
		return f, nil
	case <-unpassive: // messages go to Events from now on
		return Frame{}, ErrActiveMode
	case <-c.endedCh:
		c.mu.Lock()
		defer c.mu.Unlock()
		return Frame{}, c.stateErr()
	case <-c.closing:
		return Frame{}, ErrClosed
	case <-timeout:
		return Frame{}, ErrTimeout
	case <-ctx.Done():
		if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
			return Frame{}, &timeoutError{msg: "ws: recv: " + err.Error(), cause: err}
		}
		return Frame{}, ctx.Err()
	}
}
