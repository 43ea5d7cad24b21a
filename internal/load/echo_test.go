package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// echoSeed seeds every connection's stream: a failure replays exactly.
const echoSeed = 20260101

// TestLoadEcho runs many connections at once, each sending its stream and
// checking every echo as it comes back, from another goroutine than the
// sender's (passive mode is full duplex). Connections take turns at the
// three modes, and every fourth sends messages over 1000 bytes in
// fragments. Each ends with a completed close handshake, which the server
// confirms.
func TestLoadEcho(t *testing.T) {
	conns, msgs := size(20, 100, 100), size(200, 1000, 100_000)
	var clean atomic.Int64 // connections whose close the server echoed
	var serverErrs sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := ws.Accept(w, r)
		if err != nil {
			serverErrs.Store(r.RemoteAddr, err)
			return
		}
		if err := serveEcho(sc); err != nil {
			serverErrs.Store(r.RemoteAddr, err)
			return
		}
		clean.Add(1)
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	var bytesSent atomic.Int64
	for id := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := echoConn(url, id, msgs, newStream, false)
			bytesSent.Add(n)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait() // every step of echoConn is bounded
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	elapsed := time.Since(start)
	// The server counts a close once it has echoed it, a moment before it
	// closes the TCP connection whose end the client's Close waits for.
	for deadline := time.Now().Add(stallTimeout); clean.Load() < int64(conns); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			serverErrs.Range(func(k, v any) bool { t.Errorf("server, connection from %v: %v", k, v); return true })
			t.Fatalf("the server saw %d clean closes of %d", clean.Load(), conns)
		}
	}
	t.Logf("%d connections x %d messages, %.0f MiB each way, in %v", conns, msgs, float64(bytesSent.Load())/(1<<20), elapsed.Round(time.Millisecond))
}

var modes = []ws.Mode{ws.Passive, ws.Active, ws.ActiveOnce}

// dialing lets 32 Connects run at once: a thousand at once overflow the
// listener's queue, and the SYNs dropped are sent again only after
// seconds of backoff, which at full scale made a few connects run out of
// stallTimeout.
var dialing = make(chan struct{}, 32)

// echoConn runs connection id: it sends n messages of the stream that
// streamOf makes from one goroutine and checks their echoes in this one,
// then closes. It returns the payload bytes sent. With pongsAhead, a pong
// may come before the echoes of the messages sent before its ping: a
// server that answers pings as it reads them, apart from the echoes its
// handler sends (RFC 6455 section 5.5.2 asks a pong "as soon as
// practical"), as ws.Accept's Conn does; the pongs and the echoes each
// come in their order.
func echoConn(url string, id, n int, streamOf func(seed uint64, conn int) *stream, pongsAhead bool) (int64, error) {
	mode := modes[id%len(modes)]
	opts := []ws.Option{ws.ActiveMode(mode), ws.ConnectTimeout(stallTimeout), ws.CloseTimeout(stallTimeout), ws.ReportControl(true)}
	if id%4 == 3 {
		opts = append(opts, ws.FragmentSize(1000))
	}
	ctx, cancel := context.WithTimeout(context.Background(), stallTimeout)
	defer cancel()
	select {
	case dialing <- struct{}{}:
	case <-ctx.Done():
		return 0, fmt.Errorf("conn %d: waiting to connect: %w", id, ctx.Err())
	}
	c, err := ws.Connect(ctx, url, opts...)
	<-dialing
	if err != nil {
		return 0, fmt.Errorf("conn %d: %w", id, err)
	}
	type result struct {
		bytes int64
		err   error
	}
	sent := make(chan result, 1)
	go func() {
		var r result
		s := streamOf(echoSeed, id)
		for i := range n {
			f, _ := s.next()
			if r.err = c.Send(f); r.err != nil {
				r.err = fmt.Errorf("conn %d: Send of message %d: %w", id, i, r.err)
				break
			}
			r.bytes += int64(len(f.Payload))
		}
		sent <- r
	}()
	// fail closes the Conn, which ends a blocked Send too, and waits for
	// the sender.
	fail := func(err error) (int64, error) {
		c.Close()
		select {
		case r := <-sent:
			return r.bytes, err
		case <-time.After(stallTimeout):
			return 0, fmt.Errorf("%w; and the sender did not end", err)
		}
	}
	want := &expected{s: streamOf(echoSeed, id), left: n, pongsAhead: pongsAhead}
	for i := range n {
		got, err := receive(c, mode)
		if err != nil {
			return fail(fmt.Errorf("conn %d (%v): message %d of %d: %w", id, mode, i, n, err))
		}
		if m := mismatch(got, want.next(got.Kind == ws.PongFrame)); m != "" {
			return fail(fmt.Errorf("conn %d (%v): message %d of %d: %s", id, mode, i, n, m))
		}
	}
	var r result
	select {
	case r = <-sent:
	case <-time.After(stallTimeout):
		return fail(fmt.Errorf("conn %d: every echo came, but the sender never ended", id))
	}
	if r.err != nil {
		return fail(r.err)
	}
	if err := c.Close(); err != nil {
		return r.bytes, fmt.Errorf("conn %d: Close: %w", id, err)
	}
	return r.bytes, nil
}

// expected yields what a connection must receive next: the stream's
// echoes in order, or with pongsAhead, the pongs in their order and the
// other echoes in theirs.
type expected struct {
	s          *stream
	left       int // frames of the stream not yet taken from it
	pongsAhead bool
	pending    []ws.Frame // taken from the stream, not yet received
}

// next returns the frame to compare with one received, which is a pong
// when pong is set.
func (e *expected) next(pong bool) ws.Frame {
	for i, f := range e.pending {
		if !e.pongsAhead || (f.Kind == ws.PongFrame) == pong {
			e.pending = append(e.pending[:i], e.pending[i+1:]...)
			return f
		}
	}
	for e.left > 0 {
		_, f := e.s.next()
		e.left--
		if !e.pongsAhead || (f.Kind == ws.PongFrame) == pong {
			return f
		}
		e.pending = append(e.pending, f)
	}
	return ws.Frame{Payload: []byte("(nothing more was sent)")}
}

var errStall = errors.New("no message within the stall timeout")

// receive takes the next frame in mode, renewing an active-once grant.
func receive(c *ws.Conn, mode ws.Mode) (ws.Frame, error) {
	if mode == ws.Passive {
		return c.RecvTimeout(stallTimeout)
	}
	t := time.NewTimer(stallTimeout)
	defer t.Stop()
	select {
	case ev, ok := <-c.Events():
		switch {
		case !ok:
			return ws.Frame{}, errors.New("Events closed")
		case ev.Err != nil:
			return ws.Frame{}, ev.Err
		}
		if mode == ws.ActiveOnce {
			if err := c.SetActive(ws.ActiveOnce); err != nil {
				return ws.Frame{}, err
			}
		}
		return ev.Frame, nil
	case <-t.C:
		return ws.Frame{}, errStall
	}
}
