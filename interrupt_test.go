package ws

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// A Recv whose context ends after its first look at the Conn's state and
// before it reads (issue 10, item 1): the call ends, the Conn does not.
func TestRecvContextEndsOnlyTheCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, func())
		want error
	}{
		{"canceled", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, func()) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			return ctx, func() { <-ctx.Done(); cancel() }
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := newPipe(t)
			inner, end := tc.ctx()
			var err error
			within(t, "RecvContext", func() { _, err = c.RecvContext(&hookCtx{Context: inner, hook: end}) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("RecvContext: %v, want %v", err, tc.want)
			}
			// The Conn is as it was: the next message arrives, Send goes out.
			p.write(wire(proto.OpText, true, []byte("after")))
			if f := recvWithin(t, c); f.Text() != "after" {
				t.Fatalf("Recv after the interrupted call: %v", f)
			}
			sent := make(chan error, 1)
			go func() { sent <- c.Send(Text("still open")) }()
			p.wantFrame(proto.OpText, "still open")
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// SetActive in the same window (issue 10, item 2): the Recv returns
// ErrActiveMode and the next message is an Event.
func TestSetActiveBeforeRecvReadsEndsOnlyTheCall(t *testing.T) {
	c, p := newPipe(t)
	var setErr, err error
	ctx := &hookCtx{Context: context.Background(), hook: func() { setErr = c.SetActive(Active) }}
	within(t, "RecvContext", func() { _, err = c.RecvContext(ctx) })
	if setErr != nil || !errors.Is(err, ErrActiveMode) {
		t.Fatalf("SetActive: %v; RecvContext: %v, want nil and ErrActiveMode", setErr, err)
	}
	p.write(wire(proto.OpText, true, []byte("after")))
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "after" {
		t.Fatalf("event %+v, want the message after the mode change", ev)
	}
}

// The Recv that ends the connection while the mode has just turned active
// returns at once; the last Event waits for its consumer in the pump,
// not in the Recv (issue 10, item 4): a goroutine that alternates Recv
// and Events does not deadlock.
func TestRecvEndingAnActiveConnDoesNotWaitForEvents(t *testing.T) {
	c, p := newPipeRead(t, cat(wire(proto.OpText, true, []byte("first")), closeFrame(1000, "bye")))
	if f := recvWithin(t, c); f.Text() != "first" {
		t.Fatalf("Recv: %v", f)
	}
	// The peer's close frame is read already: the next Recv ends the
	// connection without a read, after SetActive.
	ctx := &hookCtx{Context: context.Background(), hook: func() { c.SetActive(Active) }}
	var err error
	within(t, "the Recv that ended the connection", func() { _, err = c.RecvContext(ctx) })
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseNormal {
		t.Fatalf("RecvContext: %v, want the peer's close 1000", err)
	}
	if ev := nextEvent(t, c.Events()); !errors.As(ev.Err, &ce) || ce.Code != CloseNormal {
		t.Fatalf("last event %+v, want the close", ev)
	}
	p.wantClose(1000) // the echo
}

// A loop of RecvContext with deadlines of a few microseconds over a long
// stream, the user's program of issue 10, item 1: every message arrives,
// in order, whatever the moment each deadline falls on.
func TestRecvContextTinyDeadlinesLoseNothing(t *testing.T) {
	const n = 2000
	c := dial(t, countingServer(t, n, false))
	rng := rand.New(rand.NewPCG(10, 1))
	deadline := time.Now().Add(testTimeout)
	for i := 0; i < n; {
		if time.Now().After(deadline) {
			t.Fatalf("message %d of %d not received in time", i, n)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(1+rng.IntN(100))*time.Microsecond)
		f, err := c.RecvContext(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			continue
		}
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := number(f); got != i {
			t.Fatalf("message %d: got %d", i, got)
		}
		i++
	}
}

// One goroutine toggles the mode at random during a stream, taking
// Events in the active modes and calling RecvTimeout(1ms) in passive
// mode, as in issue 10, item 4: every message arrives once and in order,
// then the close, whichever mode each moment falls in, and no call blocks.
func TestModeTogglingLosesNothing(t *testing.T) {
	const n = 2000
	c := dial(t, countingServer(t, n, true))
	rng := rand.New(rand.NewPCG(4, 10))
	next := 0
	got := func(f Frame) {
		t.Helper()
		if v := number(f); v != next {
			t.Fatalf("message %d, want %d", v, next)
		}
		next++
	}
	ended := func(err error) bool {
		t.Helper()
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != CloseNormal {
			t.Fatalf("after message %d: %v, want the close", next, err)
		}
		return true
	}
	deadline := time.Now().Add(testTimeout)
	for done := false; !done; {
		if time.Now().After(deadline) {
			t.Fatalf("message %d of %d not received in time", next, n)
		}
		mode := Mode(rng.IntN(3))
		if err := c.SetActive(mode); err != nil {
			done = ended(err)
			continue
		}
		if mode == Passive {
			f, err := c.RecvTimeout(time.Millisecond)
			switch {
			case err == nil:
				got(f)
			case !errors.Is(err, ErrTimeout):
				done = ended(err)
			}
			continue
		}
		select {
		case ev, ok := <-c.Events():
			switch {
			case !ok:
				t.Fatalf("Events closed after message %d without a last event", next)
			case ev.Err != nil:
				done = ended(ev.Err)
			default:
				got(ev.Frame)
			}
		case <-time.After(time.Millisecond):
		}
		c.SetActive(Passive)
	}
	if next != n {
		t.Fatalf("%d messages of %d before the close", next, n)
	}
}

// countingServer sends n binary messages numbered from 0, then, with
// closeAfter, its close frame; it answers the client's close.
func countingServer(t testing.TB, n int, closeAfter bool) string {
	return acceptServer(t, func(sc *Conn) {
		defer sc.Close()
		for i := range n {
			if sc.Send(Binary([]byte{byte(i), byte(i >> 8)})) != nil {
				return
			}
		}
		if closeAfter {
			sc.CloseWith(CloseNormal, "")
			return
		}
		for {
			if _, err := sc.RecvTimeout(testTimeout); err != nil {
				return
			}
		}
	}, nil)
}

// number is the number of a countingServer's message.
func number(f Frame) int { return int(f.Payload[0]) | int(f.Payload[1])<<8 }
