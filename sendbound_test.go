package ws

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// waitQueued waits until the writer has taken n batches of frames or
// replies into its queue, the sends behind a blocked write.
func waitQueued(t testing.TB, c *Conn, n uint64) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		c.w.mu.Lock()
		q := c.w.queued
		c.w.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the writer did not queue %d batches", n)
}

// A bounded send queued behind a blocked write leaves the queue when its
// bound passes: nothing of it is written, the frames queued after it go
// out whole, and the Conn stays usable.
func TestSendContextLeavesTheQueue(t *testing.T) {
	c, p := newPipe(t)
	sent := make(chan error, 3)
	go func() { sent <- c.Send(Binary(make([]byte, 1000))) }()
	waitParked(t, "net.(*pipe).write")
	ctx, cancel := context.WithCancel(context.Background())
	bounded := make(chan error, 1)
	go func() { bounded <- c.SendContext(ctx, Text("dropped")) }()
	waitQueued(t, c, 1)
	go func() { sent <- c.Send(Text("after, unbounded")) }()
	waitQueued(t, c, 2)
	go func() { sent <- c.SendContext(testCtx(t), Text("after, bounded")) }()
	waitQueued(t, c, 3)
	cancel()
	if err := <-bounded; !errors.Is(err, context.Canceled) {
		t.Fatalf("SendContext: %v, want context.Canceled", err)
	}
	if f := p.next(); f.Op != proto.OpBinary || len(f.Payload) != 1000 {
		t.Fatalf("peer: %v of %d bytes", f.Op, len(f.Payload))
	}
	p.wantFrame(proto.OpText, "after, unbounded")
	p.wantFrame(proto.OpText, "after, bounded")
	for range 3 {
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	}
	go c.Send(Text("usable"))
	p.wantFrame(proto.OpText, "usable")
}

// A send that waits for a writer busy with a large frame gives up at its
// bound with ErrTimeout, nothing written.
func TestSendTimeoutWaitingForTheWriter(t *testing.T) {
	c, p := newPipe(t, SendTimeout(20*time.Millisecond))
	first := make(chan error, 1)
	go func() { first <- c.SendContext(testCtx(t), Binary(make([]byte, 64<<10))) }()
	waitParked(t, "net.(*pipe).write")
	err := c.Send(Binary(make([]byte, 8<<10))) // too large to queue: waits to write
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrClosed) {
		t.Fatalf("Send: %v, want ErrTimeout", err)
	}
	if f := p.next(); len(f.Payload) != 64<<10 {
		t.Fatalf("peer: %v of %d bytes", f.Op, len(f.Payload))
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// A send whose own write cannot start (the peer reads nothing) gives up
// at its bound with nothing out, and the Conn stays usable.
func TestSendTimeoutBeforeAByteLeavesTheConnUsable(t *testing.T) {
	c, p := newPipe(t, SendTimeout(20*time.Millisecond))
	err := c.Send(Binary(make([]byte, 1000)))
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrClosed) {
		t.Fatalf("Send: %v, want ErrTimeout", err)
	}
	go c.SendContext(testCtx(t), Text("usable"))
	p.wantFrame(proto.OpText, "usable")
}

// A send cut short once part of its frame is out cannot leave the stream
// half-framed: the connection is dropped, and says why.
func TestSendCutMidFrameDropsTheConn(t *testing.T) {
	c, p := newPipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() { sent <- c.SendContext(ctx, Binary(make([]byte, 100<<10))) }()
	head := make([]byte, 10)
	p.nc.SetReadDeadline(time.Now().Add(testTimeout))
	if _, err := io.ReadFull(p.nc, head); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := <-sent
	if !errors.Is(err, ErrClosed) || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "part of a frame") {
		t.Fatalf("SendContext: %v, want the connection dropped", err)
	}
	_, err = c.RecvTimeout(testTimeout)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAbnormal || !errors.Is(err, errSendCut) {
		t.Fatalf("Recv after the cut: %v, want a *CloseError 1006 wrapping the cut", err)
	}
}

// A bounded send whose frames are being written when its bound passes
// cuts the write: the stream is broken and the connection dropped.
func TestSendContextCutsItsBatchInFlight(t *testing.T) {
	c, p := newPipe(t)
	first := make(chan error, 1)
	go func() { first <- c.Send(Binary(make([]byte, 1000))) }()
	waitParked(t, "net.(*pipe).write")
	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() { sent <- c.SendContext(ctx, Text("queued")) }()
	waitQueued(t, c, 1)
	p.next() // the first frame: the queue's write starts, and blocks
	waitParked(t, "net.(*pipe).write")
	cancel()
	if err := <-sent; !errors.Is(err, errSendCut) {
		t.Fatalf("SendContext: %v, want the cut", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("the first Send: %v", err)
	}
}

// SendFrom holds the message lock while it streams: a bounded send waits
// for it no longer than its bound.
func TestSendContextWaitsForAStreamNoLonger(t *testing.T) {
	c, p := newPipe(t)
	r, w := io.Pipe()
	streamed := make(chan error, 1)
	go func() { streamed <- c.SendFrom(BinaryFrame, r) }()
	go w.Write(make([]byte, streamFragment)) // the first fragment
	if f := p.next(); f.Op != proto.OpBinary || f.Fin {
		t.Fatalf("peer: %v fin %v, want the first fragment", f.Op, f.Fin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := c.SendContext(ctx, Text("between")); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SendContext: %v, want ErrTimeout and context.DeadlineExceeded", err)
	}
	w.Close()
	if f := p.next(); f.Op != proto.OpContinuation || !f.Fin {
		t.Fatalf("peer: %v fin %v, want the last fragment", f.Op, f.Fin)
	}
	if err := <-streamed; err != nil {
		t.Fatal(err)
	}
}

// Over TCP, a server that stops reading: sends go on until the socket's
// buffers fill, then one gives up at its bound, either with nothing
// written (ErrTimeout, the Conn usable) or cut mid-frame (the connection
// dropped, and Recv says why). None waits past its bound for long.
func TestSendTimeoutAgainstAServerThatStopsReading(t *testing.T) {
	stop := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		select {
		case <-stop:
		case <-time.After(testTimeout):
		}
	})
	defer close(stop)
	c := dial(t, url, SendTimeout(50*time.Millisecond))
	msg := Binary(make([]byte, 64<<10))
	var err error
	within(t, "the sends", func() {
		for i := 0; i < 10000 && err == nil; i++ {
			err = c.Send(msg)
		}
	})
	switch {
	case errors.Is(err, ErrTimeout) && !errors.Is(err, ErrClosed):
		if err := c.SendContext(testCtx(t), Text("x")); err != nil && !errors.Is(err, ErrTimeout) {
			t.Fatalf("the Conn is not usable after a clean timeout: %v", err)
		}
	case errors.Is(err, errSendCut):
		_, rerr := c.RecvTimeout(testTimeout)
		if !errors.Is(rerr, errSendCut) {
			t.Fatalf("Recv after the cut: %v", rerr)
		}
	default:
		t.Fatalf("Send: %v, want a timeout or a cut", err)
	}
}
