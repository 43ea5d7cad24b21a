package ws

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// RecvReader waits for the next message in passive mode, as Recv does,
// and returns its kind and a reader of its payload as it arrives: the
// message is never held whole, so it may be larger than memory, and the
// peer is slowed by TCP flow control while the reader is not read.
// MaxMessageSize bounds what the reader yields, and text is checked as it
// streams: a Read meeting invalid UTF-8 returns an *InvalidUTF8Error, and
// the Conn has sent 1007. Pings that arrive between fragments are
// answered by the Reads, which do not report pings or pongs whatever
// ReportControl says.
//
// The wait for the message is bounded by the RecvTimeout option, and so
// is each Read, which returns an error matching ErrTimeout when its time
// passes: the reader and the Conn stay usable. Read returns io.EOF at the
// end of the message, or the error that ended the connection.
//
// The message is the reader's until its end: a Recv or RecvReader called
// before then (or SetActive) discards the rest of it, and the reader's
// Reads from then on fail with an error saying so; what Recv returns is
// always the next whole message, never the tail of this one. A reader
// must not be read by two goroutines at once.
//
// In an active mode RecvReader and the Reads return ErrActiveMode.
func (c *Conn) RecvReader() (Kind, io.Reader, error) {
	return c.recvReader(&msgReader{c: c})
}

// RecvReaderContext is RecvReader bounded by ctx: the wait for the
// message and every Read, until the end of the message, end when ctx
// does, with the errors of RecvContext. The reader and the Conn stay
// usable.
func (c *Conn) RecvReaderContext(ctx context.Context) (Kind, io.Reader, error) {
	return c.recvReader(&msgReader{c: c, ctx: ctx})
}

// errAbandoned is the error of a reader whose message a later Recv,
// RecvReader or SetActive discarded.
var errAbandoned = errors.New("ws: RecvReader: the rest of the message was discarded by a later Recv, RecvReader or SetActive")

// A msgReader is RecvReader's reader. It takes the read token for each
// Read; between Reads the Conn's stream names it.
type msgReader struct {
	c   *Conn
	ctx context.Context // RecvReaderContext's; nil: RecvTimeout per Read
	// pending is what arrived and the last Read could not take, in spill
	// or in a whole message held; last says it ends the message.
	pending []byte
	spill   []byte
	last    bool
	err     error // io.EOF at the end, or errAbandoned
}

func (c *Conn) recvReader(m *msgReader) (Kind, io.Reader, error) {
	bg, deadline := m.bounds()
	kind, err := m.open(bg, deadline)
	if err != nil {
		return 0, nil, err
	}
	return kind, m, nil
}

// open waits for the start of the reader's message until deadline or
// ctx's end, and returns its kind.
func (m *msgReader) open(ctx context.Context, deadline time.Time) (Kind, error) {
	c := m.c
	leave, err := c.enter(recvHolder, ctx, deadline)
	if err != nil {
		return 0, err
	}
	defer leave()
	if f, ok := c.take(); ok {
		// A whole message the pump or a probe read and kept.
		m.pending, m.last = f.Payload, true
		if len(f.Payload) == 0 {
			m.err = io.EOF
		}
		return Kind(f.Op), nil
	}
	// An empty room: the first piece says the message's kind, and holds
	// at most the part of it that an earlier Recv received.
	c.rd.Stream(true, c.small[:0])
	defer c.rd.Stream(false, nil)
	for {
		f, err := c.next()
		if err == nil {
			if c.rd.Part() == 0 {
				continue // a ping or pong ReportControl asks for: the message comes next
			}
			c.msgRd = m
			c.streaming.Store(true)
			m.keep(f.Payload, c.rd.Part() == proto.PartMore)
			return Kind(f.Op), nil
		}
		if err := c.readFailed(err, ctx, deadline); err != nil {
			return 0, err
		}
	}
}

// bounds returns the context and deadline of the reader's next wait.
func (m *msgReader) bounds() (context.Context, time.Time) {
	if m.ctx == nil {
		return context.Background(), after(m.c.cfg.recvTimeout)
	}
	deadline, _ := m.ctx.Deadline()
	return m.ctx, deadline
}

// keep stores the part p of a piece that the caller did not copy out;
// more says the message goes on after the piece.
func (m *msgReader) keep(p []byte, more bool) {
	if len(p) > 0 {
		m.spill = append(m.spill[:0], p...)
		m.pending = m.spill
	}
	if !more {
		m.end()
	}
}

// end records that the message has arrived whole: the Conn's read side
// is free again.
func (m *msgReader) end() {
	m.last = true
	if len(m.pending) == 0 {
		m.err = io.EOF
	}
	c := m.c
	if c.msgRd == m {
		c.msgRd = nil
		c.streaming.Store(false)
		c.unhold()
	}
}

// Read reads the next bytes of the message.
func (m *msgReader) Read(p []byte) (int, error) {
	ctx, deadline := m.bounds()
	return m.readWithin(p, ctx, deadline)
}

// readWithin is Read bounded by ctx and deadline.
func (m *msgReader) readWithin(p []byte, ctx context.Context, deadline time.Time) (int, error) {
	if len(m.pending) > 0 {
		n := copy(p, m.pending)
		m.pending = m.pending[n:]
		if len(m.pending) == 0 && m.last {
			m.err = io.EOF
			return n, io.EOF
		}
		return n, nil
	}
	if m.err != nil {
		return 0, m.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	return m.read(p, ctx, deadline)
}

// read reads the message's next piece, straight into p when it is large.
func (m *msgReader) read(p []byte, ctx context.Context, deadline time.Time) (int, error) {
	c := m.c
	leave, err := c.enter(readerHolder, ctx, deadline)
	if err != nil {
		return 0, err
	}
	defer leave()
	if c.msgRd != m {
		m.err = errAbandoned
		return 0, m.err
	}
	c.rd.Stream(true, p)
	defer c.rd.Stream(false, nil)
	for {
		f, err := c.next()
		if err == nil {
			if c.rd.Part() == 0 {
				continue // a ping or pong ReportControl asks for
			}
			n := copy(p, f.Payload) // in place when it was read into p
			m.keep(f.Payload[n:], c.rd.Part() == proto.PartMore)
			if n == 0 && !m.last {
				continue
			}
			if m.last && len(m.pending) == 0 {
				return n, io.EOF
			}
			return n, nil
		}
		if err := c.readFailed(err, ctx, deadline); err != nil {
			return 0, err
		}
	}
}

// enter starts a tenure of the read token for a RecvReader or its Read,
// as recv does: it checks the state and the mode, waits for the token
// until deadline or ctx's end, and arranges for ctx's end to interrupt
// the read. leave ends the tenure.
func (c *Conn) enter(h holder, ctx context.Context, deadline time.Time) (leave func(), err error) {
	unpassive, err := c.passive()
	if err != nil {
		return nil, err
	}
	if err := c.awaitToken(ctx, deadline, unpassive); err != nil {
		return nil, err
	}
	c.hold(h, deadline, ctx)
	if err := c.stop(); err != nil {
		c.idle()
		c.release()
		return nil, err
	}
	in := c.interruptOn(ctx)
	return func() {
		in.undo()
		c.idle()
		c.release()
	}, nil
}

// readFailed says what a failed c.next means for a RecvReader or its
// Read: nil to read on after an interruption that does not concern it,
// else the error to return, as recv decides.
func (c *Conn) readFailed(err error, ctx context.Context, deadline time.Time) error {
	if err != errInterrupted {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.stateErr()
	}
	if err := c.stop(); err != nil {
		return err
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return timeoutFor(ctx)
	}
	return nil
}

// abandon discards the reader's unfinished message for a new holder: its
// Reads fail from now on, and the rest of the message is dropped as it
// is read (next). The token is held.
func (c *Conn) abandon() {
	c.msgRd = nil
	c.streaming.Store(false)
	c.unhold()
}
