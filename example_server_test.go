package ws_test

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/hackney-go/ws"
)

// The servers the examples talk to. They live here so that each example's
// body reads like the guide: one line starts a server on 127.0.0.1, a
// deferred stop shuts it down. Each is an http.Handler that takes the
// connection with ws.Accept, as a program's own server would, and serves
// it with the Conn's Recv, Send and CloseWith; only wrongProtocolServer,
// which must break the protocol, writes its answer by hand.

// exampleTimeout bounds every wait of an example: a server drops all its
// connections after it, which ends whatever a client was waiting for.
const exampleTimeout = 10 * time.Second

// httpServer is an httptest server that also waits, on stop, for the
// handlers of connections it hijacked, which httptest no longer tracks.
type httpServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	stopped bool
	conns   map[io.Closer]struct{}
	wg      sync.WaitGroup
	wd      *time.Timer
}

func newHTTPServer() *httpServer { return &httpServer{conns: map[io.Closer]struct{}{}} }

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

// track registers a connection for dropAll; the returned func forgets it.
func (s *httpServer) track(c io.Closer) (forget func()) {
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}
}

// dropAll closes every connection tracked, outside the lock: a
// WebSocket's Close may wait for the client's answer.
func (s *httpServer) dropAll() {
	s.mu.Lock()
	conns := make([]io.Closer, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
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

// startWS serves WebSocket connections, accepted with opts, with handle,
// which gets each Conn and the request that opened it and owns the Conn
// until it returns: then it is closed.
func startWS(useTLS bool, handle func(conn *ws.Conn, r *http.Request), opts ...ws.Option) *httpServer {
	s := newHTTPServer()
	return s.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := ws.Accept(w, r, opts...)
		if err != nil {
			return // Accept has answered the request
		}
		defer conn.Close()
		defer s.track(conn)()
		handle(conn, r)
	}), useTLS)
}

// echo sends every message back until the connection ends. The Conn
// answers pings, and the client's close, on its own.
func echo(conn *ws.Conn, _ *http.Request) {
	for {
		f, err := conn.Recv()
		if err != nil {
			return
		}
		if conn.Send(f) != nil {
			return
		}
	}
}

// echoServer echoes every message and answers every ping.
func echoServer() (url string, stop func()) {
	s := startWS(false, echo)
	return s.url(), s.stop
}

// tlsEchoServer is echoServer on wss://, accepting with opts, with the
// pool that trusts its certificate.
func tlsEchoServer(opts ...ws.Option) (url string, certs *x509.CertPool, stop func()) {
	s := startWS(true, echo, opts...)
	certs = x509.NewCertPool()
	certs.AddCert(s.srv.Certificate())
	return s.url(), certs, s.stop
}

// whoAmIServer speaks the protocols given; it first tells each client the
// Authorization header it sent, then echoes.
func whoAmIServer(protocols ...string) (url string, stop func()) {
	s := startWS(false, func(conn *ws.Conn, r *http.Request) {
		conn.Send(ws.Text("Authorization: " + r.Header.Get("Authorization")))
		echo(conn, r)
	}, ws.Protocols(protocols...))
	return s.url(), s.stop
}

// A step is what a scriptServer does next on a connection.
type step func(conn *ws.Conn) error

// The steps of a scriptServer: send a frame, or close.
func text(s string) step   { return send(ws.Text(s)) }
func binary(b []byte) step { return send(ws.Binary(b)) }
func ping(s string) step   { return send(ws.Ping([]byte(s))) }
func pong(s string) step   { return send(ws.Pong([]byte(s))) }
func send(f ws.Frame) step { return func(conn *ws.Conn) error { return conn.Send(f) } }
func closing(code ws.CloseCode, reason string) step {
	return func(conn *ws.Conn) error { return conn.CloseWith(code, reason) }
}

// scriptServer takes these steps on each connection as soon as it opens,
// then echoes until the client closes, if the last step did not close.
func scriptServer(steps ...step) (url string, stop func()) {
	s := startWS(false, func(conn *ws.Conn, r *http.Request) {
		for _, step := range steps {
			if step(conn) != nil {
				return
			}
		}
		echo(conn, r)
	})
	return s.url(), s.stop
}

// closeReportingServer echoes, and reports on closes the close frame
// each client ends with, as `code "reason"`; a connection that ends
// without a close frame reports "no close frame".
func closeReportingServer() (url string, closes <-chan string, stop func()) {
	ch := make(chan string, 1)
	s := startWS(false, func(conn *ws.Conn, _ *http.Request) {
		for {
			f, err := conn.Recv()
			var closed *ws.CloseError
			switch {
			case errors.As(err, &closed):
				// The Conn has answered it already.
				ch <- fmt.Sprintf("%d %q", uint16(closed.Code), closed.Reason)
				return
			case err != nil:
				ch <- "no close frame"
				return
			}
			conn.Send(f)
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
	members := map[*ws.Conn]struct{}{}
	s := newHTTPServer()
	s.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		// A member that stops reading holds a broadcast up for a second
		// at most, then fails its Send.
		conn, err := ws.Accept(w, r, ws.SendTimeout(time.Second))
		if err != nil {
			mu.Unlock()
			return
		}
		members[conn] = struct{}{}
		mu.Unlock()
		defer conn.Close()
		defer s.track(conn)()
		defer func() {
			mu.Lock()
			delete(members, conn)
			mu.Unlock()
		}()
		for {
			f, err := conn.Recv()
			switch {
			case err != nil:
				return
			case f.Text() == "/quit":
				conn.CloseWith(ws.CloseNormal, "bye")
				return
			case f.Kind == ws.TextFrame:
				mu.Lock()
				for m := range members {
					m.Send(f)
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
// picks a subprotocol, "chat", whatever the client offered: a server that
// misbehaves, so it writes its 101 by hand, as Accept never would.
func wrongProtocolServer() (url string, stop func()) {
	s := newHTTPServer()
	s.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer s.track(nc)()
		defer nc.Close()
		// The accept value of RFC 6455 section 4.2.2.
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+base64.StdEncoding.EncodeToString(sum[:])+"\r\n"+
			"Sec-WebSocket-Protocol: chat\r\n\r\n")
		// Wait for the client to hang up, as it must.
		io.Copy(io.Discard, nc)
	}), false)
	return s.url(), s.stop
}

// tickerServer answers each client's "subscribe" with "tick", then goes
// down for a restart: it closes with 1012 (service restart).
func tickerServer() (url string, stop func()) {
	s := startWS(false, func(conn *ws.Conn, _ *http.Request) {
		for {
			f, err := conn.Recv()
			if err != nil {
				return
			}
			if f.Text() == "subscribe" {
				break
			}
		}
		conn.Send(ws.Text("tick"))
		conn.CloseWith(ws.CloseServiceRestart, "restart")
	})
	return s.url(), s.stop
}

// originServer tells each client the Origin header it sent, then echoes.
// It takes the origin of the pages of app.example.
func originServer() (url string, stop func()) {
	s := startWS(false, func(conn *ws.Conn, r *http.Request) {
		conn.Send(ws.Text("Origin: " + r.Header.Get("Origin")))
		echo(conn, r)
	}, ws.OriginPatterns("app.example"))
	return s.url(), s.stop
}
