package server

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
)

// acceptStream answers an extended CONNECT with 200 (RFC 8441 section 5)
// and serves the WebSocket on its HTTP/2 stream. The handler must not
// return before the Conn is closed: its return ends the stream.
func acceptStream(w http.ResponseWriter, r *http.Request, o Options, chosen, extensions string, params *deflate.Params) (*Conn, error) {
	h := w.Header()
	if chosen != "" {
		h.Set("Sec-WebSocket-Protocol", chosen)
	}
	if extensions != "" {
		h.Set("Sec-WebSocket-Extensions", extensions)
	}
	for name, values := range o.Header {
		h[name] = append(h[name], values...)
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return nil, fmt.Errorf("server: flush 200: %w", err)
	}
	laddr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	st := &stream{r: r, w: w, rc: rc, laddr: laddr, raddr: stringAddr(r.RemoteAddr)}
	return newConn(r, o, chosen, params, st, make([]byte, 0, 16<<10)), nil
}

// stream is the server's end of an HTTP/2 stream as a net.Conn: the
// request's body is read, the response written and flushed at once.
// Its deadlines are the stream's (http.ResponseController); Close ends
// the request's body, and the handler's return the stream.
type stream struct {
	r     *http.Request
	w     http.ResponseWriter
	rc    *http.ResponseController
	laddr net.Addr
	raddr net.Addr

	wmu sync.Mutex
}

func (s *stream) Read(p []byte) (int, error) { return s.r.Body.Read(p) }

func (s *stream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := s.w.Write(p)
	if err == nil {
		err = s.rc.Flush()
	}
	return n, err
}

func (s *stream) Close() error                       { return s.r.Body.Close() }
func (s *stream) LocalAddr() net.Addr                { return s.laddr }
func (s *stream) RemoteAddr() net.Addr               { return s.raddr }
func (s *stream) SetReadDeadline(t time.Time) error  { return s.rc.SetReadDeadline(t) }
func (s *stream) SetWriteDeadline(t time.Time) error { return s.rc.SetWriteDeadline(t) }
func (s *stream) SetDeadline(t time.Time) error {
	if err := s.rc.SetReadDeadline(t); err != nil {
		return err
	}
	return s.rc.SetWriteDeadline(t)
}

// stringAddr is the client's address as the request gives it.
type stringAddr string

func (a stringAddr) Network() string { return "tcp" }
func (a stringAddr) String() string  { return string(a) }
