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
	loadRun{
		conns: size(20, 100, 100), msgs: size(200, 1000, 100_000), servers: 1,
		stream: newStream,
		serve: func(w http.ResponseWriter, r *http.Request, _ int64) error {
			sc, err := ws.Accept(w, r)
			if err != nil {
				return err
			}
			return serveEcho(sc)
		},
	}.run(t)
}

// loadRun is one run of the echo load: conns clients at once, each
// sending msgs messages of its stream (stream) and checking every echo
// (pongs may overtake echoes with pongsAhead, see echoConn), spread over
// servers httptest servers whose handler is serve, given the count of
// requests so far; serve returns nil after the client's clean close.
type loadRun struct {
	conns, msgs, servers int
	stream               func(seed uint64, conn int) *stream
	pongsAhead           bool
	serve                func(w http.ResponseWriter, r *http.Request, n int64) error
}

// run runs the load and fails t unless every client saw every echo and
// every server a clean close, within stallTimeout of the clients' end.
func (l loadRun) run(t *testing.T) {
	var (
		accepted, clean atomic.Int64
		serverErrs      sync.Map
		urls            []string
	)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := l.serve(w, r, accepted.Add(1)); err != nil {
			serverErrs.Store(r.RemoteAddr, err)
			return
		}
		clean.Add(1)
	})
	for range l.servers {
		srv := httptest.NewServer(handler)
		defer srv.Close()
		urls = append(urls, "ws"+strings.TrimPrefix(srv.URL, "http"))
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, l.conns)
	var bytesSent atomic.Int64
	for id := range l.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := echoConn(urls[id%len(urls)], id, l.msgs, l.stream, l.pongsAhead)
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
	// A server counts a close once its Conn has ended, a moment after the
	// client's Close has had the echo of its close frame.
	for deadline := time.Now().Add(stallTimeout); clean.Load() < int64(l.conns); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			serverErrs.Range(func(k, v any) bool { t.Errorf("server, connection from %v: %v", k, v); return true })
			t.Fatalf("the servers saw %d clean closes of %d", clean.Load(), l.conns)
		}
	}
	t.Logf("%d connections x %d messages through %d ws.Accept servers, %.0f MiB each way, in %v",
		l.conns, l.msgs, l.servers, float64(bytesSent.Load())/(1<<20), elapsed.Round(time.Millisecond))
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
