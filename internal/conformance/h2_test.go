package conformance

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

// Over HTTP/2: the same tables with the client's Conn on an HTTP/2
// stream (RFC 8441; h2c with prior knowledge, ws.HTTP2Require on a ws://
// URL) and the script on the stream's other end (StreamServer, Go's
// net/http server). The frames are the same bytes in DATA frames, so
// every frame rule holds as over TCP; what changes is the end of the
// connection, which is the stream's: the client ends its side with
// END_STREAM after the close frames, without waiting for the server
// (EndTCP), or resets the stream when it fails the connection
// (ExpectEOF), and the server's CloseWrite ends the stream both ways.

// carrier is what carries a case's connection: the scripted server to
// start, and the client's options that reach it.
type carrier struct {
	serve        func(time.Duration, ...Step) (scriptServer, error)
	serveDeflate func(time.Duration, DeflateAnswer, func(*Deflate) []Step) (scriptServer, error)
	opts         []ws.Option
}

// startAndConnect starts a case's server and connects to it with opts.
// Go's HTTP/2 server gives a new connection a fixed 2 s to process the
// client's first SETTINGS: a machine starved past that (the full scale
// under -race, beside other work) loses the connection before the case
// starts, which is no fault of the client, so that start is tried once
// more. Any other failure of Connect is the caller's to judge. The
// server is closed when the test ends.
func startAndConnect(t *testing.T, ctx context.Context, start func() (scriptServer, error), opts []ws.Option) (scriptServer, *ws.Conn, error) {
	for attempt := 1; ; attempt++ {
		srv, err := start()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		conn, err := ws.Connect(ctx, srv.URL(), opts...)
		if st, ok := srv.(*StreamServer); ok && err != nil && attempt == 1 && st.settingsTimedOut() {
			t.Logf("Connect: %v; the server gave up waiting for the client's SETTINGS: starting again", err)
			srv.Close()
			continue
		}
		return srv, conn, err
	}
}

// scriptServer is Server or StreamServer.
type scriptServer interface {
	URL() string
	Wait(time.Duration) error
	Close()
}

var (
	overTCP = carrier{
		serve: func(d time.Duration, script ...Step) (scriptServer, error) { return Serve(d, script...) },
		serveDeflate: func(d time.Duration, a DeflateAnswer, script func(*Deflate) []Step) (scriptServer, error) {
			return ServeDeflate(d, a, script)
		},
	}
	overH2 = carrier{
		serve: func(d time.Duration, script ...Step) (scriptServer, error) { return ServeH2(d, script...) },
		serveDeflate: func(d time.Duration, a DeflateAnswer, script func(*Deflate) []Step) (scriptServer, error) {
			return ServeDeflateH2(d, a, script)
		},
		opts: []ws.Option{ws.HTTP2(ws.HTTP2Require)},
	}
)

// TestH2Conformance runs the table of TestConformance over HTTP/2. At the
// default scale each case runs on one receive path, the paths taking the
// cases in turn (see runTable): the receive paths are the same code over
// any net.Conn, and TestConformance runs every case on each of them;
// WS_TEST_FULL=1 runs every case on every path here too.
func TestH2Conformance(t *testing.T) {
	runTable(t, "TestH2Conformance", cases(), func(c *clientCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: true}
	}, func(t *testing.T, a agent, c *clientCase) { runCaseOver(t, overH2, a, c) })
}

// TestH2DeflateConformance runs the table of TestDeflateConformance over
// HTTP/2, each case on one receive path at the default scale.
func TestH2DeflateConformance(t *testing.T) {
	runTable(t, "TestH2DeflateConformance", allDeflateCases(), func(c *deflateCase) caseInfo {
		return caseInfo{id: c.id, name: c.name, bug: c.bug, heavy: true}
	}, func(t *testing.T, a agent, c *deflateCase) { runDeflateCaseOver(t, overH2, a, c) })
}

// stalledConn writes the client's connection preface (RFC 9113 section
// 3.4) at once and holds back what follows it in the first Write, the
// client's SETTINGS, until ready says to go on, at most caseTimeout.
type stalledConn struct {
	net.Conn
	ready func() bool
	once  sync.Once
}

func (c *stalledConn) Write(p []byte) (int, error) {
	held := 0
	c.once.Do(func() {
		const preface = len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		if len(p) < preface {
			return
		}
		if _, err := c.Conn.Write(p[:preface]); err != nil {
			return
		}
		held = preface
		deadline := time.Now().Add(caseTimeout)
		for !c.ready() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	})
	n, err := c.Conn.Write(p[held:])
	return held + n, err
}

// TestH2SettingsTimeout: a client whose first SETTINGS comes after the
// server's fixed 2 s loses its connection; startAndConnect sees why in
// the server's log and starts the case again, once.
func TestH2SettingsTimeout(t *testing.T) {
	var (
		servers []*StreamServer
		dials   int
	)
	start := func() (scriptServer, error) {
		srv, err := ServeH2(caseTimeout, serverClose()...)
		if err == nil {
			servers = append(servers, srv)
		}
		return srv, err
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil || dials > 0 {
			return nc, err
		}
		dials++
		first := servers[0]
		// Held back until the server has given up on it.
		return &stalledConn{Conn: nc, ready: first.settingsTimedOut}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	opts := append([]ws.Option{ws.NetDial(dial), ws.RecvTimeout(caseTimeout), ws.CloseTimeout(caseTimeout)}, overH2.opts...)
	srv, conn, err := startAndConnect(t, ctx, start, opts)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if len(servers) != 2 || !servers[0].settingsTimedOut() {
		t.Fatalf("%d servers started, the first timed out: %t; want 2, true", len(servers), servers[0].settingsTimedOut())
	}
	var ce *ws.CloseError
	if _, err := conn.Recv(); !errors.As(err, &ce) || ce.Code != 1000 {
		t.Errorf("Recv: %v, want the server's close 1000", err)
	}
	conn.Close()
	if err := srv.Wait(caseTimeout); err != nil {
		t.Errorf("server: %v", err)
	}
}
