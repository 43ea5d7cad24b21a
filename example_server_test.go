package ws_test

import (
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/server"
)

// The servers the examples talk to. They live here so that each example's
// body reads like the guide: one line starts a server on 127.0.0.1, a
// deferred stop shuts it down.

// exampleTimeout bounds every wait of an example: a server drops all its
// connections after it, which ends whatever a client was waiting for.
const exampleTimeout = 10 * time.Second

// httpServer is an httptest server that also waits, on stop, for the
// handlers of connections it hijacked, which httptest no longer tracks.
type httpServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	stopped bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
	wd      *time.Timer
}

func newHTTPServer() *httpServer { return &httpServer{conns: map[net.Conn]struct{}{}} }

// start serves h. A handler that needs s gets it from newHTTPServer, before
// start: the handler goroutines then see it without a data race.
func (s *httpServer) start(h http.Handler, useTLS bool) *httpServer {
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		h.ServeHTTP(w, r)
	}))
	if useTLS {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.wd = time.AfterFunc(exampleTimeout, s.dropAll)
	return s
}

// url is the server's address as a ws:// or wss:// URL.
func (s *httpServer) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") }

// track registers a hijacked connection for dropAll; the returned func
// forgets it.
func (s *httpServer) track(nc net.Conn) (forget func()) {
	s.mu.Lock()
	s.conns[nc] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.conns, nc)
		s.mu.Unlock()
	}
}

func (s *httpServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc := range s.conns {
		nc.Close()
	}
}

// stop shuts the server down and returns once every handler has.
func (s *httpServer) stop() {
	s.wd.Stop()
	s.srv.Close()
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.dropAll()
	s.wg.Wait()
}

// startWS serves WebSocket connections with handle, which owns the
// connection until it returns.
func startWS(o server.Options, useTLS bool, handle func(*server.Conn)) *httpServer {
	s := newHTTPServer()
	return s.start(server.Handler(o, func(c *server.Conn) {
		defer s.track(c.NetConn())()
		handle(c)
	}), useTLS)
}

// echoServer echoes every message and answers every ping.
func echoServer() (url string, stop func()) {
	s := startWS(server.Options{}, false, func(c *server.Conn) { server.Echo(c) })
	return s.url(), s.stop
}

// tlsEchoServer is echoServer on wss://, with the pool that trusts its
// certificate.
func tlsEchoServer(o server.Options) (url string, certs *x509.CertPool, stop func()) {
	s := startWS(o, true, func(c *server.Conn) { server.Echo(c) })
	certs = x509.NewCertPool()
	certs.AddCert(s.srv.Certificate())
	return s.url(), certs, s.stop
}

// whoAmIServer speaks the protocols given; it first tells each client the
// Authorization header it sent, then echoes.
func whoAmIServer(protocols ...string) (url string, stop func()) {
	s := startWS(server.Options{Protocols: protocols}, false, func(c *server.Conn) {
		c.WriteFrame(proto.OpText, []byte("Authorization: "+c.Request.Header.Get("Authorization")))
		server.Echo(c)
	})
	return s.url(), s.stop
}

// The frames a scriptServer sends.
func text(s string) proto.Frame   { return proto.Frame{Op: proto.OpText, Payload: []byte(s)} }
func binary(b []byte) proto.Frame { return proto.Frame{Op: proto.OpBinary, Payload: b} }
func ping(s string) proto.Frame   { return proto.Frame{Op: proto.OpPing, Payload: []byte(s)} }
func pong(s string) proto.Frame   { return proto.Frame{Op: proto.OpPong, Payload: []byte(s)} }
func closing(code uint16, reason string) proto.Frame {
	p, err := proto.AppendClose(nil, code, reason)
	if err != nil {
		panic(err)
	}
	return proto.Frame{Op: proto.OpClose, Payload: p}
}

// scriptServer sends frames to each client as soon as it connects. If the
// last is a close frame it then waits for the client's answer; otherwise
// it echoes until the client closes.
func scriptServer(frames ...proto.Frame) (url string, stop func()) {
	s := startWS(server.Options{}, false, func(c *server.Conn) {
		for _, f := range frames {
			if c.WriteFrame(f.Op, f.Payload) != nil {
				return
			}
		}
		if len(frames) > 0 && frames[len(frames)-1].Op == proto.OpClose {
			awaitClose(c)
			return
		}
		server.Echo(c)
	})
	return s.url(), s.stop
}

// awaitClose reads until the client's close frame and returns its
// payload; the server has sent its own close frame already.
func awaitClose(c *server.Conn) (payload []byte, err error) {
	for {
		f, err := c.ReadFrame()
		if err != nil {
			return nil, err
		}
		if f.Op == proto.OpClose {
			return f.Payload, nil
		}
	}
}

// closeReportingServer echoes, and reports on closes the close frame
// each client ends with, as `code "reason"`. The report is sent before the
// server answers the close, so it is there when the client's Close
// returns; a connection that ends without a close frame reports
// "no close frame".
func closeReportingServer() (url string, closes <-chan string, stop func()) {
	ch := make(chan string, 1)
	s := startWS(server.Options{}, false, func(c *server.Conn) {
		for {
			f, err := c.ReadFrame()
			if err != nil {
				ch <- "no close frame"
				return
			}
			switch f.Op {
			case proto.OpPing:
				c.WriteFrame(proto.OpPong, f.Payload)
			case proto.OpPong:
			case proto.OpClose:
				code, reason, _ := proto.ParseClose(f.Payload)
				ch <- fmt.Sprintf("%d %q", code, reason)
				c.WriteFrame(proto.OpClose, f.Payload[:min(len(f.Payload), 2)])
				return
			default:
				c.WriteFrame(f.Op, f.Payload)
			}
		}
	})
	return s.url(), ch, s.stop
}

// chatServer broadcasts every text message to every client connected,
// the sender included, in the order it receives them. A client that sends
// "/quit" is told goodbye with a close frame.
func chatServer() (url string, stop func()) {
	// mu serialises broadcasts, so that every client sees one order, and
	// is held from the 101 response to the client's joining, so that a
	// client whose Connect returned receives every later message.
	var mu sync.Mutex
	members := map[*server.Conn]struct{}{}
	s := newHTTPServer()
	s.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		c, err := server.Upgrade(w, r, server.Options{})
		if err != nil {
			mu.Unlock()
			return
		}
		members[c] = struct{}{}
		mu.Unlock()
		defer s.track(c.NetConn())()
		defer c.Close()
		defer func() {
			mu.Lock()
			delete(members, c)
			mu.Unlock()
		}()
		for {
			f, err := c.ReadFrame()
			if err != nil {
				return
			}
			switch {
			case f.Op == proto.OpPing:
				c.WriteFrame(proto.OpPong, f.Payload)
			case f.Op == proto.OpClose:
				c.WriteFrame(proto.OpClose, f.Payload[:min(len(f.Payload), 2)])
				return
			case f.Op == proto.OpText && string(f.Payload) == "/quit":
				c.CloseWith(1000, "bye")
				awaitClose(c)
				return
			case f.Op == proto.OpText:
				mu.Lock()
				for m := range members {
					m.WriteFrame(proto.OpText, f.Payload)
				}
				mu.Unlock()
			}
		}
	}), false)
	return s.url(), s.stop
}

// refusingServer answers every request with status and body, as a plain
// HTTP server that does not speak WebSocket at all.
func refusingServer(status int, body string) (url string, stop func()) {
	s := newHTTPServer().start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, body, status)
	}), false)
	return s.url(), s.stop
}

// silentServer accepts TCP connections and never answers: the kernel
// completes the TCP handshake on the listener's backlog, and nobody ever
// reads the upgrade request.
func silentServer() (url string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	return "ws://" + ln.Addr().String(), func() { ln.Close() }
}

// wrongProtocolServer completes the upgrade correctly except that it
// picks a subprotocol, "chat", whatever the client offered.
func wrongProtocolServer() (url string, stop func()) {
	s := newHTTPServer()
	s.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer s.track(nc)()
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+proto.AcceptKey(r.Header.Get("Sec-WebSocket-Key"))+"\r\n"+
			"Sec-WebSocket-Protocol: chat\r\n\r\n")
		// Wait for the client to hang up, as it must.
		io.Copy(io.Discard, nc)
	}), false)
	return s.url(), s.stop
}

// tickerServer answers each client's "subscribe" with "tick", then goes
// down for a restart: it closes with 1012 (service restart).
func tickerServer() (url string, stop func()) {
	s := startWS(server.Options{}, false, func(c *server.Conn) {
		for {
			f, err := c.ReadFrame()
			if err != nil {
				return
			}
			if f.Op == proto.OpClose {
				c.WriteFrame(proto.OpClose, f.Payload[:min(len(f.Payload), 2)])
				return
			}
			if f.Op == proto.OpText && string(f.Payload) == "subscribe" {
				break
			}
		}
		c.WriteFrame(proto.OpText, []byte("tick"))
		c.WriteFrame(proto.OpClose, closing(1012, "restart").Payload)
		awaitClose(c)
	})
	return s.url(), s.stop
}

// originServer tells each client the Origin header it sent, then echoes.
func originServer() (url string, stop func()) {
	s := startWS(server.Options{}, false, func(c *server.Conn) {
		c.WriteFrame(proto.OpText, []byte("Origin: "+c.Request.Header.Get("Origin")))
		server.Echo(c)
	})
	return s.url(), s.stop
}
