package ws

import (
	"bytes"
	"testing"
)

func TestEchoRoundTrip(t *testing.T) {
	c := dial(t, echoServer(t), ReportControl(true))
	for _, f := range []Frame{Text("Hello!"), Binary([]byte{1, 2, 3}), Binary(nil), Ping([]byte("heartbeat")), Ping(nil)} {
		if err := c.Send(f); err != nil {
			t.Fatalf("Send(%v): %v", f, err)
		}
		want := f
		if f.Kind == PingFrame {
			want.Kind = PongFrame
		}
		got, err := c.RecvTimeout(testTimeout)
		if err != nil {
			t.Fatalf("Recv after %v: %v", f, err)
		}
		if got.Kind != want.Kind || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if err := c.CloseWith(CloseNormal, "Goodbye"); err != nil {
		t.Fatalf("CloseWith: %v", err)
	}
	if _, err := c.Recv(); err != ErrClosed {
		t.Fatalf("Recv after Close: %v, want ErrClosed", err)
	}
}
