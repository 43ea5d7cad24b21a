package interop

import (
	"errors"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// nextEvent waits for the Conn's next event.
func nextEvent(t *testing.T, c *ws.Conn) (ws.Event, bool) {
	t.Helper()
	timeout := time.NewTimer(testTimeout)
	defer timeout.Stop()
	select {
	case ev, ok := <-c.Events():
		return ev, ok
	case <-timeout.C:
	}
	t.Fatalf("no event within %v", testTimeout)
	return ws.Event{}, false
}

// checkCloseEvent fails the test unless ev is the last event of a Conn
// the peer closed with 4000 "bye".
func checkCloseEvent(t *testing.T, c *ws.Conn, ev ws.Event, ok bool) {
	t.Helper()
	var ce *ws.CloseError
	if !ok || !errors.As(ev.Err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
		t.Fatalf("last event %+v (open %v), want a *ws.CloseError 4000 \"bye\"", ev, ok)
	}
	if ev.Conn != c {
		t.Fatal("last event does not name its Conn")
	}
	if ev, ok := nextEvent(t, c); ok {
		t.Fatalf("event %+v after the last one; want the channel closed", ev)
	}
}

// testActive receives in active mode: every message as an Event, then the
// peer's close as the last one, then the channel is closed.
func testActive(t *testing.T, p *conns) {
	c := p.dial(t, "/close?code=4000&reason=bye&after=3", ws.ActiveMode(ws.Active))
	msgs := []ws.Frame{message(ws.TextFrame, 126), message(ws.BinaryFrame, 0), message(ws.BinaryFrame, 1<<20)}
	for _, m := range msgs {
		send(t, c, m)
	}
	if _, err := c.RecvTimeout(testTimeout); err != ws.ErrActiveMode {
		t.Fatalf("Recv in active mode: %v, want ErrActiveMode", err)
	}
	for _, m := range msgs {
		ev, ok := nextEvent(t, c)
		if !ok || ev.Err != nil {
			t.Fatalf("event %+v (open %v), want %v", ev, ok, m)
		}
		if ev.Conn != c {
			t.Fatal("event does not name its Conn")
		}
		checkFrame(t, ev.Frame, m)
	}
	ev, ok := nextEvent(t, c)
	checkCloseEvent(t, c, ev, ok)
}

// testActiveOnce receives one message as an Event, the next with Recv as
// the Conn went back to passive, then grants one more Event.
func testActiveOnce(t *testing.T, p *conns) {
	c := p.dial(t, "/close?code=4000&reason=bye&after=3", ws.ActiveMode(ws.ActiveOnce))
	msgs := []ws.Frame{ws.Text("one"), ws.Binary([]byte("two")), ws.Text("three")}
	for _, m := range msgs {
		send(t, c, m)
	}
	ev, ok := nextEvent(t, c)
	if !ok || ev.Err != nil {
		t.Fatalf("event %+v (open %v), want %v", ev, ok, msgs[0])
	}
	checkFrame(t, ev.Frame, msgs[0])
	checkFrame(t, recv(t, c), msgs[1])
	if err := c.SetActive(ws.ActiveOnce); err != nil {
		t.Fatalf("SetActive(ActiveOnce): %v", err)
	}
	if ev, ok = nextEvent(t, c); !ok || ev.Err != nil {
		t.Fatalf("event %+v (open %v), want %v", ev, ok, msgs[2])
	}
	checkFrame(t, ev.Frame, msgs[2])
	// Passive again: the peer's close comes through Recv.
	var ce *ws.CloseError
	if _, err := c.RecvTimeout(testTimeout); !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
		t.Fatalf("Recv after the peer closed: %v, want *ws.CloseError 4000 \"bye\"", err)
	}
	if ev, ok := nextEvent(t, c); ok {
		t.Fatalf("event %+v after the Conn ended in passive mode; want the channel closed", ev)
	}
}
