// Package embedded is the WebSocket server that ws serve and ws demo run
// on loopback: an echo service, a chat room that broadcasts every message
// to every client, and a guard that refuses upgrades without a bearer
// token. It is built on internal/server, the same protocol core as the
// client, and tracks its connections so that stopping it closes each one
// with 1001 (going away) as RFC 6455 section 7.4.1 describes.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/server"
)

// writeTimeout bounds one write to a client: a client that does not read
// is dropped rather than allowed to stall the goroutine writing to it.
const writeTimeout = 5 * time.Second

// Server serves WebSocket handlers and keeps track of their connections.
// Set its fields before the first connection.
type Server struct {
	// Options are the upgrade options of every handler.
	Options server.Options
	// Logf, when set, receives one line per connection, close and refusal.
	Logf func(format string, args ...any)

	mu       sync.Mutex
	clients  map[*client]struct{}
	nextID   int
	stopping bool
	active   sync.WaitGroup // one per upgraded connection
	http     *http.Server
	served   chan struct{} // closed when the http.Server's Serve returned
}

// client is one upgraded connection.
type client struct {
	id    int
	conn  *server.Conn
	start time.Time
	in    atomic.Int64 // messages received

	wmu       sync.Mutex
	closeSent bool // our close frame is out: nothing may follow it (section 5.5.1)
	goingAway bool // the close frame was the server's 1001
}

// errCloseSent refuses a write after the close frame.
var errCloseSent = errors.New("close frame already sent")

// write sends one frame, or drops the client if it cannot take it.
func (c *client) write(op proto.Opcode, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return errCloseSent
	}
	c.conn.NetConn().SetWriteDeadline(time.Now().Add(writeTimeout))
	err := c.conn.WriteFrame(op, payload)
	if err != nil {
		c.conn.Close()
	}
	return err
}

// sendClose sends a close frame unless one was sent already, and reports
// whether it did.
func (c *client) sendClose(payload []byte, goingAway bool) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return false
	}
	c.closeSent, c.goingAway = true, goingAway
	c.conn.NetConn().SetWriteDeadline(time.Now().Add(writeTimeout))
	if c.conn.WriteFrame(proto.OpClose, payload) != nil {
		c.conn.Close()
	}
	return true
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

// Shutdown stops accepting connections, closes every open one with 1001
// (going away) and waits, until ctx is done, for the clients to answer;
// connections still open then are cut. It reports how many connections it
// closed; calling it again closes those that came meanwhile, if any.
func (s *Server) Shutdown(ctx context.Context) (int, error) {
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
	s.mu.Unlock()
	goAway, _ := proto.AppendClose(nil, uint16(ws.CloseGoingAway), "server shutting down")
	for _, c := range open {
		c.sendClose(goAway, true)
	}
	done := make(chan struct{})
	go func() {
		s.active.Wait()
		close(done)
	}()
	select {
	case <-done:
		return len(open), nil
	case <-ctx.Done():
	}
	for _, c := range open {
		c.conn.Close()
	}
	<-done
	return len(open), fmt.Errorf("some clients did not answer the close frame: %w", ctx.Err())
}

// service is what a handler does with its connections: join and leave,
// when set, run before the connection is logged as connected and after it
// ended; message gets each message received.
type service struct {
	kind    string
	join    func(*client)
	leave   func(*client)
	message func(*client, proto.Frame)
}

// handle upgrades a request and runs svc on the connection.
func (s *Server) handle(svc service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := server.Upgrade(w, r, s.Options)
		if err != nil {
			s.logf("%s refused %s: %v", r.RemoteAddr, r.URL.RequestURI(), err)
			return
		}
		c, ok := s.add(conn)
		if !ok {
			goAway, _ := proto.AppendClose(nil, uint16(ws.CloseGoingAway), "server shutting down")
			c.sendClose(goAway, true)
			conn.Close()
			return
		}
		// Shutdown waits for remove: the connection is closed by then.
		defer s.remove(c)
		defer conn.Close()
		if svc.join != nil {
			svc.join(c)
		}
		sub := ""
		if conn.Subprotocol != "" {
			sub = ", subprotocol " + conn.Subprotocol
		}
		s.logf("#%d %s connected to %s %s%s", c.id, r.RemoteAddr, svc.kind, r.URL.RequestURI(), sub)
		end := serveFrames(c, svc.message)
		if svc.leave != nil {
			svc.leave(c)
		}
		s.logf("#%d %s after %v, %s received", c.id, end, roughly(time.Since(c.start)), plural(c.in.Load(), "message"))
	})
}

// add registers a connection; ok is false once Shutdown has started.
func (s *Server) add(conn *server.Conn) (c *client, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c = &client{id: s.nextID, conn: conn, start: time.Now()}
	if s.stopping {
		return c, false
	}
	if s.clients == nil {
		s.clients = map[*client]struct{}{}
	}
	s.clients[c] = struct{}{}
	s.active.Add(1)
	return c, true
}

func (s *Server) remove(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
	s.active.Done()
}

// serveFrames reads c's frames until the close handshake or an error,
// answering pings and passing messages to onMessage. It returns how the
// connection ended.
func serveFrames(c *client, onMessage func(*client, proto.Frame)) string {
	for {
		f, err := c.conn.ReadFrame()
		if err != nil {
			return describeReadError(c, err)
		}
		switch f.Op {
		case proto.OpPing:
			c.write(proto.OpPong, f.Payload)
		case proto.OpPong:
		case proto.OpClose:
			return answerClose(c, f.Payload)
		default:
			c.in.Add(1)
			onMessage(c, f)
		}
	}
}

// answerClose echoes the client's close code (section 5.5.1) unless the
// frame answers the server's own close.
func answerClose(c *client, payload []byte) string {
	code, reason, _ := proto.ParseClose(payload) // ReadFrame checked it
	got := closeText(code, reason)
	echo := payload
	if len(echo) > 2 {
		echo = echo[:2]
	}
	if c.sendClose(echo, false) {
		return "closed by client: " + got
	}
	c.wmu.Lock()
	goingAway := c.goingAway
	c.wmu.Unlock()
	if goingAway {
		return "closed with 1001 (server shutting down); client answered " + got
	}
	return "closed by server; client answered " + got
}

func describeReadError(c *client, err error) string {
	var v *proto.Violation
	if errors.As(err, &v) {
		return fmt.Sprintf("failed: protocol violation by client: %s (sent close %d)", v.Reason, v.Code)
	}
	c.wmu.Lock()
	sent := c.closeSent
	c.wmu.Unlock()
	if sent {
		return "cut while closing: " + err.Error()
	}
	return "ended without a close frame: " + err.Error()
}

func closeText(code uint16, reason string) string {
	s := ws.CloseCode(code).String()
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
