package ws

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// The fault tests: a peer that fails in the ways a network or a broken
// server fails. Every message that arrived before the fault is delivered
// first, every wait is bounded, and the Conn ends with its socket closed
// (waitDone; TestMain's goleak checks that no goroutine is left).

// deliveredThenEnd takes the three numbered messages of seqMessages(0, 3)
// from c in its mode, then returns the error that ended the connection.
func deliveredThenEnd(t *testing.T, c *Conn, mode Mode) error {
	t.Helper()
	for i := range 3 {
		var f Frame
		if mode == Passive {
			f = recvWithin(t, c)
		} else {
			ev := nextEvent(t, c.Events())
			if ev.Err != nil {
				t.Fatalf("error event %v before message %d", ev.Err, i)
			}
			f = ev.Frame
		}
		if seqOf(t, f) != i {
			t.Fatalf("got message %d, want %d", seqOf(t, f), i)
		}
	}
	if mode == Passive {
		_, err := c.RecvTimeout(testTimeout)
		return err
	}
	ev := nextEvent(t, c.Events())
	if ev.Conn != c {
		t.Fatalf("last event %+v names another Conn", ev)
	}
	if _, ok := <-c.Events(); ok {
		t.Fatal("Events not closed after the last event")
	}
	return ev.Err
}

// cutFrames are the ways a server's stream can stop in the middle of a
// frame: each is what goes out after three whole messages.
func cutFrames() []struct {
	name string
	tail []byte
} {
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KiB: a 10-byte header
	huge := make([]byte, 1<<20)                            // read straight into its message
	return []struct {
		name string
		tail []byte
	}{
		{"half of a 2-byte header", wire(proto.OpText, true, []byte("short"))[:1]},
		{"half of a 10-byte header", wire(proto.OpBinary, true, big)[:5]},
		{"half of a payload", wire(proto.OpBinary, true, big)[:10+len(big)/2]},
		{"half of a payload larger than the read buffer", wire(proto.OpBinary, true, huge)[:10+len(huge)/2]},
		{"between two fragments", wire(proto.OpText, false, []byte("first fragment"))},
		{"half of a continuation", cat(wire(proto.OpText, false, []byte("first ")), wire(proto.OpContinuation, true, big)[:100])},
	}
}

// TestFaultPeerVanishesMidFrame: the server's TCP connection ends (FIN)
// in the middle of a frame. What came whole before is delivered, then the
// end, as RFC 6455 section 7.1.5 names it: *CloseError with 1006.
func TestFaultPeerVanishesMidFrame(t *testing.T) {
	for _, cut := range cutFrames() {
		for _, mode := range []Mode{Passive, Active} {
			t.Run(cut.name+"/"+mode.String(), func(t *testing.T) {
				url := rawServer(t, func(nc net.Conn, r *http.Request) {
					nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3), cut.tail))
				}) // then rawServer closes the connection
				c := dial(t, url, ActiveMode(mode))
				err := deliveredThenEnd(t, c, mode)
				var ce *CloseError
				if !errors.As(err, &ce) || ce.Code != CloseAbnormal || ce.Reason != "" || !errors.Is(err, ErrClosed) {
					t.Fatalf("end: %v, want *CloseError 1006 without a reason", err)
				}
				waitDone(t, c)
				if err := c.Close(); err != nil {
					t.Fatalf("Close after the end: %v", err)
				}
				checkAllClosed(t, c)
			})
		}
	}
}

// TestFaultPeerResetsMidFrame: the same, but the server's connection is
// reset (RST, as when the peer's process dies with data unread). The
// messages before still come, then the reset, and the Conn ends.
func TestFaultPeerResetsMidFrame(t *testing.T) {
	for _, cut := range cutFrames() {
		t.Run(cut.name, func(t *testing.T) {
			c := dial(t, resetServer(t, cut.tail))
			err := deliveredThenEnd(t, c, Passive)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("end: %v, want the reset", err)
			}
			waitDone(t, c)
			if err := c.Close(); err != nil {
				t.Fatalf("Close after the end: %v", err)
			}
			checkAllClosed(t, c)
		})
	}
}

// resetServer sends three numbered messages and tail, then resets the
// connection.
func resetServer(t *testing.T, tail []byte) string {
	return rawServer(t, func(nc net.Conn, r *http.Request) {
		nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3), tail))
		nc.(*net.TCPConn).SetLinger(0) // the close sends RST
	})
}

// TestFaultResetEndsAsClosed: a reset ends the connection without a close
// frame, which RFC 6455 section 7.1.5 calls 1006, as CloseError's doc
// does; and ErrClosed's doc says calls on a Conn that ended match it.
func TestFaultResetEndsAsClosed(t *testing.T) {
	c := dial(t, resetServer(t, nil))
	err := deliveredThenEnd(t, c, Passive)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAbnormal || !errors.Is(err, ErrClosed) {
		t.Errorf("end after a reset: %v, want *CloseError 1006", err)
	}
	if err := c.Send(Text("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after a reset: %v, want an error matching ErrClosed", err)
	}
}

// TestFaultPeerStopsReading: the server stops reading. The client's Sends
// fill the socket buffers and then block; receiving goes on meanwhile.
// Close does not wait on the peer: its close frame cannot go out, so it
// gives up at its CloseTimeout and the blocked Send fails with it.
func TestFaultPeerStopsReading(t *testing.T) {
	more, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3)))
		select { // read nothing, ever
		case <-more:
			nc.Write(seqMessages(3, 1))
		case <-time.After(testTimeout):
			return
		}
		select {
		case <-release:
		case <-time.After(testTimeout):
		}
	})
	c := dial(t, url, CloseTimeout(closeTimeout))
	for i := range 3 {
		if f := recvWithin(t, c); seqOf(t, f) != i {
			t.Fatalf("got message %d, want %d", seqOf(t, f), i)
		}
	}
	sent := make(chan error, 1)
	go func() {
		msg := Binary(make([]byte, 64<<10))
		for {
			if err := c.Send(msg); err != nil {
				sent <- err
				return
			}
		}
	}()
	// Blocked in the socket write: the buffers are full, and stay so.
	waitParked(t, "ws.(*writer).send")
	close(more)
	if f := recvWithin(t, c); seqOf(t, f) != 3 {
		t.Fatalf("while a Send is blocked got message %d, want 3", seqOf(t, f))
	}

	start := time.Now()
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	var err error
	select {
	case err = <-closed:
	case <-time.After(testTimeout):
		t.Fatal("Close waited on a peer that reads nothing")
	}
	t.Logf("Close returned after %v (CloseTimeout %v): %v", time.Since(start), closeTimeout, err)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Close: %v, want a timeout matching ErrTimeout: the close frame could not go out", err)
	}
	select {
	case err := <-sent:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("the blocked Send: %v, want an error matching ErrClosed", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the blocked Send never returned")
	}
	waitDone(t, c)
	checkAllClosed(t, c)
}

// TestFaultHalfOpen: the server goes silent without closing anything, as
// a peer whose host is gone or whose network dropped (no FIN, no RST).
// Receive timeouts report it and leave the Conn usable; Close gives up at
// its CloseTimeout, since no close frame comes back.
func TestFaultHalfOpen(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3)))
		select { // neither read, nor write, nor close
		case <-release:
		case <-time.After(testTimeout):
		}
	})
	c := dial(t, url, RecvTimeout(shortWait), CloseTimeout(closeTimeout))
	for i := range 3 {
		if f := recvWithin(t, c); seqOf(t, f) != i {
			t.Fatalf("got message %d, want %d", seqOf(t, f), i)
		}
	}
	for range 3 {
		_, err := c.Recv()
		checkTimeout(t, err)
	}
	// Still usable: what is sent goes to the socket's buffers.
	if err := c.Send(Text("into the silence")); err != nil {
		t.Fatalf("Send after timeouts: %v", err)
	}
	if err := c.Send(Ping([]byte("anyone?"))); err != nil {
		t.Fatalf("Send ping after timeouts: %v", err)
	}
	if err := c.SetActive(Active); err != nil {
		t.Fatalf("SetActive after timeouts: %v", err)
	}
	select {
	case ev := <-c.Events():
		t.Fatalf("event %+v from a silent peer", ev)
	case <-time.After(shortWait):
	}

	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Close: %v, want a timeout: the peer never answered", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close waited on a silent peer")
	}
	waitDone(t, c)
	checkAllClosed(t, c)
}

// TestFaultPeerVanishesDuringSend: the server dies (RST) while the client
// sends a large message, after three messages the client took. The Send
// fails, bounded, and the Conn ends.
func TestFaultPeerVanishesDuringSend(t *testing.T) {
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		nc.Write(cat([]byte(switching(r, "")), seqMessages(0, 3)))
		dieReading(nc)
	})
	c := dial(t, url)
	for i := range 3 {
		if f := recvWithin(t, c); seqOf(t, f) != i {
			t.Fatalf("got message %d, want %d", seqOf(t, f), i)
		}
	}
	sendToTheDead(t, c)
	if _, err := c.RecvTimeout(testTimeout); err == nil {
		t.Fatal("Recv after the peer died succeeded")
	}
	waitDone(t, c)
	if err := c.Close(); err != nil {
		t.Fatalf("Close after the end: %v", err)
	}
	checkAllClosed(t, c)
}

// dieReading reads the start of the client's data, then closes the
// connection with the rest unread, which makes the kernel send RST.
func dieReading(nc net.Conn) {
	nc.SetReadDeadline(time.Now().Add(testTimeout))
	nc.Read(make([]byte, 1024))
	nc.(*net.TCPConn).SetLinger(0)
}

// sendToTheDead sends more than the socket buffers hold to a server that
// dies reading it, and fails the test unless the Send fails.
func sendToTheDead(t *testing.T, c *Conn) {
	t.Helper()
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Binary(make([]byte, 64<<20))) }()
	select {
	case err := <-sent:
		if err == nil {
			t.Fatal("Send of 64 MiB to a peer that died succeeded")
		}
	case <-time.After(testTimeout):
		t.Fatal("Send to a peer that died never returned")
	}
}

// TestFaultRefusalKeptWhenSendFails: a server refuses a message too big
// for it as servers do: it reads the header, answers with its close frame
// and closes the connection with the rest unread, so the kernel resets it
// (section 7.1.7 lets it fail the connection at once). The client's Send
// fails; its Recv must still report the server's close frame, which
// arrived before the reset and waits in the socket's receive buffer (the
// kernel keeps it readable: a read returns it after the write failed).
func TestFaultRefusalKeptWhenSendFails(t *testing.T) {
	url := rawServer(t, func(nc net.Conn, r *http.Request) {
		io.WriteString(nc, switching(r, ""))
		nc.SetReadDeadline(time.Now().Add(testTimeout))
		if _, err := io.ReadFull(nc, make([]byte, 14)); err != nil { // a masked header with a 64-bit length
			return
		}
		nc.Write(closeFrame(1009, "too big"))
		nc.(*net.TCPConn).SetLinger(0)
	})
	c := dial(t, url) // passive: nothing reads the socket until Recv
	sendToTheDead(t, c)
	_, err := c.RecvTimeout(testTimeout)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseMessageTooBig || ce.Reason != "too big" {
		t.Fatalf("Recv after the refusal: %v, want the server's *CloseError{1009, \"too big\"}", err)
	}
	waitDone(t, c)
}
