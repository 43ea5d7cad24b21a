package ws

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// pingServer sends pings with these payloads, checking that each is
// answered by a pong with the same payload before sending the next, then
// a pong of its own and a text message, and reports what went wrong, if
// anything.
func pingServer(t *testing.T, payloads [][]byte) (string, <-chan error) {
	verdict := make(chan error, 1)
	url := acceptServer(t, func(sc *Conn) {
		for _, p := range payloads {
			sc.Send(Ping(p))
			f, err := sc.RecvTimeout(testTimeout)
			if err != nil {
				verdict <- err
				sc.Close()
				return
			}
			if f.Kind != PongFrame || !bytes.Equal(f.Payload, p) {
				verdict <- fmt.Errorf("ping %q answered with %v", p, f)
				sc.Close()
				return
			}
		}
		sc.Send(Pong([]byte("unsolicited")))
		sc.Send(Text("after"))
		verdict <- nil
		echoConn(sc)
	}, nil, ReportControl(true))
	return url, verdict
}

func wantVerdict(t *testing.T, verdict <-chan error) {
	t.Helper()
	select {
	case err := <-verdict:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the server did not finish")
	}
}

var pingPayloads = [][]byte{nil, []byte("heartbeat"), bytes.Repeat([]byte{0xFF}, 125)}

func TestPingsAnsweredAndReported(t *testing.T) {
	url, verdict := pingServer(t, pingPayloads)
	c := dial(t, url, ReportControl(true))
	for _, p := range pingPayloads {
		// The pong is sent before Recv returns the ping: the server waits
		// for it before sending the next.
		f := recvWithin(t, c)
		if f.Kind != PingFrame || !bytes.Equal(f.Payload, p) {
			t.Fatalf("got %v, want the ping %q", f, p)
		}
	}
	if f := recvWithin(t, c); f.Kind != PongFrame || f.Text() != "unsolicited" {
		t.Fatalf("got %v, want the server's pong", f)
	}
	if f := recvWithin(t, c); f.Text() != "after" {
		t.Fatalf("got %v", f)
	}
	wantVerdict(t, verdict)
}

func TestPingsAnsweredNotReported(t *testing.T) {
	url, verdict := pingServer(t, pingPayloads)
	c := dial(t, url, ReportControl(false))
	// Every ping was answered, and neither they nor the pong reached Recv.
	if f := recvWithin(t, c); f.Text() != "after" {
		t.Fatalf("got %v, want the text after the control frames", f)
	}
	wantVerdict(t, verdict)
}

func TestPingsAnsweredInActiveMode(t *testing.T) {
	url, verdict := pingServer(t, pingPayloads)
	c := dial(t, url, ActiveMode(Active), ReportControl(false))
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "after" {
		t.Fatalf("event %+v, want the text after the control frames", ev)
	}
	wantVerdict(t, verdict)
}
