package ws

import (
	"bytes"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/server"
)

// TestRecvIntoUsesTheBuffer: a message that fits is written into the
// caller's buffer, whole or fragmented; a larger one comes in new memory.
func TestRecvIntoUsesTheBuffer(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)
	buf := make([]byte, 64)
	small := []byte("fits in the buffer")
	big := bytes.Repeat([]byte("x"), 100)
	push(cat(wire(proto.OpBinary, true, small),
		wire(proto.OpText, false, small[:5]), wire(proto.OpContinuation, true, small[5:]),
		wire(proto.OpBinary, true, big)))
	for i, want := range []struct {
		kind    Kind
		payload []byte
		inBuf   bool
	}{{BinaryFrame, small, true}, {TextFrame, small, true}, {BinaryFrame, big, false}} {
		f, err := c.RecvInto(buf)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if f.Kind != want.kind || !bytes.Equal(f.Payload, want.payload) {
			t.Fatalf("message %d: got %v", i, f)
		}
		if inBuf := &f.Payload[0] == &buf[0]; inBuf != want.inBuf {
			t.Fatalf("message %d of %d bytes: in the buffer %t, want %t", i, len(f.Payload), inBuf, want.inBuf)
		}
	}
}

// TestRecvIntoTimeoutKeepsThePartialMessage: after a timeout the caller
// may reuse its buffer; the message begun in it is not harmed.
func TestRecvIntoTimeoutKeepsThePartialMessage(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url, RecvTimeout(shortWait))
	buf := make([]byte, 1024)
	msg := bytes.Repeat([]byte("0123456789"), 50)
	raw := cat(wire(proto.OpBinary, false, msg[:200]), wire(proto.OpContinuation, true, msg[200:]))
	push(raw[:len(raw)-100])
	_, err := c.RecvInto(buf)
	checkTimeout(t, err)
	for i := range buf {
		buf[i] = '!'
	}
	push(raw[len(raw)-100:])
	f, err := c.RecvInto(buf)
	if err != nil || !bytes.Equal(f.Payload, msg) {
		t.Fatalf("after a timeout and the buffer's reuse: %v, %v", f, err)
	}
}

// TestRecvIntoDoesNotAllocate backs the claim of a receive path without
// allocation: a server writes the same frames for as long as the client
// reads.
func TestRecvIntoDoesNotAllocate(t *testing.T) {
	frame := wire(proto.OpBinary, true, make([]byte, 64))
	burst := bytes.Repeat(frame, 64)
	stop := make(chan struct{})
	url := startServer(t, server.Options{}, func(s *server.Conn) {
		s.NetConn().SetWriteDeadline(time.Now().Add(testTimeout))
		for s.WriteRaw(burst) == nil {
			select {
			case <-stop:
				s.CloseWith(1000, "")
				return
			default:
			}
		}
	})
	c := dial(t, url)
	defer close(stop)
	buf := make([]byte, 128)
	c.RecvInto(buf) // the first read sizes the read buffer
	if n := testing.AllocsPerRun(500, func() {
		if f, err := c.RecvInto(buf); err != nil || len(f.Payload) != 64 {
			t.Fatalf("RecvInto: %v, %v", f, err)
		}
	}); n != 0 {
		t.Errorf("RecvInto allocates %.1f times per message", n)
	}
}
