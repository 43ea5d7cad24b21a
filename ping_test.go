package ws

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/server"
)

// pingServer sends pings with these payloads, checking that each is
// answered by a pong with the same payload before sending the next, then
// a pong of its own and a text message, and reports what went wrong, if
// anything.
func pingServer(t *testing.T, payloads [][]byte) (string, <-chan error) {
	verdict := make(chan error, 1)
	url := startServer(t, server.Options{}, func(sc *server.Conn) {
		sc.NetConn().SetReadDeadline(time.Now().Add(testTimeout))
		for _, p := range payloads {
			sc.WriteFrame(proto.OpPing, p)
			f, err := sc.ReadFrame()
			if err != nil {
				verdict <- err
				return
			}
			if f.Op != proto.OpPong || !bytes.Equal(f.Payload, p) {
				verdict <- fmt.Errorf("ping %q answered with %v %q", p, f.Op, f.Payload)
				return
			}
		}
		sc.WriteFrame(proto.OpPong, []byte("unsolicited"))
		sc.WriteFrame(proto.OpText, []byte("after"))
		verdict <- nil
		server.Echo(sc)
	})
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
