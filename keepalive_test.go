package ws

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// The keepalive's interval and timeout in the tests: short, as nothing
// here measures them; a dead peer is found whatever the machine's load.
// A live peer gets a timeout that no loaded machine's scheduling exceeds,
// so that its answer is never late.
const (
	testPingInterval = 20 * time.Millisecond
	testPingTimeout  = 20 * time.Millisecond
	livePingTimeout  = testTimeout / 2
)

// ended waits until c's connection has ended and returns why.
func ended(t testing.TB, c *Conn) error {
	t.Helper()
	select {
	case <-c.endedCh:
	case <-time.After(testTimeout):
		t.Fatal("the connection did not end")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// wantKeepalive checks an error for a peer the keepalive found dead.
func wantKeepalive(t testing.TB, err error) {
	t.Helper()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAbnormal || !errors.Is(err, ErrKeepalive) || !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want a *CloseError 1006 wrapping ErrKeepalive", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Fatalf("%v matches ErrTimeout: a loop that goes on after timeouts would spin on a dead Conn", err)
	}
}

// A peer that reads but never answers, in every mode, whether a consumer
// waits or not: the keepalive pings it, then fails the connection with
// 1011 and ErrKeepalive.
func TestKeepaliveFindsASilentPeer(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode Mode
		wait func(t *testing.T, c *Conn) error
	}{
		{"passive, nobody reading", Passive, nil},
		{"passive, a Recv waiting", Passive, func(t *testing.T, c *Conn) error {
			_, err := c.RecvTimeout(testTimeout)
			return err
		}},
		{"active, a consumer waiting", Active, func(t *testing.T, c *Conn) error {
			return nextEvent(t, c.Events()).Err
		}},
		{"active-once, its event taken", ActiveOnce, func(t *testing.T, c *Conn) error {
			return nextEvent(t, c.Events()).Err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := newPipe(t, ActiveMode(tc.mode), PingInterval(testPingInterval), PingTimeout(testPingTimeout))
			got := make(chan error, 1)
			if tc.wait != nil {
				go func() { got <- tc.wait(t, c) }()
			}
			p.wantFrame(proto.OpPing, string([]byte{0, 0, 0, 0, 0, 0, 0, 1}))
			p.wantClose(uint16(CloseInternalError))
			wantKeepalive(t, ended(t, c))
			if tc.wait != nil {
				wantKeepalive(t, <-got)
			}
			if err := c.Send(Text("late")); !errors.Is(err, ErrKeepalive) {
				t.Fatalf("Send after the keepalive failed: %v", err)
			}
		})
	}
}

// A peer that answers every ping stays connected in every mode, and the
// round trips are measured.
func TestKeepaliveAnsweredKeepsTheConn(t *testing.T) {
	for _, mode := range []Mode{Passive, Active, ActiveOnce} {
		t.Run(mode.String(), func(t *testing.T) {
			c, p := newPipe(t, ActiveMode(mode), PingInterval(testPingInterval), PingTimeout(livePingTimeout))
			for range 3 {
				f := p.next()
				if f.Op != proto.OpPing {
					t.Fatalf("peer: got %v, want a ping", f.Op)
				}
				p.write(wire(proto.OpPong, true, f.Payload))
			}
			p.write(wire(proto.OpText, true, []byte("still here")))
			var f Frame
			if mode == Passive {
				f = recvWithin(t, c)
			} else {
				ev := nextEvent(t, c.Events())
				if ev.Err != nil {
					t.Fatal(ev.Err)
				}
				f = ev.Frame
			}
			if f.Text() != "still here" {
				t.Fatalf("got %v", f)
			}
			if c.Latency() <= 0 {
				t.Fatal("Latency is zero after answered pings")
			}
		})
	}
}

// A live peer behind an application that takes nothing for many
// intervals: the keepalive keeps pinging but declares nothing dead, in
// active mode (an Event nobody takes) and in passive mode (a message
// read by the keepalive, no Recv to take it). Nothing is lost.
func TestKeepaliveSparesASlowApplication(t *testing.T) {
	for _, mode := range []Mode{Passive, Active} {
		t.Run(mode.String(), func(t *testing.T) {
			c, p := newPipe(t, ActiveMode(mode), PingInterval(testPingInterval), PingTimeout(livePingTimeout))
			p.write(wire(proto.OpText, true, []byte("first")))
			// The peer answers each ping; its pongs wait behind what the
			// application has not taken, unread.
			for range 5 {
				f := p.next()
				if f.Op != proto.OpPing {
					t.Fatalf("peer: got %v, want a ping", f.Op)
				}
				p.write(wire(proto.OpPong, true, f.Payload))
			}
			p.write(wire(proto.OpText, true, []byte("second")))
			for _, want := range []string{"first", "second"} {
				var f Frame
				if mode == Passive {
					f = recvWithin(t, c)
				} else {
					ev := nextEvent(t, c.Events())
					if ev.Err != nil {
						t.Fatalf("event: %v", ev.Err)
					}
					f = ev.Frame
				}
				if f.Text() != want {
					t.Fatalf("got %v, want %q", f, want)
				}
			}
		})
	}
}

// Ping reads for itself when nobody reads, and measures the round trip.
func TestPingMeasuresTheRoundTrip(t *testing.T) {
	for _, mode := range []Mode{Passive, Active} {
		t.Run(mode.String(), func(t *testing.T) {
			c, p := newPipe(t, ActiveMode(mode), ReportControl(false))
			go func() {
				f := p.next()
				p.write(wire(proto.OpPong, true, f.Payload))
			}()
			rtt, err := c.Ping(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if rtt <= 0 || c.Latency() != rtt {
				t.Fatalf("Ping: %v, Latency %v", rtt, c.Latency())
			}
		})
	}
}

// A pong behind a message: Ping keeps the message for the next Recv and
// waits; once the application takes it, Ping reads on to its pong.
func TestPingBehindAMessageLosesNothing(t *testing.T) {
	c, p := newPipe(t, ReportControl(false))
	done := make(chan error, 1)
	go func() {
		_, err := c.Ping(testCtx(t))
		done <- err
	}()
	f := p.next()
	p.write(cat(wire(proto.OpText, true, []byte("before the pong")), wire(proto.OpPong, true, f.Payload)))
	waitParked(t, "ws.(*Conn).Ping") // the message held, the pong unread
	if got := recvWithin(t, c); got.Text() != "before the pong" {
		t.Fatalf("Recv: %v", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Ping did not return once the message was taken")
	}
}

// A Ping whose context ends first times out and leaves the Conn usable.
func TestPingTimeoutLeavesTheConnUsable(t *testing.T) {
	c, p := newPipe(t, ReportControl(false))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Ping(ctx)
		done <- err
	}()
	p.next() // the ping, not answered
	waitParked(t, "ws.(*Conn).probe")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Ping: %v, want context.Canceled", err)
	}
	p.write(wire(proto.OpText, true, []byte("after")))
	if got := recvWithin(t, c); got.Text() != "after" {
		t.Fatalf("Recv: %v", got)
	}
}

// Without PingInterval a Conn has no keepalive: no timer is made, and
// reads track no time (heard, pongDue).
func TestKeepaliveOffByDefault(t *testing.T) {
	c, _ := newPipe(t)
	if c.ka != nil {
		t.Fatal("a keepalive without PingInterval")
	}
}
