package ws

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
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
	url := scriptedServer(t, func(s *scriptConn) {
		s.nc.SetWriteDeadline(time.Now().Add(testTimeout))
		for s.writeRaw(burst) == nil {
			select {
			case <-stop:
				s.closeWith(1000, "")
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

// compressedStream returns an endless-looking stream of one compressed
// message, repeatable because the server takes no context over, and a
// Conn that reads it as a client that negotiated that.
func compressedStream(t testing.TB, payload []byte) *Conn {
	z := deflate.NewCompressor(deflate.Settings{WindowBits: 15, NoContextTakeover: true}).Append(nil, payload, true)
	frame := append(proto.AppendHeader(nil, proto.Header{Fin: true, Rsv: rsv1, Op: proto.OpText, Length: int64(len(z))}), z...)
	c := newConn(&memConn{stream: bytes.Repeat(frame, 16)}, newConfig([]Option{Compression(Deflate{ServerNoContextTakeover: true})}), nil)
	c.startCompression(&deflate.Params{Client: deflate.Settings{WindowBits: 15}, Server: deflate.Settings{WindowBits: 15, NoContextTakeover: true}})
	return c
}

// TestRecvIntoCompressedDoesNotAllocate: a compressed message is
// inflated into the caller's buffer too, without allocating.
func TestRecvIntoCompressedDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race (sync.Pool drops items)")
	}
	payload := []byte(strings.Repeat(`{"id":1,"name":"compressed"},`, 40))
	c := compressedStream(t, payload)
	buf := make([]byte, 4096)
	c.RecvInto(buf) // pools and buffers warm up
	if n := testing.AllocsPerRun(200, func() {
		f, err := c.RecvInto(buf)
		if err != nil || !bytes.Equal(f.Payload, payload) || &f.Payload[0] != &buf[0] {
			t.Fatalf("RecvInto: %d bytes, %v; want the message in the buffer", len(f.Payload), err)
		}
	}); n != 0 {
		t.Errorf("RecvInto of a compressed message allocates %.1f times", n)
	}
	if f, err := c.Recv(); err != nil || !bytes.Equal(f.Payload, payload) {
		t.Fatalf("Recv: %v", err)
	}
}
