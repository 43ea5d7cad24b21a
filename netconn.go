package ws

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// NetConn returns a net.Conn over c, for code that speaks a byte stream:
// Read reads the payloads of the messages received one after another, as
// one stream, and Write sends each call's bytes as one message of kind
// (text must then be valid UTF-8 in every Write). A close from the peer
// with 1000 (normal closure) or 1001 (going away) reads as io.EOF. Close
// closes c.
//
// Deadlines bound the calls under way and to come, and never harm the
// connection: a call whose deadline passes returns a net.Error matching
// os.ErrDeadlineExceeded and ErrTimeout, and the connection goes on. A
// Write whose message had not started going out sent nothing and returns
// 0; one whose message was under way returns len(p) with the error, and
// the message goes out whole after it, before the next Write's: a frame
// cannot be cut. c must be in passive mode, its messages for the NetConn
// alone.
func NetConn(c *Conn, kind Kind) net.Conn {
	return &netConn{c: c, kind: kind, rsem: make(chan struct{}, 1), wsem: make(chan struct{}, 1)}
}

// netConn is NetConn's net.Conn. rsem serializes Reads; wsem is held by
// the message being sent, from a Write's start to the end of its sending,
// which goes on in its own goroutine (sends) when the Write's deadline
// passes first. mu guards the deadlines, and the cancels that move them
// under the calls that wait.
//
// Bounds: a Read or Write waits until its deadline, or Close; a message
// sent after its Write returned ends when the writer's write does, which
// Close bounds by CloseTimeout, and Close waits for it.
type netConn struct {
	c    *Conn
	kind Kind
	rsem chan struct{}
	r    *msgReader // the message being read; Read's, under rsem
	wsem chan struct{}

	// sends counts the messages under way; closed, under mu, says Close
	// waits for them, so that no Write adds one while it does.
	sends  sync.WaitGroup
	mu     sync.Mutex
	closed bool
	rd, wd deadline
}

// A deadline is the time that bounds the calls of one direction, and
// what tells the calls under way that it moved: the cancels of the Reads'
// contexts, which moving it calls, and moved, which moving it closes, for
// the Writes, which need no context and so cost no allocation for one.
type deadline struct {
	t       time.Time
	cancels map[*context.CancelFunc]struct{}
	moved   chan struct{}
}

// Read reads from the message being received, or the next.
func (n *netConn) Read(p []byte) (int, error) {
	select {
	case n.rsem <- struct{}{}:
	case <-n.c.closing:
		return 0, net.ErrClosed
	}
	defer func() { <-n.rsem }()
	for {
		ctx, deadline, done := n.bound(&n.rd)
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			done()
			return 0, deadlineError
		}
		k, err := n.read(p, ctx, deadline)
		done()
		if err == nil || !errors.Is(err, context.Canceled) {
			return k, n.error(err)
		}
		// SetReadDeadline moved the deadline: read on under the new one.
	}
}

// read reads once under ctx and deadline.
func (n *netConn) read(p []byte, ctx context.Context, deadline time.Time) (int, error) {
	for {
		if n.r == nil {
			m := &msgReader{c: n.c}
			if _, err := m.open(ctx, deadline); err != nil {
				return 0, err
			}
			n.r = m
		}
		k, err := n.r.readWithin(p, ctx, deadline)
		if err == io.EOF {
			n.r, err = nil, nil
			if k == 0 && len(p) > 0 {
				continue // an empty message: the stream goes on
			}
		}
		return k, err
	}
}

// error is what a call reports for err: io.EOF for the peer's normal
// close, net.ErrClosed after Close, a net.Error matching
// os.ErrDeadlineExceeded at the deadline.
func (n *netConn) error(err error) error {
	var ce *CloseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce) && (ce.Code == CloseNormal || ce.Code == CloseGoingAway):
		return io.EOF
	case err == ErrClosed:
		return net.ErrClosed
	case errors.Is(err, ErrTimeout):
		return deadlineError
	}
	return err
}

// deadlineError is the error of a call whose deadline passed: a net.Error
// that matches os.ErrDeadlineExceeded and ErrTimeout.
var deadlineError error = &timeoutError{msg: "ws: NetConn: " + os.ErrDeadlineExceeded.Error(), cause: os.ErrDeadlineExceeded}

// bound returns the context of a call under d, canceled when d moves,
// d's time, and the func that ends the context.
func (n *netConn) bound(d *deadline) (context.Context, time.Time, func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var ctx context.Context
	var cancel context.CancelFunc
	if d.t.IsZero() {
		ctx, cancel = context.WithCancel(context.Background())
	} else {
		ctx, cancel = context.WithDeadline(context.Background(), d.t)
	}
	if d.cancels == nil {
		d.cancels = make(map[*context.CancelFunc]struct{})
	}
	d.cancels[&cancel] = struct{}{}
	return ctx, d.t, func() {
		n.mu.Lock()
		delete(d.cancels, &cancel)
		n.mu.Unlock()
		cancel()
	}
}

// Write sends p as one message.
func (n *netConn) Write(p []byte) (int, error) {
	if err := check(Frame{Kind: n.kind, Payload: p}); err != nil {
		return 0, err
	}
	// Wait for the message before, under way.
	for started := false; !started; {
		t, expired, moved, stop := n.watch(&n.wd)
		if !t.IsZero() && !time.Now().Before(t) {
			stop() // a call fails once its deadline has passed, whatever else is ready
			return 0, deadlineError
		}
		select {
		case n.wsem <- struct{}{}:
			started = true
		case <-moved:
		case <-expired:
			stop()
			return 0, deadlineError
		case <-n.c.closing:
			stop()
			return 0, net.ErrClosed
		}
		stop()
	}
	sent := make(chan error, 1)
	msg := Frame{Kind: n.kind, Payload: append([]byte(nil), p...)}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		<-n.wsem
		return 0, net.ErrClosed
	}
	n.sends.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.sends.Done()
		err := n.c.Send(msg)
		<-n.wsem
		sent <- err
	}()
	for {
		_, expired, moved, stop := n.watch(&n.wd)
		select {
		case err := <-sent:
			stop()
			if err != nil {
				return 0, n.error(err)
			}
			return len(p), nil
		case <-moved:
			stop()
		case <-expired:
			return len(p), deadlineError // it goes out whole, later
		}
	}
}

// watch returns, for a call under d, d's time, a channel that delivers
// when it passes (nil for none), one closed when d moves, and the func
// that stops the first's timer.
func (n *netConn) watch(d *deadline) (t time.Time, expired <-chan time.Time, moved <-chan struct{}, stop func() bool) {
	n.mu.Lock()
	if d.moved == nil {
		d.moved = make(chan struct{})
	}
	t, moved = d.t, d.moved
	n.mu.Unlock()
	if t.IsZero() {
		return t, nil, moved, func() bool { return false }
	}
	timer := time.NewTimer(time.Until(t))
	return t, timer.C, moved, timer.Stop
}

// Close closes the Conn with 1000, and waits for the messages that Writes
// past their deadline left.
func (n *netConn) Close() error {
	err := n.c.Close()
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.sends.Wait()
	if err != nil && err != ErrClosed {
		return err
	}
	return nil
}

// LocalAddr returns the local network address.
func (n *netConn) LocalAddr() net.Addr { return n.c.LocalAddr() }

// RemoteAddr returns the address of the peer.
func (n *netConn) RemoteAddr() net.Addr { return n.c.RemoteAddr() }

// SetDeadline sets both deadlines.
func (n *netConn) SetDeadline(t time.Time) error {
	n.SetReadDeadline(t)
	return n.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline of the Reads under way and to come;
// zero means none.
func (n *netConn) SetReadDeadline(t time.Time) error {
	n.setDeadline(&n.rd, t)
	return nil
}

// SetWriteDeadline sets the deadline of the Writes under way and to
// come; zero means none.
func (n *netConn) SetWriteDeadline(t time.Time) error {
	n.setDeadline(&n.wd, t)
	return nil
}

// setDeadline moves d to t and cancels the calls under way, which look
// again under t.
func (n *netConn) setDeadline(d *deadline, t time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d.t = t
	for cancel := range d.cancels {
		(*cancel)()
		delete(d.cancels, cancel)
	}
	if d.moved != nil {
		close(d.moved)
		d.moved = nil
	}
}
