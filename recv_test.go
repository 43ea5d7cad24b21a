package ws

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// shortWait is a receive timeout meant to expire: nothing is sent during it.
const shortWait = 20 * time.Millisecond

// checkTimeout fails the test unless err is a receive timeout as DESIGN.md
// §1 defines it: ErrTimeout with errors.Is, and a net.Error whose Timeout
// reports true.
func checkTimeout(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v does not match ErrTimeout", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("error %v is not a net.Error with Timeout() == true", err)
	}
}

// gatedServer echoes what the client sends and, meanwhile, writes as it
// is each byte slice given to push, so that the test decides when each
// frame, or part of a frame, goes out.
func gatedServer(t *testing.T) (url string, push func([]byte)) {
	next := make(chan []byte)
	url = scriptedServer(t, func(sc *scriptConn) {
		echoed := make(chan struct{})
		go func() {
			defer close(echoed)
			sc.echo()
		}()
		for {
			select {
			case b := <-next:
				if sc.writeRaw(b) != nil {
					<-echoed
					return
				}
			case <-echoed:
				return
			}
		}
	})
	push = func(b []byte) {
		t.Helper()
		select {
		case next <- b:
		case <-time.After(testTimeout):
			t.Fatal("the server is gone")
		}
	}
	return url, push
}

func TestRecvTimeoutLeavesConnUsable(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url, RecvTimeout(shortWait))

	for i := range 3 {
		_, err := c.Recv() // the RecvTimeout option applies
		checkTimeout(t, err)
		_, err = c.RecvTimeout(shortWait)
		checkTimeout(t, err)
		msg := []byte{'m', byte('0' + i)}
		push(wire(proto.OpText, true, msg))
		if f := recvWithin(t, c); f.Kind != TextFrame || !bytes.Equal(f.Payload, msg) {
			t.Fatalf("after a timeout got %v, want text %q", f, msg)
		}
	}
	// Sending works too after timeouts.
	if err := c.Send(Text("still here")); err != nil {
		t.Fatalf("Send after timeouts: %v", err)
	}
	if f := recvWithin(t, c); f.Text() != "still here" {
		t.Fatalf("echo after timeouts: %v", f)
	}
}

func TestRecvTimeoutInTheMiddleOfAFrame(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)

	// A fragmented message whose second frame is cut in the middle of its
	// payload, larger than the read buffer so that the Conn holds part of
	// it when Recv times out.
	first := bytes.Repeat([]byte("first fragment "), 3000)
	second := make([]byte, 200<<10)
	for i := range second {
		second[i] = byte(i * 7)
	}
	raw := cat(wire(proto.OpBinary, false, first), wire(proto.OpContinuation, true, second))
	cut := len(raw) - len(second)/2
	push(raw[:cut])
	for range 3 {
		_, err := c.RecvTimeout(shortWait)
		checkTimeout(t, err)
	}
	push(raw[cut:])
	f := recvWithin(t, c)
	if f.Kind != BinaryFrame || !bytes.Equal(f.Payload, cat(first, second)) {
		t.Fatalf("message cut by timeouts: got %v, want binary of %d bytes", f, len(first)+len(second))
	}

	// Also with the header itself cut.
	msg := wire(proto.OpText, true, []byte("header cut"))
	push(msg[:1])
	_, err := c.RecvTimeout(shortWait)
	checkTimeout(t, err)
	push(msg[1:])
	if f := recvWithin(t, c); f.Text() != "header cut" {
		t.Fatalf("got %v after a cut header", f)
	}
}

func TestRecvContext(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)

	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	_, err := c.RecvContext(ctx)
	checkTimeout(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RecvContext past its deadline: %v does not match context.DeadlineExceeded", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := c.RecvContext(ctx)
		res <- err
	}()
	waitParked(t, "ws.(*Conn).recv")
	cancel()
	select {
	case err := <-res:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("RecvContext canceled: %v, want context.Canceled", err)
		}
		if errors.Is(err, ErrTimeout) {
			t.Fatalf("a cancellation is not a timeout: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("RecvContext did not return when canceled")
	}

	push(wire(proto.OpText, true, []byte("after cancel")))
	f, err := c.RecvContext(testCtx(t))
	if err != nil || f.Text() != "after cancel" {
		t.Fatalf("RecvContext after a cancel: %v, %v", f, err)
	}
}

// TestPassiveConnIdlesWithoutGoroutineOrBuffer backs the README: between
// Recvs a passive Conn runs no goroutine of its own and holds no pooled
// read buffer, whatever it received before.
func TestPassiveConnIdlesWithoutGoroutineOrBuffer(t *testing.T) {
	c := dial(t, echoServer(t))
	for _, f := range []Frame{Text("small"), Binary(make([]byte, 100<<10))} {
		if err := c.Send(f); err != nil {
			t.Fatal(err)
		}
		recvWithin(t, c)
	}
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		// The server's Conn waits in its handler, under net/http.
		if strings.Contains(g, "ws.(*Conn)") && !strings.Contains(g, "net/http.(*conn).serve") {
			t.Fatalf("a goroutine of the Conn runs while it is idle:\n%s", g)
		}
	}
	if c.rpool != nil || c.rbuf != nil {
		t.Fatalf("the idle Conn holds a read buffer of %d bytes", cap(c.rbuf))
	}
}
