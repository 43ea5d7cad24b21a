package ws

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// closeTimeout is the CloseTimeout of the tests whose peer never answers;
// a close handshake that completes takes no part of it.
const closeTimeout = 100 * time.Millisecond

// checkAllClosed fails the test unless every call on c answers ErrClosed.
func checkAllClosed(t *testing.T, c *Conn) {
	t.Helper()
	checks := map[string]error{
		"Send":        c.Send(Text("x")),
		"SetActive":   c.SetActive(Active),
		"Close":       c.Close(),
		"CloseWith":   c.CloseWith(CloseGoingAway, "again"),
		"Recv":        second(c.Recv()),
		"RecvTimeout": second(c.RecvTimeout(time.Millisecond)),
		"RecvContext": second(c.RecvContext(context.Background())),
	}
	for name, err := range checks {
		if err != ErrClosed {
			t.Errorf("%s on a closed Conn: %v, want ErrClosed", name, err)
		}
	}
}

func second(_ Frame, err error) error { return err }

// recordingServer echoes data until the client's close frame, answers it,
// and reports its code and reason.
func recordingServer(t *testing.T) (string, <-chan [2]any) {
	got := make(chan [2]any, 1)
	url := acceptServer(t, func(sc *Conn) {
		defer sc.Close()
		for {
			f, err := sc.RecvTimeout(testTimeout)
			var ce *CloseError
			switch {
			case errors.As(err, &ce):
				got <- [2]any{uint16(ce.Code), ce.Reason}
				return
			case err != nil:
				got <- [2]any{err, ""}
				return
			}
			sc.Send(f)
		}
	}, nil)
	return url, got
}

func TestClientClose(t *testing.T) {
	url, got := recordingServer(t)
	c := dial(t, url)
	if err := c.Send(Text("hi")); err != nil {
		t.Fatal(err)
	}
	recvWithin(t, c)
	if err := c.CloseWith(CloseNormal, "Goodbye"); err != nil {
		t.Fatalf("CloseWith: %v", err)
	}
	waitDone(t, c) // CloseWith returns only once the goroutine ended
	select {
	case g := <-got:
		if g != [2]any{uint16(1000), "Goodbye"} {
			t.Fatalf("the server got %v, want 1000 \"Goodbye\"", g)
		}
	case <-time.After(testTimeout):
		t.Fatal("the server got no close frame")
	}
	checkAllClosed(t, c)
}

func TestServerClose(t *testing.T) {
	url, codes := scriptServer(t, cat(wire(proto.OpText, true, []byte("last words")), closeFrame(4000, "bye")))
	c := dial(t, url)
	if f := recvWithin(t, c); f.Text() != "last words" {
		t.Fatalf("got %v", f)
	}
	_, err := c.RecvTimeout(testTimeout)
	var ce *CloseError
	if !errors.As(err, &ce) || *ce != (CloseError{Code: 4000, Reason: "bye"}) {
		t.Fatalf("Recv: %v, want *CloseError{4000, \"bye\"}", err)
	}
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("%v does not match ErrClosed", err)
	}
	codes.want(t, 4000) // echoed
	waitDone(t, c)
	// The ended Conn keeps saying why, until Close.
	if err := c.Send(Text("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after the server's close: %v, want an error matching ErrClosed", err)
	}
	if err := c.SetActive(Active); !errors.As(err, &ce) {
		t.Fatalf("SetActive after the server's close: %v, want the *CloseError", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close after the server's close: %v", err)
	}
	checkAllClosed(t, c)
}

func TestCloseUnanswered(t *testing.T) {
	clientGone := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		// Read the close frame, answer nothing, keep the TCP connection
		// until the client drops it.
		defer close(clientGone)
		sc.readClose()
		sc.nc.SetReadDeadline(time.Now().Add(testTimeout))
		io.Copy(io.Discard, sc.nc)
	})
	c := dial(t, url, CloseTimeout(closeTimeout))
	err := c.Close()
	if err == nil {
		t.Fatal("Close succeeded though the peer never answered")
	}
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Close: %v, want a timeout", err)
	}
	waitDone(t, c)
	select {
	case <-clientGone:
	case <-time.After(testTimeout):
		t.Fatal("the client did not close the TCP connection")
	}
	checkAllClosed(t, c)
}

// TestCloseAnsweredTCPKept: the peer answers the close frame but leaves
// the TCP connection open (section 7.1.1 asks the server to close it
// first). The handshake completed: Close succeeds, within CloseTimeout.
func TestCloseAnsweredTCPKept(t *testing.T) {
	clientGone := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		defer close(clientGone)
		code, _, _ := sc.readClose()
		sc.closeWith(code, "")
		sc.nc.SetReadDeadline(time.Now().Add(testTimeout))
		io.Copy(io.Discard, sc.nc)
	})
	c := dial(t, url, CloseTimeout(closeTimeout))
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v, want nil: the peer answered", err)
	}
	waitDone(t, c)
	select {
	case <-clientGone:
	case <-time.After(testTimeout):
		t.Fatal("the client did not close the TCP connection")
	}
}

func TestCloseWhileRecvBlocked(t *testing.T) {
	c := dial(t, echoServer(t))
	res := make(chan error, 2)
	go func() { res <- second(c.Recv()) }()
	go func() { res <- second(c.RecvContext(testCtx(t))) }()
	waitParked(t, "ws.(*Conn).recv")
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range 2 {
		select {
		case err := <-res:
			if err != ErrClosed {
				t.Fatalf("blocked Recv: %v, want ErrClosed", err)
			}
		case <-time.After(testTimeout):
			t.Fatal("a Recv blocked during Close never returned")
		}
	}
	waitDone(t, c)
}

// TestCloseWhileSendBlocked: a Send blocked on a peer that reads nothing
// does not hold Close past its CloseTimeout.
func TestCloseWhileSendBlocked(t *testing.T) {
	release := make(chan struct{})
	url := scriptedServer(t, func(sc *scriptConn) {
		select { // read nothing
		case <-release:
		case <-time.After(testTimeout):
		}
	})
	defer close(release)
	c := dial(t, url, CloseTimeout(closeTimeout))
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Binary(make([]byte, 256<<20))) }()
	waitParked(t, "ws.(*writer).writeOut")

	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case <-closed: // an error or not: the close frame could not go out
	case <-time.After(testTimeout):
		t.Fatal("Close blocked behind a Send")
	}
	select {
	case err := <-sent:
		if err == nil {
			t.Fatal("the blocked Send succeeded")
		}
	case <-time.After(testTimeout):
		t.Fatal("the blocked Send never returned")
	}
	waitDone(t, c)
	checkAllClosed(t, c)
}

func TestAbruptServerClose(t *testing.T) {
	for _, mode := range []Mode{Passive, Active} {
		t.Run(mode.String(), func(t *testing.T) {
			url := scriptedServer(t, func(sc *scriptConn) {
				sc.writeFrame(proto.OpText, []byte("then nothing"))
				sc.nc.Close()
			})
			c := dial(t, url, ActiveMode(mode))
			var err error
			if mode == Passive {
				if f := recvWithin(t, c); f.Text() != "then nothing" {
					t.Fatalf("got %v", f)
				}
				_, err = c.RecvTimeout(testTimeout)
			} else {
				if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "then nothing" {
					t.Fatalf("got %+v", ev)
				}
				err = nextEvent(t, c.Events()).Err
				if _, ok := <-c.Events(); ok {
					t.Fatal("Events not closed after the last event")
				}
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != CloseAbnormal {
				t.Fatalf("after an abrupt close: %v, want *CloseError with 1006", err)
			}
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("%v does not match ErrClosed", err)
			}
			waitDone(t, c)
			if err := c.Close(); err != nil {
				t.Fatalf("Close after the end: %v", err)
			}
			checkAllClosed(t, c)
		})
	}
}

// TestCloseWithEventsPending: Close ends a Conn whose consumer took
// nothing, in every mode, holding a message or its last event.
func TestCloseWithEventsPending(t *testing.T) {
	for _, mode := range []Mode{Passive, Active, ActiveOnce} {
		for _, script := range [][]byte{seqMessages(0, 5), closeFrame(1001, "away")} {
			url, _ := scriptServer(t, script)
			c := dial(t, url, ActiveMode(mode))
			if mode != Passive {
				waitParked(t, "ws.(*Conn).deliver")
			} // else what came waits in the socket until a Recv
			if err := c.Close(); err != nil {
				t.Fatalf("%v: Close: %v", mode, err)
			}
			waitDone(t, c)
			checkAllClosed(t, c)
		}
	}
}

// TestCloseDropsMessagesBeforeThePeersClose: messages the server sends
// after the client's close frame, before its own, are read and dropped,
// and the handshake completes as soon as the server's close frame comes;
// CloseTimeout is far beyond the test's bound.
func TestCloseDropsMessagesBeforeThePeersClose(t *testing.T) {
	url := scriptedServer(t, func(sc *scriptConn) {
		sc.writeRaw(cat(seqMessages(0, 3)))
		sc.readClose()
		sc.writeRaw(cat(seqMessages(3, 3), closeFrame(1000, "")))
	})
	c := dial(t, url, CloseTimeout(time.Hour))
	if f := recvWithin(t, c); seqOf(t, f) != 0 {
		t.Fatalf("got %v, want message 0", f)
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close did not return after the server's close frame")
	}
	waitDone(t, c)
}

// Close waits, at most CloseTimeout, for the server to close the TCP
// connection after the close handshake: the server closes it first (RFC
// 6455 section 7.1.1). Here the peer holds it open until the test says.
func TestCloseWaitsForTheServerToCloseFirst(t *testing.T) {
	c, p := newPipe(t, CloseTimeout(testTimeout))
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	p.wantClose(1000)
	p.write(closeFrame(1000, ""))
	waitParked(t, "io.Copy") // the Conn reads on, waiting for the end
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the server closed the connection", err)
	default:
	}
	p.nc.Close()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
}
