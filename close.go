package ws

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// Close closes the connection with 1000 (normal closure); see CloseWith.
func (c *Conn) Close() error { return c.CloseWith(CloseNormal, "") }

// CloseWith runs the closing handshake (hackney's ws_close with a code and
// reason, RFC 6455 section 7): it sends a close frame, waits for the
// peer's, at most the CloseTimeout option's duration (default 5 s), then
// closes the socket. When it returns the Conn's goroutine has ended and
// the Conn holds no resources; every later call returns ErrClosed.
//
// Code must be one that may be sent (1000-1003, 1007-1014, 3000-4999) or
// CloseNoStatusReceived for a close frame without a code, and reason
// valid UTF-8 of at most 123 bytes; otherwise CloseWith returns an error
// and sends nothing. It returns nil once the handshake completed or the
// connection had already ended; an error if the close frame could not be
// written or the peer did not answer in time.
func (c *Conn) CloseWith(code CloseCode, reason string) error {
	payload, err := proto.AppendClose(nil, uint16(code), reason)
	if err != nil {
		return fmt.Errorf("ws: close %v: %w", code, err)
	}
	first, ended := false, false
	c.closeOnce.Do(func() {
		first = true
		c.mu.Lock()
		c.closed, ended = true, c.ended
		c.wakePump() // a parked pump returns, closing its Events channel
		c.mu.Unlock()
		close(c.closing)
	})
	if !first {
		return ErrClosed
	}
	defer c.finish()
	if ended {
		return nil
	}
	c.interrupt() // a Recv or the pump gives the token up
	deadline := time.Now().Add(c.cfg.closeTimeout)
	// A write blocked on a peer that does not read fails at the deadline.
	c.w.limit(deadline)
	if err := c.w.write(proto.OpClose, true, payload); err != nil {
		if err == errWriteAfterClose { // the peer's close or a failure came first
			return nil
		}
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			return &timeoutError{msg: "ws: close: the close frame could not be written in time", cause: err}
		}
		return err
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-c.readTok:
		c.hold(closeHolder, deadline, nil)
		// Messages still coming before the peer's close frame are
		// dropped: the caller has closed.
		for {
			_, err := c.next()
			if err == nil {
				continue
			}
			if err != errInterrupted || c.stop() != nil {
				break // the connection ended
			}
			if !time.Now().Before(deadline) {
				c.release()
				return errCloseUnanswered
			}
		}
		c.release()
	case <-c.endedCh:
	case <-t.C:
		return errCloseUnanswered
	}
	// The connection has ended. After a close frame the server should
	// close the TCP connection first (section 7.1.1): it has until the
	// deadline, after which finish does it, but the handshake has
	// completed either way.
	select {
	case <-c.closedSocket():
	case <-t.C:
	}
	return nil
}

var errCloseUnanswered error = &timeoutError{msg: "ws: close: the peer did not answer the close frame in time"}

// finish ends a Close: the connection ended, the close frame it owed the
// peer written (at most CloseTimeout), the socket closed, and every
// goroutine of the Conn returned. Each wait is bounded: the pump returns
// once closing is closed (its read is interrupted, its offers end); a
// Recv holding the read token gives it up at its next read; done comes
// once hangUp has written what it owed, or failed at its write deadline.
func (c *Conn) finish() {
	if c.ka != nil {
		c.ka.timer.Stop()
	}
	c.pumpWG.Wait()
	select {
	case <-c.readTok:
		if c.end(ErrClosed) {
			c.nc.Close()
			c.socketClosed()
		}
		c.release()
	case <-c.endedCh:
	}
	c.finishing.Store(true)
	c.interrupt() // hangUp stops waiting for the peer to close first
	<-c.closedSocket()
	c.bg.Wait()
	if c.ka != nil {
		c.ka.wg.Wait()
	}
	c.w.drains.Wait()
	c.stopCompression()
}
