package ws

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// readBufferSize is the size of the socket read buffer.
const readBufferSize = 16 << 10

// errInterrupted says a read stopped at a deadline: the holder's own, or
// one another goroutine set to make the holder look up (interrupt).
var errInterrupted = errors.New("ws: read interrupted")

// acquire waits for the read token; false if the connection ended or is
// closing first.
func (c *Conn) acquire() bool {
	select {
	case <-c.readTok:
		return true
	case <-c.endedCh:
	case <-c.closing:
	}
	return false
}

// A holder is what the read token's holder is doing, which says when to
// give up a read that another goroutine interrupted.
type holder uint8

const (
	recvHolder   holder = iota // gives up on Close, an active mode, its context's end or the end
	pumpHolder                 // gives up on Close, the passive mode or the end
	closeHolder                // gives up at the end; its deadline bounds it
	probeHolder                // the keepalive or a Ping: gives up on Close, an active mode, its context's end or the end
	readerHolder               // a Read of RecvReader's reader: gives up as a Recv does
)

// hold starts a tenure of the read token: reads stop at deadline (zero:
// never) or when stop says to. A Recv or the pump abandons the message a
// RecvReader's reader has not finished (recvreader.go).
func (c *Conn) hold(h holder, deadline time.Time, ctx context.Context) {
	c.holder, c.deadline, c.armed, c.ctx = h, deadline, false, ctx
	if c.msgRd != nil && (h == recvHolder || h == pumpHolder) {
		c.abandon()
	}
}

// stop says whether the holder gives up, with the error to return; once
// the connection has ended nobody reads.
func (c *Conn) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.holder {
	case closeHolder:
		if c.ended {
			return c.err
		}
		return nil
	case pumpHolder:
		if c.ended || c.closed || c.mode == Passive {
			return errInterrupted
		}
		return nil
	case probeHolder:
		if c.ended || c.closed || c.mode != Passive {
			return errInterrupted
		}
		if c.ctx != nil {
			return c.ctx.Err()
		}
		return nil
	}
	if err := c.stateErr(); err != nil {
		return err
	}
	if c.mode != Passive {
		return ErrActiveMode
	}
	return ctxError(c.ctx.Err())
}

// interruptOn makes the end of ctx, if it can end, interrupt the holder's
// read, until undo: the token must not pass on before an interruption
// under way has happened, lest it cut the next holder's read. Recv, a
// RecvReader's Read and a Ping's probe use it. A value, not a closure, so
// that a Recv with a context that can end pays no allocation for it.
func (c *Conn) interruptOn(ctx context.Context) interruption {
	if ctx == nil || ctx.Done() == nil {
		return interruption{}
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.interrupt()
		close(fired)
	})
	return interruption{stop, fired}
}

// An interruption is interruptOn's arrangement.
type interruption struct {
	stop  func() bool
	fired chan struct{}
}

// undo ends it, waiting for an interruption under way.
func (i interruption) undo() {
	if i.stop != nil && !i.stop() {
		<-i.fired
	}
}

// release gives the read token back; it never blocks, as only the holder
// gives it back.
func (c *Conn) release() { c.readTok <- struct{}{} }

// interrupt cuts short the socket's read: the token holder's, which then
// asks its stop function why (the caller changes what stop looks at
// first), or, once the connection has ended, hangUp's wait for the peer.
func (c *Conn) interrupt() { c.nc.SetReadDeadline(time.Unix(1, 0)) }

// next returns the next frame for the consumer: a message, or a ping or
// pong unless they are hidden. It answers pings on the way, without
// waiting for the pong to be written. errInterrupted leaves everything as
// it was, a partial frame kept for the next call, and never ends the
// connection: a caller's deadline, its context or a mode change only cut
// a call short. Any other error has ended the connection.
func (c *Conn) next() (proto.Frame, error) {
	for {
		f, err := c.readFrame()
		if err == errInterrupted {
			return f, err
		}
		if err != nil {
			return f, c.endRead(err)
		}
		switch f.Op {
		case proto.OpPing:
			// Section 5.5.2: answer with the same payload. A failed write
			// breaks the writer for good (Send reports it); reading goes
			// on to what the peer sent before, often its close frame.
			c.w.reply(proto.OpPong, f.Payload)
		case proto.OpPong:
			c.onPong(f.Payload)
			if c.holder == probeHolder {
				return f, nil // the keepalive or a Ping reads no further
			}
		case proto.OpClose:
			return proto.Frame{}, c.onClose(f.Payload)
		}
		if c.rd.Part() != 0 && !c.rd.Streams() {
			continue // the rest of an abandoned RecvReader's message
		}
		if c.cfg.hideControl && f.Op.IsControl() {
			continue
		}
		return f, nil
	}
}

// readFrame returns the next message or control frame. A breach of the
// protocol is the Reader's *proto.Violation, which endRead turns into
// the close frame and the error it calls for.
func (c *Conn) readFrame() (proto.Frame, error) {
	for {
		if c.rpos < c.rend {
			n, f, ok, err := c.rd.Next(c.rbuf[c.rpos:c.rend])
			c.rpos += n
			if err != nil {
				return f, err
			}
			if ok {
				return f, nil
			}
		}
		if err := c.arm(); err != nil {
			return proto.Frame{}, err
		}
		// Next has taken everything but a partial header.
		if room := c.rd.PayloadBuffer(); c.rpos == c.rend && len(room) >= readBufferSize {
			// The rest of a large payload is read straight into its
			// message: no copy, and reads as large as the socket allows
			// (BenchmarkRecv).
			n, err := c.nc.Read(room)
			if n > 0 {
				c.heard()
			}
			if n == 0 {
				if err != nil {
					return proto.Frame{}, c.readError(err)
				}
				continue
			}
			f, ok, err := c.rd.Commit(n)
			if err != nil {
				return f, err
			}
			if ok {
				return f, nil
			}
			continue
		}
		c.readRoom()
		n, err := c.nc.Read(c.rbuf[c.rend:])
		if n > 0 {
			c.heard()
		}
		c.rend += n
		c.smallFull = c.rpool == nil && c.rend == smallRead
		if n == 0 && err != nil {
			return proto.Frame{}, c.readError(err)
		}
	}
}

// Read buffers come from a pool and go back whenever they hold nothing
// unparsed: a Conn between messages keeps none, which is most of an idle
// connection's memory.
var readBuffers = sync.Pool{New: func() any {
	b := make([]byte, readBufferSize)
	return &b
}}

// smallRead is the size of the array in each Conn that a read goes to
// when the Conn holds nothing unparsed: a reader waiting on an idle
// connection then holds no pooled buffer, and a small message needs none.
// A read that fills it says more is waiting: the next goes to a pooled
// buffer.
const smallRead = 128

// readRoom prepares the read buffer for the next read: the small array if
// nothing is left to parse, else a pooled buffer with what is left, a
// partial header at most, moved to its start.
func (c *Conn) readRoom() {
	if c.rpos == c.rend && c.rpool == nil && !c.smallFull {
		c.rbuf, c.rpos, c.rend = c.small[:], 0, 0
		return
	}
	if c.rpool == nil {
		p := readBuffers.Get().(*[]byte)
		c.rend = copy(*p, c.rbuf[c.rpos:c.rend])
		c.rbuf, c.rpool, c.rpos = *p, p, 0
		return
	}
	c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
	c.rpos = 0
}

// idle gives the read buffer back when it holds nothing unparsed, at the
// end of a tenure of the read token.
func (c *Conn) idle() {
	if c.rpos == c.rend {
		c.dropReadBuffer()
	}
}

// dropReadBuffer gives the read buffer back, with whatever it holds: the
// connection has ended.
func (c *Conn) dropReadBuffer() {
	if c.rpool != nil {
		readBuffers.Put(c.rpool)
	}
	c.rbuf, c.rpool, c.rpos, c.rend = nil, nil, 0, 0
}

// arm sets the holder's read deadline before its first read, and after
// each interruption: its own, or the time the answer to the keepalive's
// ping is due if that comes first. Then, as an interrupter changes state
// before moving the deadline, a look at stop catches any interruption the
// new deadline has just undone. What stop finds is an interruption, never
// the end of the connection: the caller asks stop again for its error.
func (c *Conn) arm() error {
	if c.armed {
		return nil
	}
	deadline := c.deadline
	if due := c.pongDue(); !due.IsZero() && (deadline.IsZero() || due.Before(deadline)) {
		deadline = due
	}
	if c.holder == pumpHolder && c.poll != nil {
		// The pump parks once its socket has been silent for parkAfter.
		c.parkAt = time.Now().Add(parkAfter)
		if deadline.IsZero() || c.parkAt.Before(deadline) {
			deadline = c.parkAt
		}
	}
	c.nc.SetReadDeadline(deadline)
	if c.stop() != nil {
		return errInterrupted
	}
	c.armed = true
	return nil
}

// readError is what a failed read means: an interruption to look into,
// or the keepalive's ping gone unanswered, else the end of the connection
// without a close frame (RFC 6455 section 7.1.5's 1006), with the
// socket's error unless it was a plain end of stream.
func (c *Conn) readError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.armed = false
		if c.overdue() {
			return errPeerDead
		}
		return errInterrupted
	}
	c.mu.Lock()
	fault := c.fault
	c.mu.Unlock()
	switch {
	case fault != nil:
		return &CloseError{Code: CloseAbnormal, Err: fault}
	case errors.Is(err, io.EOF):
		return &CloseError{Code: CloseAbnormal}
	}
	return &CloseError{Code: CloseAbnormal, Err: err}
}
