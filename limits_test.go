package ws

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

// bigHeader returns only the header of a server frame announcing length
// bytes: a client that waited for the payload would wait forever.
func bigHeader(op proto.Opcode, fin bool, length int64) []byte {
	return proto.AppendHeader(nil, proto.Header{Fin: fin, Op: op, Length: length})
}

func TestSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        []Option
		script      []byte
		limit, size int64
	}{
		{"frame over MaxFrameSize", []Option{MaxFrameSize(1000)},
			wire(proto.OpBinary, true, make([]byte, 1001)), 1000, 1001},
		{"fragment over MaxFrameSize", []Option{MaxFrameSize(1000)},
			cat(wire(proto.OpText, false, []byte("a")), wire(proto.OpContinuation, true, make([]byte, 1001))), 1000, 1001},
		{"message over MaxMessageSize", []Option{MaxMessageSize(1000)},
			cat(wire(proto.OpBinary, false, make([]byte, 600)), wire(proto.OpContinuation, true, make([]byte, 600))), 1000, 1200},
		// Only headers: the payload is refused before it is sent.
		{"header only, over the default limit", nil,
			bigHeader(proto.OpBinary, true, DefaultMaxFrameSize+1), DefaultMaxFrameSize, DefaultMaxFrameSize + 1},
		{"header only, 1 TiB", nil,
			bigHeader(proto.OpText, true, 1<<40), DefaultMaxFrameSize, 1 << 40},
		{"header only, 2^63-1 bytes", []Option{MaxFrameSize(1 << 10)},
			bigHeader(proto.OpBinary, true, 1<<63-1), 1 << 10, 1<<63 - 1},
		{"continuation header only, over MaxMessageSize", []Option{MaxMessageSize(1000)},
			cat(wire(proto.OpBinary, false, make([]byte, 600)), bigHeader(proto.OpContinuation, true, 500)), 1000, 1100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, codes := scriptServer(t, cat(wire(proto.OpText, true, []byte("before")), tc.script))
			c := dial(t, url, tc.opts...)
			if f := recvWithin(t, c); f.Text() != "before" {
				t.Fatalf("got %v, want the message before the violation", f)
			}
			_, err := c.RecvTimeout(testTimeout)
			var me *MessageTooBigError
			if !errors.As(err, &me) || me.Limit != tc.limit || me.Size != tc.size {
				t.Fatalf("Recv: %v, want *MessageTooBigError{Limit: %d, Size: %d}", err, tc.limit, tc.size)
			}
			codes.want(t, 1009)
			waitDone(t, c)
		})
	}
}

func TestSizeLimitsAllowUpToTheLimit(t *testing.T) {
	url, _ := scriptServer(t, cat(
		wire(proto.OpBinary, true, make([]byte, 1000)),
		wire(proto.OpText, false, bytes.Repeat([]byte("a"), 500)),
		wire(proto.OpContinuation, false, bytes.Repeat([]byte("b"), 400)),
		wire(proto.OpPing, true, make([]byte, 125)), // control frames may come between fragments
		wire(proto.OpContinuation, true, bytes.Repeat([]byte("c"), 100)),
	))
	c := dial(t, url, MaxFrameSize(1000), MaxMessageSize(1000), ReportControl(true))
	if f := recvWithin(t, c); f.Kind != BinaryFrame || len(f.Payload) != 1000 {
		t.Fatalf("got %v, want 1000 bytes", f)
	}
	if f := recvWithin(t, c); f.Kind != PingFrame || len(f.Payload) != 125 {
		t.Fatalf("got %v, want the ping between the fragments", f)
	}
	if f := recvWithin(t, c); f.Kind != TextFrame || len(f.Payload) != 1000 {
		t.Fatalf("got %v, want 1000 bytes of text", f)
	}
}

// TestNoSizeLimit: zero or less means no limit, and a header alone still
// cannot make the client reserve what it announces.
func TestNoSizeLimit(t *testing.T) {
	for _, n := range []int64{0, -1} {
		var big []byte
		if n == 0 { // once is enough for a message over the default
			big = make([]byte, DefaultMaxMessageSize+1)
			binary.BigEndian.PutUint64(big[len(big)-8:], 0x0102030405060708)
		}
		url, _ := scriptServer(t, cat(
			wire(proto.OpBinary, true, big),
			bigHeader(proto.OpBinary, true, 1<<62), // and the server stops there
		))
		c := dial(t, url, MaxFrameSize(n), MaxMessageSize(n))
		if f := recvWithin(t, c); !bytes.Equal(f.Payload, big) {
			t.Fatalf("limit %d: got %v, want %d bytes", n, f, len(big))
		}
		// The client waits for the payload announced, alive.
		if err := c.Send(Ping(nil)); err != nil {
			t.Fatalf("limit %d: Send: %v", n, err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("limit %d: Close: %v", n, err)
		}
	}
}

// TestMessageLimitIsPerMessage: the message limit counts one message's
// fragments, not everything received.
func TestMessageLimitIsPerMessage(t *testing.T) {
	// Each message goes in two fragments of 300 bytes.
	url := acceptServer(t, func(sc *Conn) {
		for range 20 {
			sc.Send(Binary(make([]byte, 600)))
		}
		echoConn(sc)
	}, nil, FragmentSize(300))
	c := dial(t, url, MaxMessageSize(600))
	for range 20 {
		if f := recvWithin(t, c); len(f.Payload) != 600 {
			t.Fatalf("got %v", f)
		}
	}
}
