package ws

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// The pump parking with the poller (pump.go): these tests run over TCP,
// which the poller serves on Linux; net.Pipe, which most scripted tests
// use, is never served, so that both ways stay tested.

// quickPark makes pumps park after a millisecond of silence until the
// test ends, so that the tests below park at every pause.
func quickPark(t *testing.T) {
	old := parkAfter
	parkAfter = time.Millisecond
	t.Cleanup(func() { parkAfter = old })
}

// pollServed skips where there is no poller, and else waits until c's
// pump has parked once.
func pollServed(t *testing.T, c *Conn) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("no poller on " + runtime.GOOS)
	}
	waitPumpState(t, c, func(c *Conn) bool { return c.parked != notParked })
}

// waitPumpState waits, bounded, until ok holds under c.mu.
func waitPumpState(t *testing.T, c *Conn, ok func(*Conn) bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		done := ok(c)
		c.mu.Unlock()
		if done {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the pump did not reach the state waited for")
}

func parkedActively(c *Conn) bool { return c.parked == parkedActive }

// pumpGoroutines counts the goroutines running a pump.
func pumpGoroutines() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "ws.(*Conn).pumpFrom(")
}

// Active Conns whose sockets are empty hold no goroutine, and each message
// that arrives later is delivered.
func TestPollIdleConnsHoldNoGoroutine(t *testing.T) {
	quickPark(t)
	url := scriptedServer(t, func(sc *scriptConn) { sc.echo() })
	events := make(chan Event)
	const n = 20
	conns := make([]*Conn, n)
	for i := range conns {
		conns[i] = dial(t, url, DeliverTo(events), ActiveMode(Active))
	}
	pollServed(t, conns[0])
	for round := range 3 {
		for _, c := range conns {
			waitPumpState(t, c, parkedActively)
		}
		// A pump's goroutine returns just after it has parked.
		for deadline := time.Now().Add(testTimeout); pumpGoroutines() != 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d pump goroutines for %d parked Conns", round, pumpGoroutines(), n)
			}
		}
		for i, c := range conns {
			if err := c.Send(Text(strings.Repeat("x", i+round))); err != nil {
				t.Fatal(err)
			}
		}
		got := make(map[*Conn]string)
		for range n {
			ev := nextEvent(t, events)
			if ev.Err != nil {
				t.Fatal(ev.Err)
			}
			got[ev.Conn] = ev.Frame.Text()
		}
		for i, c := range conns {
			if want := strings.Repeat("x", i+round); got[c] != want {
				t.Fatalf("round %d, Conn %d: %q, want %q", round, i, got[c], want)
			}
		}
	}
	for _, c := range conns {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A message that arrives in pieces, the pump parking between them, is
// delivered whole; so is one that comes with the peer's close frame.
func TestPollMessageAcrossParks(t *testing.T) {
	quickPark(t)
	payload := []byte(strings.Repeat("0123456789", 5000))
	msg := wire(proto.OpBinary, true, payload)
	step := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		for _, cut := range []int{0, 2, 7, 1000, 30000, -1} { // -1: the rest
			<-step
			if cut < 0 {
				cut = len(msg)
			}
			sc.writeRaw(msg[:cut])
			msg = msg[cut:]
		}
		<-step
		sc.writeRaw(cat(wire(proto.OpText, true, []byte("last")), closeFrame(1000, "bye")))
		sc.readClose()
	})
	c := dial(t, url, ActiveMode(Active))
	pollServed(t, c)
	for range 6 {
		waitPumpState(t, c, parkedActively)
		step <- struct{}{}
	}
	if ev := nextEvent(t, c.Events()); ev.Err != nil || string(ev.Frame.Payload) != string(payload) {
		t.Fatalf("event: %d bytes, %v", len(ev.Frame.Payload), ev.Err)
	}
	waitPumpState(t, c, parkedActively)
	step <- struct{}{}
	if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "last" {
		t.Fatalf("event %+v, want \"last\"", ev)
	}
	var ce *CloseError
	if ev := nextEvent(t, c.Events()); !errors.As(ev.Err, &ce) || ce.Code != 1000 {
		t.Fatalf("last event %+v, want the peer's close", ev)
	}
	if _, ok := <-c.Events(); ok {
		t.Fatal("Events not closed after the last event")
	}
}

// Whatever wakes a pump while it is parking, before it has armed the
// poller, is not lost: the pump goes on, and exactly one goroutine holds
// the token (the race detector sees two).
func TestPollWakeWhileParking(t *testing.T) {
	quickPark(t)
	for _, tc := range []struct {
		name string
		// wake runs in the window, on the pump's goroutine; after it,
		// check sees the outcome.
		wake  func(t *testing.T, c *Conn, sc chan *scriptConn)
		check func(t *testing.T, c *Conn)
	}{
		{"a report", func(t *testing.T, c *Conn, _ chan *scriptConn) {
			(*pumpWaker)(c).Wake()
		}, func(t *testing.T, c *Conn) {
			if err := c.Send(Text("after")); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "after" {
				t.Fatalf("event %+v", ev)
			}
		}},
		{"the peer's message", func(t *testing.T, c *Conn, sc chan *scriptConn) {
			// Written before the poller is armed: arming reports it.
			(<-sc).writeFrame(proto.OpText, []byte("early"))
		}, func(t *testing.T, c *Conn) {
			if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "early" {
				t.Fatalf("event %+v", ev)
			}
		}},
		{"Close", func(t *testing.T, c *Conn, _ chan *scriptConn) {
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			// On the pump's goroutine: bounded, and no t.Fatal here.
			for deadline := time.Now().Add(testTimeout); ; time.Sleep(time.Millisecond) {
				c.mu.Lock()
				done := c.closed
				c.mu.Unlock()
				if done || time.Now().After(deadline) {
					break
				}
			}
			t.Cleanup(func() {
				if err := <-closed; err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}, func(t *testing.T, c *Conn) {
			if _, ok := <-c.Events(); ok {
				t.Fatal("an event after Close")
			}
		}},
		{"a send cut short", func(t *testing.T, c *Conn, _ chan *scriptConn) {
			c.dropAfterCut()
		}, func(t *testing.T, c *Conn) {
			var ce *CloseError
			if ev := nextEvent(t, c.Events()); !errors.As(ev.Err, &ce) || ce.Code != CloseAbnormal || !errors.Is(ev.Err, errSendCut) {
				t.Fatalf("last event %+v, want 1006 wrapping errSendCut", ev)
			}
		}},
		{"the socket closed, no wake", func(t *testing.T, c *Conn, _ chan *scriptConn) {
			c.nc.Close() // arming fails: the pump reads on, and fails
		}, func(t *testing.T, c *Conn) {
			var ce *CloseError
			if ev := nextEvent(t, c.Events()); !errors.As(ev.Err, &ce) || ce.Code != CloseAbnormal {
				t.Fatalf("last event %+v, want 1006", ev)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scs := make(chan *scriptConn, 1)
			url := scriptedServer(t, func(sc *scriptConn) {
				scs <- sc
				sc.echo()
			})
			var c *Conn
			fired := make(chan struct{})
			once := false // the hook's own
			testHookParking = func(p *Conn) {
				if p == c && !once {
					once = true
					tc.wake(t, c, scs)
					close(fired)
				}
			}
			t.Cleanup(func() { testHookParking = nil })
			if runtime.GOOS != "linux" {
				t.Skip("no poller on " + runtime.GOOS)
			}
			c = dial(t, url)
			if c.SetActive(Active) != nil {
				t.Fatal("SetActive")
			}
			// Parked at once, without the hook (parkAtStart): a message
			// starts the pump, which parks again through park.
			if err := c.Send(Text("wake")); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "wake" {
				t.Fatalf("event %+v", ev)
			}
			select {
			case <-fired:
			case <-time.After(testTimeout):
				t.Fatal("the pump never parked")
			}
			tc.check(t, c)
			c.Close()
			waitDone(t, c)
		})
	}
}

// A silent peer is found by the keepalive while the pump is parked: the
// last Event says so.
func TestPollKeepaliveWhileParked(t *testing.T) {
	quickPark(t)
	url := scriptedServer(t, func(sc *scriptConn) {
		sc.nc.SetReadDeadline(time.Now().Add(testTimeout))
		for { // reads the pings, answers none
			if _, err := sc.readFrame(); err != nil {
				return
			}
		}
	})
	c := dial(t, url, ActiveMode(Active), PingInterval(20*time.Millisecond), PingTimeout(50*time.Millisecond))
	ev := nextEvent(t, c.Events())
	var ce *CloseError
	if !errors.As(ev.Err, &ce) || ce.Code != CloseAbnormal || !errors.Is(ev.Err, ErrKeepalive) {
		t.Fatalf("event %+v, want 1006 wrapping ErrKeepalive", ev)
	}
}

// An answering peer keeps a parked Conn alive, through many pings.
func TestPollKeepaliveAnswered(t *testing.T) {
	quickPark(t)
	pings := make(chan struct{}, 100)
	url := scriptedServer(t, func(sc *scriptConn) {
		for {
			f, err := sc.readFrame()
			if err != nil {
				return
			}
			switch f.Op {
			case proto.OpPing:
				sc.writeFrame(proto.OpPong, f.Payload)
				select {
				case pings <- struct{}{}:
				default:
				}
			case proto.OpClose:
				sc.writeFrame(proto.OpClose, proto.CloseEcho(f.Payload))
				return
			}
		}
	})
	c := dial(t, url, ActiveMode(Active), PingInterval(5*time.Millisecond), PingTimeout(testTimeout))
	pollServed(t, c)
	for range 10 {
		select {
		case <-pings:
		case ev := <-c.Events():
			t.Fatalf("event %+v while the peer answers", ev)
		case <-time.After(testTimeout):
			t.Fatal("no ping")
		}
	}
	if c.Latency() <= 0 {
		t.Fatal("no round trip measured")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// Active-once parks in passive mode between grants, holding nothing: a
// Recv reads meanwhile, and the next grant delivers.
func TestPollActiveOnceBetweenGrants(t *testing.T) {
	quickPark(t)
	url := scriptedServer(t, func(sc *scriptConn) { sc.echo() })
	c := dial(t, url, ActiveMode(ActiveOnce))
	pollServed(t, c)
	c.Send(Text("one"))
	if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "one" {
		t.Fatalf("event %+v", ev)
	}
	waitPumpState(t, c, func(c *Conn) bool { return c.parked == parkedPassive })
	c.Send(Text("two"))
	if f := recvWithin(t, c); f.Text() != "two" {
		t.Fatalf("Recv: %v", f)
	}
	c.SetActive(ActiveOnce)
	c.Send(Text("three"))
	if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "three" {
		t.Fatalf("event %+v", ev)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// A send cut short while the pump is parked drops the socket, which the
// poller no longer watches: the pump is started, and reports it.
func TestPollSendCutWhileParked(t *testing.T) {
	quickPark(t)
	url := scriptedServer(t, func(sc *scriptConn) { sc.echo() })
	c := dial(t, url, ActiveMode(Active))
	pollServed(t, c)
	waitPumpState(t, c, parkedActively)
	c.dropAfterCut()
	var ce *CloseError
	if ev := nextEvent(t, c.Events()); !errors.As(ev.Err, &ce) || ce.Code != CloseAbnormal || !errors.Is(ev.Err, errSendCut) {
		t.Fatalf("last event %+v, want 1006 wrapping errSendCut", ev)
	}
}

// A server's Conn from Accept parks as a client's does: its handler can
// return, and the Conn, delivering to a hub's channel, holds no goroutine
// while its peer is silent.
func TestPollServerConnParks(t *testing.T) {
	quickPark(t)
	hub := make(chan Event)
	accepted := make(chan *Conn, 1)
	url := acceptServer(t, func(c *Conn) { accepted <- c }, nil, DeliverTo(hub), ActiveMode(Active))
	client := dial(t, url)
	var server *Conn
	select {
	case server = <-accepted:
	case <-time.After(testTimeout):
		t.Fatal("no Conn accepted")
	}
	defer server.Close()
	pollServed(t, server)
	waitPumpState(t, server, parkedActively)
	if err := client.Send(Text("hi")); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, hub)
	if ev.Conn != server || ev.Frame.Text() != "hi" {
		t.Fatalf("hub event %+v", ev)
	}
	if err := server.Send(ev.Frame); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, client); f.Text() != "hi" {
		t.Fatalf("echo %v", f)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	var ce *CloseError
	if ev := nextEvent(t, hub); !errors.As(ev.Err, &ce) || ce.Code != CloseNormal {
		t.Fatalf("the server's last event %+v, want the client's close", ev)
	}
}
