package interop

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/hackney-go/ws"
)

// scenarios run against every peer, over ws:// and over wss://.
var scenarios = []struct {
	name string
	run  func(*testing.T, *conns)
}{
	{"echo", testEcho},
	{"fragmented", testFragmented},
	{"client-ping", testClientPing},
	{"server-ping", testServerPing},
	{"client-close", testClientClose},
	{"server-close", testServerClose},
	{"subprotocol", testSubprotocol},
	{"refusal", testRefusal},
	{"active", testActive},
	{"active-once", testActiveOnce},
	{"peer-keepalive", testPeerKeepalive},
	{"json-stream", testJSONStream},
}

func TestNode(t *testing.T) {
	t.Parallel()
	testPeer(t, node)
}

func TestPython(t *testing.T) {
	t.Parallel()
	testPeer(t, python)
}

// testPeer runs the scenarios against one peer implementation, once over
// ws:// and once over wss:// with a CA made for the test, then checks that
// without that CA the client refuses the peer's certificate.
func testPeer(t *testing.T, spec peerSpec) {
	t.Run("ws", func(t *testing.T) {
		runScenarios(t, &conns{peer: startPeer(t, spec, nil)})
	})
	t.Run("wss", func(t *testing.T) {
		certs := newCerts(t)
		p := startPeer(t, spec, certs)
		runScenarios(t, &conns{peer: p, opts: []ws.Option{ws.TLSConfig(&tls.Config{RootCAs: certs.roots})}})
		t.Run("untrusted-certificate", func(t *testing.T) { testUntrustedCertificate(t, p, certs) })
	})
}

func runScenarios(t *testing.T, c *conns) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) { s.run(t, c) })
	}
}

// conns opens client connections to a peer.
type conns struct {
	*peer
	opts []ws.Option // what every connection to the peer needs, as its TLS trust
}

// connect opens a connection to the peer's path and query.
func (c *conns) connect(t *testing.T, pathQuery string, opts ...ws.Option) (*ws.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return ws.Connect(ctx, c.url(pathQuery), append(append([]ws.Option{}, c.opts...), opts...)...)
}

// dial is connect that must succeed; the connection is closed when the
// test ends.
func (c *conns) dial(t *testing.T, pathQuery string, opts ...ws.Option) *ws.Conn {
	t.Helper()
	conn, err := c.connect(t, pathQuery, opts...)
	if err != nil {
		t.Fatalf("Connect(%s): %v", c.url(pathQuery), err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// recv is Recv bounded by testTimeout, failing the test on an error.
func recv(t *testing.T, c *ws.Conn) ws.Frame {
	t.Helper()
	f, err := c.RecvTimeout(testTimeout)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return f
}

// send is Send failing the test on an error.
func send(t *testing.T, c *ws.Conn, f ws.Frame) {
	t.Helper()
	if err := c.Send(f); err != nil {
		t.Fatalf("Send(%v): %v", f, err)
	}
}
