package conformance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/h2"
	"golang.org/x/net/http/httpguts"
)

// StreamServer is Server over HTTP/2 (RFC 8441): an h2c server on
// 127.0.0.1, speaking HTTP/2 with prior knowledge (RFC 9113 section
// 3.3), that answers one extended CONNECT with 200 and runs a script on
// its stream, the stream standing for the TCP connection: the script's
// bytes go in DATA frames, the client's come from its DATA frames, and
// the end of the connection is the stream's (see streamEnd). It is Go's
// net/http server, which offers extended CONNECT (SETTINGS_ENABLE_CONNECT_
// PROTOCOL) only in a process started with GODEBUG=http2xconnect=1 (see
// internal/xconnect): the client under test then refuses to connect.
//
// Its waits: the handler waits for the script, or for a CloseWrite step
// to end the stream; Wait and Close wait for the script as Server's do.
type StreamServer struct {
	hs *http.Server
	ln net.Listener

	mu      sync.Mutex
	taken   bool             // a stream is being served, or was
	stopped bool             // Close was called
	st      *h2.ServerStream // the stream being served, once answered

	done chan struct{} // closed when the script has ended; err is set
	err  error

	log lockedBuffer // the http.Server's ErrorLog
}

// lockedBuffer is a bytes.Buffer that the server's goroutines write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// settingsTimedOut reports whether the server dropped a connection for
// want of the client's first SETTINGS within its fixed 2 s.
func (s *StreamServer) settingsTimedOut() bool {
	return strings.Contains(s.log.String(), "timeout waiting for SETTINGS")
}

// ServeH2 is Serve over HTTP/2: the server answers one extended CONNECT
// for a WebSocket and runs script on its stream.
func ServeH2(timeout time.Duration, script ...Step) (*StreamServer, error) {
	return serveStream(timeout, func(r *http.Request, h http.Header) func(*Session) error {
		return func(s *Session) error { return runSession(s, (*Session).read, script) }
	})
}

// ServeDeflateH2 is ServeDeflate over HTTP/2: answer goes in the 200's
// Sec-WebSocket-Extensions header.
func ServeDeflateH2(timeout time.Duration, answer DeflateAnswer, script func(*Deflate) []Step) (*StreamServer, error) {
	return serveStream(timeout, func(r *http.Request, h http.Header) func(*Session) error {
		d := &Deflate{params: answer.Params, Offer: r.Header.Values("Sec-WebSocket-Extensions")}
		if answer.Header != "" {
			// An answer written for HTTP/1.1 may hold several header
			// lines; on HTTP/2 each is a field of its own.
			d.Answer = strings.Split(answer.Header, "\r\nSec-WebSocket-Extensions: ")
		}
		for _, v := range d.Answer {
			if !httpguts.ValidHeaderFieldValue(v) {
				// net/http would leave it out of the 200 without a word.
				return func(*Session) error { return fmt.Errorf("handshake: %q cannot be sent on HTTP/2", v) }
			}
			h.Add("Sec-WebSocket-Extensions", v)
		}
		return func(s *Session) error { return d.run(s, script) }
	})
}

// serveStream starts the server; answer, given the checked request and
// the 200's header to fill in, returns how to run the session.
func serveStream(timeout time.Duration, answer func(*http.Request, http.Header) func(*Session) error) (*StreamServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &StreamServer{ln: ln, done: make(chan struct{})}
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, timeout, answer) }),
		Protocols:         protocols,
		ReadHeaderTimeout: timeout,
		ErrorLog:          log.New(&s.log, "", 0),
	}
	go s.hs.Serve(ln)
	return s, nil
}

// URL returns the ws:// URL of the server.
func (s *StreamServer) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

// serve serves the first request that comes, and refuses the others.
func (s *StreamServer) serve(w http.ResponseWriter, r *http.Request, timeout time.Duration, answer func(*http.Request, http.Header) func(*Session) error) {
	s.mu.Lock()
	first := !s.taken && !s.stopped
	s.taken = true
	s.mu.Unlock()
	if !first {
		http.Error(w, "conformance: one stream per server", http.StatusServiceUnavailable)
		return
	}
	if err := checkConnect(r); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		s.end(err)
		return
	}
	run := answer(r, w.Header())
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(timeout))
	w.WriteHeader(http.StatusOK)
	// A client that refuses the answer may reset the stream before the
	// flush knows the 200 went out; the script then sees the reset.
	if err := rc.Flush(); err != nil && r.Context().Err() == nil {
		s.end(fmt.Errorf("handshake: send the 200: %w", err))
		return
	}
	rc.SetWriteDeadline(time.Time{})

	st := h2.NewServerStream(w, r)
	s.mu.Lock()
	s.st = st
	if s.stopped {
		st.Close()
	}
	s.mu.Unlock()
	e := &streamEnd{st: st, ctx: r.Context(), now: make(chan struct{})}
	sess := newSession(st, bufio.NewReader(st), timeout, AsServer)
	sess.stream = e
	go func() { s.end(run(sess)) }()
	// The handler returns, which ends the stream, once the script has
	// closed it, at its end or at a CloseWrite step: h2.ServerStream's
	// rule.
	select {
	case <-s.done:
	case <-e.now:
	}
}

// end records the script's outcome.
func (s *StreamServer) end(err error) {
	s.err = err
	close(s.done)
}

// checkConnect checks the client's extended CONNECT (RFC 8441 sections 4
// and 5): the :protocol of a WebSocket, version 13, and none of the
// HTTP/1.1 handshake's headers.
func checkConnect(r *http.Request) error {
	switch {
	case r.ProtoMajor != 2 || r.Method != http.MethodConnect:
		return fmt.Errorf("handshake: %s over %s, want an HTTP/2 CONNECT", r.Method, r.Proto)
	case r.Header.Get(":protocol") != "websocket":
		return fmt.Errorf("handshake: :protocol %q, want websocket", r.Header.Get(":protocol"))
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return fmt.Errorf("handshake: Sec-WebSocket-Version %q", r.Header.Get("Sec-WebSocket-Version"))
	case r.Header.Get("Sec-WebSocket-Key") != "" || r.Header.Get("Upgrade") != "" || r.Header.Get("Connection") != "":
		return fmt.Errorf("handshake: HTTP/1.1 upgrade headers on an HTTP/2 stream: %v", r.Header)
	}
	return nil
}

// Wait returns the outcome of the script, as Server's Wait does.
func (s *StreamServer) Wait(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.done:
		return s.err
	case <-t.C:
		s.Close()
		return fmt.Errorf("conformance: the script did not end within %v (%v)", d, s.err)
	}
}

// Close stops the server: no more streams, the one being served is
// closed, which ends its script, and the HTTP/2 connection too. It
// returns once the script has ended, if one was started.
func (s *StreamServer) Close() {
	s.mu.Lock()
	s.stopped = true
	taken := s.taken
	if s.st != nil {
		s.st.Close()
	}
	s.mu.Unlock()
	s.hs.Close()
	if taken {
		<-s.done
	}
}

// streamEnd is what a Session on an HTTP/2 stream knows of the stream's
// end, which stands for the TCP connection's. The client ends its side
// with END_STREAM (the body's io.EOF) or with RST_STREAM, or by closing
// the connection (both cancel the request's context). The server can end
// its side only by the handler's return, which net/http follows with
// END_STREAM and, the client's side being still open, RST_STREAM
// NO_ERROR (RFC 9113 section 8.1): there is no half-close that keeps
// reading.
type streamEnd struct {
	st  *h2.ServerStream
	ctx context.Context // the request's
	now chan struct{}   // closed by end: the handler returns

	once  sync.Once
	ended bool // end was called: our side has ended the stream
}

// end ends the stream from the script's side: what a TCP server's
// CloseWrite does, but for both ways.
func (e *streamEnd) end() {
	e.st.Close()
	e.once.Do(func() { close(e.now) })
	e.ended = true
}

// peerEnded reports whether err, the end of reading the stream, is the
// client's doing: END_STREAM, or a reset of the stream or of the
// connection. Our own end counts: after it there is nothing to read.
func (e *streamEnd) peerEnded(err error) bool {
	return err == io.EOF || e.reset() || e.ended
}

// reset reports whether the client has reset the stream or closed the
// connection (net/http cancels the request's context for both), or the
// handler has returned.
func (e *streamEnd) reset() bool { return e.ctx.Err() != nil }
