// Package embedded is the WebSocket server that ws serve and ws demo run
// on loopback: an echo service, a chat room that broadcasts every message
// to every client, a bridge to a process per connection (Exec), a guard
// that refuses upgrades without a bearer token, and a directory of files
// served beside the WebSocket endpoint (Static). It is built on ws.Accept,
// the library's server side, and tracks its connections so that stopping
// it closes each one with 1001 (going away) as RFC 6455 section 7.4.1
// describes.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ws "github.com/hackney-go/ws"
)

// The bounds of the server's waits:
//   - writeTimeout bounds one send to a client: a client that does not
//     read is dropped rather than allowed to stall the goroutine sending
//     to it (the chat room's sender, an echo's or an Exec's reader).
//   - closeTimeout bounds a close handshake, and so Shutdown, which runs
//     one on every connection at once; it is the CloseTimeout of the
//     Conns, unless the Server's Options set another.
const (
	writeTimeout = 5 * time.Second
	closeTimeout = 3 * time.Second
)

// Server serves WebSocket handlers and keeps track of their connections.
// Set its fields before the first connection.
type Server struct {
	// Options are the options of every Accept: Protocols, Compression,
	// MaxMessageSize, OriginPatterns...
	Options []ws.Option
	// Logf, when set, receives one line per connection, close and refusal.
	Logf func(format string, args ...any)

	mu       sync.Mutex
	clients  map[*client]struct{}
	nextID   int
	stopping bool
	live     int                    // handlers running, counted from their start
	idle     chan struct{}          // closed by the last handler once stopping
	procs    map[*exec.Cmd]struct{} // the processes of Exec
	http     *http.Server
	served   chan struct{} // closed when the http.Server's Serve returned
}

// Causes of a client's context being canceled: the owner of the Conn then
// closes it with the code they name.
var (
	errShutdown = errors.New("server shutting down")
	errTooSlow  = fmt.Errorf("did not take a message within %v", writeTimeout)
)

// client is one upgraded connection. Its Conn is owned by the handler
// that accepted it, which alone closes it; other goroutines may send on
// it (the chat room) and cancel its context to make the owner close it.
type client struct {
	id     int
	conn   *ws.Conn
	start  time.Time
	in     atomic.Int64 // messages received
	ctx    context.Context
	cancel context.CancelCauseFunc
	// unanswered is set when the server's close frame got no answer.
	unanswered atomic.Bool
}

// send sends f to the client within writeTimeout, or until its context is
// canceled. A client that could not take it in time is dropped.
func (c *client) send(f ws.Frame) error {
	// SendContext's bound is its context's alone (not SendTimeout's).
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	err := c.conn.SendContext(ctx, f)
	if errors.Is(err, ws.ErrTimeout) {
		c.cancel(errTooSlow)
	}
	return err
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// Listen serves h on addr ("127.0.0.1:0" picks a free port; "unix:PATH"
// listens on a Unix socket) until Shutdown, and returns the address it
// listens on.
func (s *Server) Listen(addr string, h http.Handler) (net.Addr, error) {
	network := "tcp"
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, addr = "unix", path
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	s.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		s.http.Serve(ln)
	}()
	return ln.Addr(), nil
}

// Shutdown stops accepting connections, has every open one closed with
// 1001 (going away) by its handler, and waits for the handlers to end:
// each within closeTimeout of its close handshake, an Exec's after its
// process too (see Exec). It reports how many connections it closed, and
// an error if some clients did not answer the close frame.
func (s *Server) Shutdown() (int, error) {
	if s.http != nil {
		s.http.Close() // hijacked connections are ours, not the http.Server's
		<-s.served
	}
	s.mu.Lock()
	s.stopping = true
	open := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		open = append(open, c)
	}
	var idle chan struct{}
	if s.live > 0 {
		s.idle = make(chan struct{})
		idle = s.idle
	}
	s.mu.Unlock()
	for _, c := range open {
		c.cancel(errShutdown)
	}
	if idle != nil {
		<-idle
	}
	unanswered := 0
	for _, c := range open {
		if c.unanswered.Load() {
			unanswered++
		}
	}
	if unanswered > 0 {
		return len(open), fmt.Errorf("%d of %d clients did not answer the close frame", unanswered, len(open))
	}
	return len(open), nil
}

// service is what a handler does with its connections: join and leave,
// when set, run before the connection is logged as connected and after it
// ended; serve runs the connection until it ends, and says how.
type service struct {
	kind  string
	join  func(*client)
	leave func(*client)
	serve func(*client) string
}

// handle accepts a request's upgrade and runs svc on the connection.
func (s *Server) handle(svc service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.enter() {
			http.Error(w, "server shutting down", http.StatusServiceUnavailable)
			return
		}
		defer s.leave()
		opts := append([]ws.Option{ws.CloseTimeout(closeTimeout)}, s.Options...)
		conn, err := ws.Accept(w, r, opts...)
		if err != nil {
			s.logf("%s refused %s: %v", r.RemoteAddr, r.URL.RequestURI(), err)
			return
		}
		c := s.add(conn)
		defer s.remove(c)
		defer conn.Close()
		if svc.join != nil {
			svc.join(c)
		}
		var extra string
		if p := conn.Subprotocol(); p != "" {
			extra = ", subprotocol " + p
		}
		if d, ok := conn.Compression(); ok {
			extra += fmt.Sprintf(", permessage-deflate (client %s, server %s)", window(d.ClientMaxWindowBits, d.ClientNoContextTakeover), window(d.ServerMaxWindowBits, d.ServerNoContextTakeover))
		}
		s.logf("#%d %s connected to %s %s%s", c.id, r.RemoteAddr, svc.kind, r.URL.RequestURI(), extra)
		end := svc.serve(c)
		if svc.leave != nil {
			svc.leave(c)
		}
		s.logf("#%d %s after %v, %s received", c.id, end, roughly(time.Since(c.start)), plural(c.in.Load(), "message"))
	})
}

// enter counts a handler in, unless the server is stopping.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.live++
	return true
}

// leave counts a handler out, and lets Shutdown return after the last.
func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live--
	if s.live == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// add registers a connection. One accepted while Shutdown starts is
// registered too: its context is canceled at once.
func (s *Server) add(conn *ws.Conn) *client {
	ctx, cancel := context.WithCancelCause(context.Background())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := &client{id: s.nextID, conn: conn, start: time.Now(), ctx: ctx, cancel: cancel}
	if s.stopping {
		cancel(errShutdown)
	}
	if s.clients == nil {
		s.clients = map[*client]struct{}{}
	}
	s.clients[c] = struct{}{}
	return c
}

func (s *Server) remove(c *client) {
	c.cancel(nil)
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
}

// serveMessages receives c's messages until the connection ends or c's
// context is canceled, passing each to onMessage, and returns how the
// connection ended. Pings are answered by the Conn.
func serveMessages(c *client, onMessage func(*client, ws.Frame) error) string {
	for {
		f, err := c.conn.RecvContext(c.ctx)
		if err == nil {
			c.in.Add(1)
			err = onMessage(c, f)
		}
		if err != nil {
			return c.finish(err)
		}
	}
}

// finish ends the connection of c after err, closing it if the server
// wants it closed (c's context canceled) and it is still open, and says
// how it ended.
func (c *client) finish(err error) string {
	if cause := context.Cause(c.ctx); cause != nil && !errors.Is(err, ws.ErrClosed) {
		code := ws.ClosePolicyViolation
		if cause == errShutdown {
			code = ws.CloseGoingAway
		}
		return c.closeWith(code, cause.Error())
	}
	return describe(err)
}

// closeWith closes c's connection with code and reason and says so.
func (c *client) closeWith(code ws.CloseCode, reason string) string {
	what := fmt.Sprintf("closed with %s", closeText(code, reason))
	if err := c.conn.CloseWith(code, reason); err != nil {
		c.unanswered.Store(true)
		return what + "; the client did not answer: " + err.Error()
	}
	return what + "; the client answered"
}

// describe says how a connection ended, from the error that ended it.
func describe(ended error) string {
	var ce *ws.CloseError
	switch {
	case errors.As(ended, &ce) && ce.Code == ws.CloseAbnormal:
		if ce.Err != nil {
			return "ended without a close frame: " + ce.Err.Error()
		}
		return "ended without a close frame"
	case errors.As(ended, &ce):
		return "closed by client: " + closeText(ce.Code, ce.Reason)
	case errors.As(ended, new(*ws.ProtocolError)), errors.As(ended, new(*ws.InvalidUTF8Error)), errors.As(ended, new(*ws.MessageTooBigError)):
		return "failed: " + strings.TrimPrefix(ended.Error(), "ws: ")
	}
	return "ended: " + strings.TrimPrefix(ended.Error(), "ws: ")
}

// window describes one direction's compression for the log.
func window(bits int, noTakeover bool) string {
	if noTakeover {
		return fmt.Sprintf("%d-bit window, no context takeover", bits)
	}
	return fmt.Sprintf("%d-bit window", bits)
}

func closeText(code ws.CloseCode, reason string) string {
	s := code.String()
	if reason != "" {
		s += fmt.Sprintf(" %q", reason)
	}
	return s
}

// roughly rounds a duration for the log: to the microsecond under a
// millisecond, else to the millisecond.
func roughly(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
