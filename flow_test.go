package ws

import (
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// TestActiveFlowControl: in active mode, a consumer that takes no events
// makes the Conn stop reading the socket, so the server's writes block
// (TCP flow control) long before it has written what it tried; once the
// consumer takes events, every message arrives, in order.
func TestActiveFlowControl(t *testing.T) {
	const (
		msgSize = 64 << 10
		tried   = 256 << 20 // what the server tries to write
		bound   = 64 << 20  // socket buffers and the Conn's own hold far less
	)
	type block struct {
		written int64 // bytes written when the writes stopped progressing
		msgs    int   // messages begun, the last perhaps in part
		err     error
	}
	blocked := make(chan block, 1)
	resume := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		nc := sc.nc
		msg := make([]byte, 0, proto.MaxHeaderSize+msgSize)
		var rest []byte // unwritten part of message msgs-1
		var written int64
		msgs, stalls := 0, 0
		// A write that makes no progress three times running is blocked:
		// the client no longer reads.
		for stalls < 3 {
			if written >= tried {
				blocked <- block{written: written, err: errors.New("the server wrote everything it tried: the client never stopped reading")}
				return
			}
			if len(rest) == 0 {
				payload := make([]byte, msgSize)
				binary.BigEndian.PutUint32(payload, uint32(msgs))
				msg = append(proto.AppendHeader(msg[:0], proto.Header{Fin: true, Op: proto.OpBinary, Length: msgSize}), payload...)
				rest = msg
				msgs++
			}
			nc.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
			n, err := nc.Write(rest)
			rest = rest[n:]
			written += int64(n)
			var ne net.Error
			switch {
			case err == nil:
			case errors.As(err, &ne) && ne.Timeout():
				if n == 0 {
					stalls++
				} else {
					stalls = 0
				}
			default:
				blocked <- block{err: err}
				return
			}
		}
		blocked <- block{written: written, msgs: msgs}
		select {
		case <-resume:
		case <-time.After(testTimeout):
			return
		}
		nc.SetWriteDeadline(time.Time{})
		if _, err := nc.Write(rest); err != nil {
			return
		}
		sc.writeFrame(proto.OpText, []byte("end"))
		sc.echo()
	})
	c := dial(t, url, ActiveMode(Active))

	var b block
	select {
	case b = <-blocked:
	case <-time.After(2 * testTimeout):
		t.Fatal("the server's writes never blocked")
	}
	if b.err != nil {
		t.Fatalf("server: %v", b.err)
	}
	if b.written > bound {
		t.Fatalf("the server wrote %d MiB before blocking; the Conn buffered without bound", b.written>>20)
	}
	t.Logf("the server's writes blocked after %.1f MiB of the %d MiB tried", float64(b.written)/(1<<20), tried>>20)
	close(resume)

	for i := range b.msgs {
		ev := nextEvent(t, c.Events())
		if ev.Err != nil {
			t.Fatalf("event %d: %v", i, ev.Err)
		}
		if len(ev.Frame.Payload) != msgSize || binary.BigEndian.Uint32(ev.Frame.Payload) != uint32(i) {
			t.Fatalf("event %d: got %v numbered %d", i, ev.Frame, binary.BigEndian.Uint32(ev.Frame.Payload))
		}
	}
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "end" {
		t.Fatalf("after %d messages got %+v, want the end", b.msgs, ev)
	}
}
