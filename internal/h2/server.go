package h2

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"time"
)

// ServerStream is the server's end of a WebSocket carried on an HTTP/2
// stream (RFC 8441), served by net/http: a net.Conn whose Read returns the
// request's body (the client's DATA frames) and whose Write writes and
// flushes the response's. The handler that got the request must not
// return before Close has returned: net/http ends the stream when it
// does, and its ResponseWriter may not be used afterwards.
//
// Its deadlines behave as a socket's: a Read blocked past its deadline
// returns os.ErrDeadlineExceeded and the next Read works again. A Write
// that starts past its deadline returns os.ErrDeadlineExceeded, having
// written nothing; one that is still blocked (the client's flow control
// holds it back) when the deadline passes resets the stream, as net/http
// offers no other way to interrupt it, and fails.
//
// Close ends our side: Reads and Writes fail, the request's body is
// closed, and a Write still blocked is interrupted by resetting the
// stream. The END_STREAM that ends the response follows when the handler
// returns. Once r's context is done (the client reset the stream, the
// connection ended, or the handler returned), a Write fails without
// touching the ResponseWriter; but nothing can make safe a Write under way
// while a handler returns, hence the rule above.
//
// Its waits: a Read's are bodyReader's; a Write waits on net/http's until
// its deadline or Close; Close waits for the body reader, which the
// body's Close unblocks, and for a Write, which it interrupts.
type ServerStream struct {
	in    bodyReader
	w     http.ResponseWriter
	rc    *http.ResponseController
	laddr net.Addr
	raddr net.Addr
	stop  func() bool // stops watching r's context

	wmu sync.Mutex // one Write at a time, held while it uses w

	dmu     sync.Mutex // guards the fields below
	wdl     time.Time  // the write deadline
	writing bool       // a Write is using w
	armed   bool       // rc holds a write deadline for the Write under way
	gone    bool       // closed, or the handler returned: w is not used again

	closed    chan struct{}
	closeOnce sync.Once
}

// NewServerStream serves the WebSocket on the stream of r, whose
// response's headers (200, RFC 8441 section 5) w has sent already.
func NewServerStream(w http.ResponseWriter, r *http.Request) *ServerStream {
	s := &ServerStream{
		w:      w,
		rc:     http.NewResponseController(w),
		raddr:  remoteAddr(r.RemoteAddr),
		closed: make(chan struct{}),
	}
	s.laddr, _ = r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	s.in.start(r.Body, s.closed, func(err error) error { return err })
	s.stop = context.AfterFunc(r.Context(), s.handlerGone)
	return s
}

// handlerGone marks w as unusable once r's context is done: the handler
// returned, or the stream or its connection ended.
func (s *ServerStream) handlerGone() {
	s.dmu.Lock()
	s.gone = true
	s.dmu.Unlock()
}

// Read reads the client's data, as a socket's Read.
func (s *ServerStream) Read(p []byte) (int, error) { return s.in.read(p) }

// Write writes p to the response and flushes it, as a socket's Write.
func (s *ServerStream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.dmu.Lock()
	if s.gone {
		s.dmu.Unlock()
		return 0, net.ErrClosed
	}
	if !s.wdl.IsZero() && !time.Now().Before(s.wdl) {
		s.dmu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	s.writing = true
	if !s.wdl.IsZero() {
		s.rc.SetWriteDeadline(s.wdl)
		s.armed = true
	}
	s.dmu.Unlock()

	n, err := s.w.Write(p)
	if err == nil {
		err = s.rc.Flush()
	}

	s.dmu.Lock()
	defer s.dmu.Unlock()
	s.writing = false
	if s.armed && !s.gone {
		// A deadline left with net/http would reset the stream when it
		// passes, though no Write waits.
		s.rc.SetWriteDeadline(time.Time{})
	}
	s.armed = false
	if err != nil {
		switch {
		case s.gone:
			err = fmt.Errorf("%w: %v", net.ErrClosed, err)
		case !s.wdl.IsZero() && !time.Now().Before(s.wdl):
			// Not os.ErrDeadlineExceeded: the stream is reset, not whole.
			err = fmt.Errorf("HTTP/2 stream reset by its write deadline: %v", err)
		}
	}
	return n, err
}

// Close ends our side of the stream; see ServerStream.
func (s *ServerStream) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.dmu.Lock()
		if s.writing && !s.gone {
			s.rc.SetWriteDeadline(time.Unix(1, 0)) // resets the stream at once
		}
		s.gone = true
		s.dmu.Unlock()
		s.in.close()
		s.wmu.Lock() // once the Write under way has returned
		s.stop()
		s.wmu.Unlock()
	})
	return nil
}

// LocalAddr returns the server's address of the HTTP/2 connection.
func (s *ServerStream) LocalAddr() net.Addr { return s.laddr }

// RemoteAddr returns the client's address of the HTTP/2 connection.
func (s *ServerStream) RemoteAddr() net.Addr { return s.raddr }

// SetDeadline sets both deadlines.
func (s *ServerStream) SetDeadline(t time.Time) error {
	s.SetReadDeadline(t)
	return s.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline of Read.
func (s *ServerStream) SetReadDeadline(t time.Time) error { s.in.rdl.set(t); return nil }

// SetWriteDeadline sets the deadline of Write; one that moves while a
// Write waits applies to it.
func (s *ServerStream) SetWriteDeadline(t time.Time) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	s.wdl = t
	if s.writing && !s.gone && (s.armed || !t.IsZero()) {
		s.rc.SetWriteDeadline(t)
		s.armed = !t.IsZero()
	}
	return nil
}

// remoteAddr is the client's address as net/http gives it.
func remoteAddr(s string) net.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return net.TCPAddrFromAddrPort(ap)
	}
	return stringAddr(s)
}

type stringAddr string

func (a stringAddr) Network() string { return "tcp" }
func (a stringAddr) String() string  { return string(a) }
