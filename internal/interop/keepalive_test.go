package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// The client's keepalive in the interop tests: short, as nothing here
// measures it, with a timeout generous enough for a loaded machine.
const (
	pingInterval = 20 * time.Millisecond
	pingTimeout  = 2 * time.Second
)

// testPeerKeepalive has the peer ping the client with its own keepalive
// (websockets' or the heartbeat of ws's README), which closes with 1011 a
// connection whose pong is late, while the client sits idle in each mode:
// the client's keepalive reads while nobody else does, so the pings are
// answered even with no Recv waiting. The peer then sends "alive".
func testPeerKeepalive(t *testing.T, p *conns) {
	event := func(t *testing.T, c *ws.Conn) ws.Frame {
		ev, ok := nextEvent(t, c)
		if !ok || ev.Err != nil {
			t.Fatalf("event %+v (open %v)", ev, ok)
		}
		return ev.Frame
	}
	for _, tc := range []struct {
		name string
		mode ws.Mode
		// first takes "ready", then takes "alive"; idle says that no
		// consumer waits meanwhile: "alive" is taken once the peer has
		// reported sending it.
		first, then func(t *testing.T, c *ws.Conn) ws.Frame
		idle        bool
	}{
		{"passive, nobody reading", ws.Passive, recv, recv, true},
		{"passive, a Recv waiting", ws.Passive, recv, recv, false},
		{"active", ws.Active, event, event, false},
		{"active-once, its grant spent", ws.ActiveOnce, event, recv, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := newID()
			c := p.dial(t, "/keepalive?interval=30&timeout=2000&count=6&id="+id, ws.ActiveMode(tc.mode),
				ws.PingInterval(pingInterval), ws.PingTimeout(pingTimeout))
			checkFrame(t, tc.first(t, c), ws.Text("ready"))
			if tc.idle {
				if r := p.waitReport(t, id); r.Event != "alive" {
					t.Fatalf("peer reported %+v, want alive", r)
				}
			}
			checkFrame(t, tc.then(t, c), ws.Text("alive"))
			if c.Latency() <= 0 {
				t.Fatal("no round trip measured: the peer did not answer the client's pings")
			}
		})
	}
}

// TestKeepaliveFindsABlackhole puts a proxy that stops forwarding, without
// closing anything, between the client and each peer: the dead peer of a
// NAT timeout or a vanished host. The keepalive finds it in every mode.
func TestKeepaliveFindsABlackhole(t *testing.T) {
	for _, spec := range []peerSpec{node, python} {
		t.Run(spec.name, func(t *testing.T) {
			t.Parallel()
			x := startProxy(t, startPeer(t, spec, nil))
			for _, mode := range []ws.Mode{ws.Passive, ws.Active} {
				t.Run(mode.String(), func(t *testing.T) {
					c := dialThrough(t, x, mode, ws.PingInterval(pingInterval), ws.PingTimeout(50*time.Millisecond))
					x.blackhole()
					var err error
					if mode == ws.Passive {
						_, err = c.RecvTimeout(testTimeout)
					} else {
						ev, _ := nextEvent(t, c)
						err = ev.Err
					}
					var ce *ws.CloseError
					if !errors.As(err, &ce) || ce.Code != ws.CloseAbnormal || !errors.Is(err, ws.ErrKeepalive) {
						t.Fatalf("got %v, want a *CloseError 1006 wrapping ErrKeepalive", err)
					}
				})
			}
		})
	}
}

// dialThrough connects to the peer's echo through x, checks the path with
// one echo, then sets the mode.
func dialThrough(t testing.TB, x *countingProxy, mode ws.Mode, opts ...ws.Option) *ws.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := ws.Connect(ctx, x.url("/echo"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Send(ws.Text("through")); err != nil {
		t.Fatal(err)
	}
	if f, err := c.RecvTimeout(testTimeout); err != nil || f.Text() != "through" {
		t.Fatalf("echo through the proxy: %v, %v", f, err)
	}
	if err := c.SetActive(mode); err != nil {
		t.Fatal(err)
	}
	return c
}

// BenchmarkKeepaliveDetection measures how long the keepalive takes to
// find a dead peer behind a blackholing proxy, with a ping interval and
// timeout of 1 s each: at most their sum, from the last byte received.
// Run it with -benchtime=5x; it reports seconds per detection.
func BenchmarkKeepaliveDetection(b *testing.B) {
	x := startProxy(b, startPeer(b, python, nil))
	var total time.Duration
	for range b.N {
		c := dialThrough(b, x, ws.Passive, ws.PingInterval(time.Second), ws.PingTimeout(time.Second))
		x.blackhole()
		start := time.Now()
		_, err := c.RecvTimeout(testTimeout)
		total += time.Since(start)
		if !errors.Is(err, ws.ErrKeepalive) {
			b.Fatalf("Recv: %v, want ErrKeepalive", err)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/detection")
}
