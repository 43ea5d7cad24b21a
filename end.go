package ws

import (
	"io"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// end records why the connection ended, once: the first reason stays,
// and it reports whether this call was the first. Only the read token's
// holder calls it, so that the parse state it gives back is its own, and
// it never waits: the socket is let go by the caller (endRead, onClose,
// finish), the last Event is the pump's to deliver (lastEvent).
func (c *Conn) end(err error) bool {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return false
	}
	c.ended, c.err = true, err
	pumping := c.pumping
	c.wakePump() // a parked pump delivers the last Event
	c.mu.Unlock()
	if c.ka != nil {
		c.ka.timer.Stop()
	}
	if c.poll != nil {
		c.poll.Close()
	}
	c.dropReadBuffer()
	if c.inflater != nil {
		c.inflater.Release()
	}
	if !pumping && c.cfg.events == nil {
		close(c.events) // no pump will deliver a last event
	}
	close(c.endedCh)
	return true
}

// endRead ends the connection on a failed read or on a breach that the
// Reader found (a *proto.Violation), and returns the error to report. A
// breach owes the peer the close frame it calls for (RFC 6455 section
// 7.1.7): sent now, or in an active mode by the pump once the application
// has taken the event that reports it (lastEvent).
//
// A dead peer (errPeerDead) is owed 1011 at once, written within
// PingTimeout if at all: nobody is there to read what came before.
func (c *Conn) endRead(err error) error {
	var owed []byte
	bound := c.cfg.closeTimeout
	switch v := err.(type) {
	case *proto.Violation:
		owed = v.ClosePayload()
		err = violationError(v)
	}
	dead := err == errPeerDead
	if dead {
		owed, _ = proto.AppendClose(nil, uint16(CloseInternalError), "keepalive timeout")
		err = &CloseError{Code: CloseAbnormal, Err: ErrKeepalive}
		bound = c.ka.timeout
	}
	if !c.end(err) {
		return err
	}
	switch {
	case owed == nil:
		c.nc.Close()
		c.socketClosed()
	case c.holder == pumpHolder && !dead:
		c.pumpOwed = owed
	default:
		c.sendClose(owed, bound)
	}
	return err
}

// sendOwed sends the close frame the pump owes for a breach, if any.
func (c *Conn) sendOwed() {
	if c.pumpOwed != nil {
		c.sendClose(c.pumpOwed, c.cfg.closeTimeout)
		c.pumpOwed = nil
	}
}

// sendClose posts a close frame and lets the socket go once it is
// written, or bound has passed.
func (c *Conn) sendClose(payload []byte, bound time.Duration) {
	ticket := c.w.reply(proto.OpClose, payload)
	c.hangUp(ticket, false, bound)
}

// onClose handles the peer's close frame: the answer to ours, or the
// start of the close handshake, which the Conn answers by echoing the code
// (section 5.5.1).
func (c *Conn) onClose(payload []byte) error {
	code, reason, _ := proto.ParseClose(payload) // the Reader checked it
	echo := proto.CloseEcho(payload)
	err := &CloseError{Code: CloseCode(code), Reason: reason}
	// Ended first: a Send that the echo cuts short reports the close.
	if c.end(err) {
		ticket := c.w.reply(proto.OpClose, echo) // refused if our close frame went first
		// A client waits for the server to close the TCP connection
		// first; the server closes it once its close frame is out
		// (section 7.1.1), so that the TIME_WAIT is its own.
		c.hangUp(ticket, !c.cfg.server, c.cfg.closeTimeout)
	}
	return err
}

// hangUp closes the socket of a connection that has ended, in the
// background so that the goroutine that ended it returns at once: once
// the writer has written everything up to ticket (the close frame owed),
// and, with drain, once the peer has closed the TCP connection, as the
// server should first (section 7.1.1); each at most bound, and the wait
// for the peer cut short once Close is done with the handshake (finish).
// Then done is closed.
func (c *Conn) hangUp(ticket uint64, drain bool, bound time.Duration) {
	deadline := time.Now().Add(bound)
	c.w.limit(deadline) // bounds settle: the owner's write fails at it
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		c.w.settle(ticket)
		if drain {
			if s, ok := c.nc.(halfCloser); ok {
				// An HTTP/2 stream ends each side on its own: ours
				// now, then the server's (RFC 8441 section 5).
				s.CloseWrite()
			}
			c.nc.SetReadDeadline(deadline)
			// Looked at after the deadline is set: finish, which cuts the
			// wait by interrupting it, does so after finishing.
			if !c.finishing.Load() {
				io.Copy(io.Discard, c.nc)
			}
		}
		c.nc.Close()
		c.socketClosed()
	}()
}

// halfCloser is the HTTP/2 stream's (internal/h2.Stream): CloseWrite
// sends END_STREAM. A TCP socket is not asked, as the server closes it
// first (RFC 6455 section 7.1.1).
type halfCloser interface {
	CloseWrite() error
	EndsStream()
}
