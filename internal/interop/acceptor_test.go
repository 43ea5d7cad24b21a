package interop

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// acceptor is a net/http server on loopback whose handler takes every
// request with ws.Accept and hands the Conn to the test; the bytes of its
// connections are counted, so that a test can tell compressed traffic.
type acceptor struct {
	url   string
	conns chan *ws.Conn
	errs  chan error // Accept's errors
	in    atomic.Int64
	out   atomic.Int64
}

// startAcceptor serves ws.Accept(opts) on loopback until the test ends.
func startAcceptor(t *testing.T, opts ...ws.Option) *acceptor {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &acceptor{url: "ws://" + ln.Addr().String(), conns: make(chan *ws.Conn, 1), errs: make(chan error, 1)}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, opts...)
		if err != nil {
			a.errs <- err
			return
		}
		a.conns <- c // the handler returns; the Conn lives on
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(&countingListener{Listener: ln, a: a})
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return a
}

// accept waits for the next Conn Accept opened, and closes it when the
// test ends.
func (a *acceptor) accept(t *testing.T) *ws.Conn {
	t.Helper()
	select {
	case c := <-a.conns:
		t.Cleanup(func() { c.Close() })
		return c
	case err := <-a.errs:
		t.Fatalf("Accept: %v", err)
	case <-time.After(testTimeout):
		t.Fatalf("no connection within %v", testTimeout)
	}
	return nil
}

// refused waits for Accept's error.
func (a *acceptor) refused(t *testing.T) error {
	t.Helper()
	select {
	case c := <-a.conns:
		c.Close()
		t.Fatal("Accept took a connection it should have refused")
	case err := <-a.errs:
		return err
	case <-time.After(testTimeout):
		t.Fatalf("no request within %v", testTimeout)
	}
	return nil
}

// countingListener counts the bytes its connections read and write.
type countingListener struct {
	net.Listener
	a *acceptor
}

func (l *countingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: nc, a: l.a}, nil
}

type countingConn struct {
	net.Conn
	a *acceptor
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.a.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.a.out.Add(int64(n))
	return n, err
}

// clientPlan tells a client peer (testdata/*/client.*) what to do; see
// their doc comments. Every message it receives it echoes.
type clientPlan struct {
	URL       string         `json:"url"`
	Protocols []string       `json:"protocols,omitempty"`
	Origin    string         `json:"origin,omitempty"`
	Deflate   *clientDeflate `json:"deflate"` // nil: no offer
	Fragments int            `json:"fragments,omitempty"`
	Ping      *string        `json:"ping,omitempty"` // hex
	Close     *clientClose   `json:"close,omitempty"`
}

// clientDeflate is the permessage-deflate offer a client peer makes.
type clientDeflate struct {
	Default                 bool `json:"default,omitempty"` // the library's own offer
	ServerNoContextTakeover bool `json:"server_no_context_takeover,omitempty"`
	ClientNoContextTakeover bool `json:"client_no_context_takeover,omitempty"`
	ServerMaxWindowBits     int  `json:"server_max_window_bits,omitempty"`
	// ClientMaxWindowBits is true (offered without a value) or 8 to 15;
	// nil leaves it out.
	ClientMaxWindowBits any `json:"client_max_window_bits,omitempty"`
}

// clientClose has the client close with Code and Reason after echoing
// After messages.
type clientClose struct {
	After  int    `json:"after"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// runClient starts the client peer with the plan; it runs until it has
// closed, or the test ends.
func runClient(t *testing.T, spec peerSpec, plan clientPlan) *peer {
	t.Helper()
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	p, line := launchPeer(t, spec, []string{string(b)})
	if line != "client" {
		t.Fatalf("client %s printed %q first, not \"client\"", spec.name, line)
	}
	return p
}

// event waits for the client's first report of the event, or fails the
// test on an error it reports first.
func (p *peer) event(t *testing.T, event string) report {
	t.Helper()
	r := p.waitFor(t, event, func(r report) bool { return r.Event == event || r.Event == "error" })
	if r.Event != event {
		t.Fatalf("client %s reported %+v, waiting for %s", p.name, r, event)
	}
	return r
}

// recvClose receives until c's peer closes, and returns its close.
func recvClose(t *testing.T, c *ws.Conn) *ws.CloseError {
	t.Helper()
	_, err := c.RecvTimeout(testTimeout)
	var ce *ws.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Recv: %v, want the client's close", err)
	}
	return ce
}
