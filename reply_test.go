package ws

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// A ping read while a Send is blocked on a peer that does not read: the
// pong waits for the writer, the Recv does not (issue 10, item 3). It
// keeps its bound, and the pong follows the Send's frame once the peer
// reads.
func TestRecvKeepsItsBoundWhileAPongWaits(t *testing.T) {
	c, p := newPipe(t, ReportControl(false))
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Binary(make([]byte, 1000))) }()
	waitParked(t, "net.(*pipe).write") // the Send, held by the peer
	p.write(wire(proto.OpPing, true, []byte("are you there")))
	var err error
	within(t, "RecvTimeout", func() { _, err = c.RecvTimeout(20 * time.Millisecond) })
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("RecvTimeout: %v, want ErrTimeout", err)
	}
	if f := p.next(); f.Op != proto.OpBinary || len(f.Payload) != 1000 {
		t.Fatalf("peer: got %v of %d bytes, want the Send's message", f.Op, len(f.Payload))
	}
	p.wantFrame(proto.OpPong, "are you there")
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// A flood of pings from a peer that does not read: every Recv returns its
// ping although no pong can be written, and the pongs waiting take a
// bounded buffer, the older ones dropped (RFC 6455 section 5.5.3); the
// latest is answered. With pings of 125 bytes, a batch being written and
// the small buffer of those waiting hold fewer than 60 pongs.
func TestPingFloodFromAPeerThatDoesNotRead(t *testing.T) {
	const n = 500
	c, p := newPipe(t, ReportControl(true))
	payload := func(i int) string { return fmt.Sprintf("ping %03d %s", i, bytes.Repeat([]byte{'.'}, 116)) }
	var flood []byte
	for i := range n {
		flood = append(flood, wire(proto.OpPing, true, []byte(payload(i)))...)
	}
	p.write(flood)
	within(t, "the Recvs of the pings", func() {
		for i := range n {
			f, err := c.RecvTimeout(testTimeout)
			if err != nil || f.Kind != PingFrame || f.Text() != payload(i) {
				t.Errorf("Recv %d: %v, %v", i, f, err)
				return
			}
		}
	})
	// The pongs in the order of their pings, the last one answered.
	var got []string
	for len(got) == 0 || got[len(got)-1] != payload(n-1) {
		f := p.next()
		if f.Op != proto.OpPong {
			t.Fatalf("peer: %v, want pongs", f.Op)
		}
		got = append(got, string(f.Payload))
	}
	if len(got) >= 60 {
		t.Fatalf("%d pongs for %d pings: the waiting ones were not bounded", len(got), n)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("pong %q after %q", got[i], got[i-1])
		}
	}
}

// With FragmentSize, a pong goes between the fragments of a long message
// (issue 10, item 5), and the Recv that read the ping returns while the
// message is still being written.
func TestPongBetweenFragments(t *testing.T) {
	const size, frag = 512 << 10, 1 << 10
	c, p := newPipe(t, FragmentSize(frag), ReportControl(true))
	msg := bytes.Repeat([]byte{'m'}, size)
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Binary(msg)) }()
	// The first fragment is read; the rest of the Send's first write,
	// and all that follows, waits for the peer.
	if f := p.next(); f.Op != proto.OpBinary || f.Fin || len(f.Payload) != frag {
		t.Fatalf("peer: first frame %v fin=%v of %d bytes", f.Op, f.Fin, len(f.Payload))
	}
	p.write(wire(proto.OpPing, true, []byte("mid-message")))
	var f Frame
	var err error
	within(t, "the Recv of the ping", func() { f, err = c.RecvTimeout(testTimeout) })
	if err != nil || f.Kind != PingFrame {
		t.Fatalf("Recv: %v, %v", f, err)
	}
	received, pongAt := frag, -1
	for received < size {
		f := p.next()
		switch f.Op {
		case proto.OpPong:
			if string(f.Payload) != "mid-message" {
				t.Fatalf("pong %q", f.Payload)
			}
			pongAt = received
		case proto.OpContinuation:
			received += len(f.Payload)
			if f.Fin != (received == size) {
				t.Fatalf("fragment ending at %d: fin=%v", received, f.Fin)
			}
		default:
			t.Fatalf("peer: %v inside the message", f.Op)
		}
	}
	if pongAt < 0 {
		t.Fatal("the pong did not go between the fragments")
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// The peer's close frame read while a fragmented Send is under way: the
// echo goes between fragments and ends the message, as nothing may follow
// a close frame (RFC 6455 section 5.5.1); the Send reports the close.
func TestCloseEchoBetweenFragments(t *testing.T) {
	const size, frag = 512 << 10, 1 << 10
	c, p := newPipe(t, FragmentSize(frag))
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Binary(make([]byte, size))) }()
	p.next() // the first fragment
	p.write(closeFrame(1001, "going away"))
	var err error
	within(t, "the Recv of the close", func() { _, err = c.RecvTimeout(testTimeout) })
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseGoingAway {
		t.Fatalf("Recv: %v, want the peer's close 1001", err)
	}
	for {
		f := p.next()
		if f.Op == proto.OpClose {
			break
		}
		if f.Op != proto.OpContinuation || f.Fin {
			t.Fatalf("peer: %v fin=%v before the close echo", f.Op, f.Fin)
		}
	}
	if err := <-sent; !errors.As(err, &ce) {
		t.Fatalf("Send: %v, want the peer's close", err)
	}
}

// A pong goes before every frame sent after its ping was received: a peer
// may wait for it before it goes on (Python's websockets refuses a second
// ping with the same data while the first is unanswered). Here both wait
// behind a Send that the peer holds, so the writer's order decides.
func TestPongGoesBeforeLaterSends(t *testing.T) {
	c, p := newPipe(t, ReportControl(true))
	first := make(chan error, 1)
	go func() { first <- c.Send(Binary(make([]byte, 1000))) }()
	waitParked(t, "net.(*pipe).write")
	p.write(wire(proto.OpPing, true, []byte("order")))
	if f := recvWithin(t, c); f.Kind != PingFrame {
		t.Fatalf("Recv: %v, want the ping", f)
	}
	later := make(chan error, 1)
	go func() { later <- c.Send(Text("after the ping")) }()
	deadline := time.Now().Add(testTimeout)
	for {
		c.w.mu.Lock()
		queued := c.w.queue != nil
		c.w.mu.Unlock()
		if queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the later Send did not queue its frame")
		}
		time.Sleep(time.Millisecond)
	}
	if f := p.next(); f.Op != proto.OpBinary {
		t.Fatalf("peer: %v, want the first Send's message", f.Op)
	}
	p.wantFrame(proto.OpPong, "order")
	p.wantFrame(proto.OpText, "after the ping")
	if err := errors.Join(<-first, <-later); err != nil {
		t.Fatal(err)
	}
}
