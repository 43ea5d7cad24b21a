package ws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// fast is a backoff for tests: reconnects in a few milliseconds.
var fast = Backoff(time.Millisecond, 5*time.Millisecond)

// portServer serves WebSocket connections on one address of 127.0.0.1
// that it can stop and start again, as a server that restarts does.
type portServer struct {
	t     testing.TB
	addr  string
	serve func(*Conn) // owns the Conn until it returns
	mu    sync.Mutex
	ln    net.Listener
	srv   *http.Server
	wg    sync.WaitGroup // handlers, hijacked connections included
}

func newPortServer(t testing.TB, serve func(*Conn)) *portServer {
	s := &portServer{t: t, serve: serve}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *portServer) url() string { return "ws://" + s.addr + "/" }

// start listens on the server's address (any port the first time).
func (s *portServer) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatalf("listen on %s: %v", addr, err)
	}
	s.ln, s.addr = ln, ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.wg.Add(1)
		defer s.wg.Done()
		c, err := Accept(w, r)
		if err != nil {
			return
		}
		defer c.Close()
		s.serve(c)
	})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.srv.Serve(ln)
	}()
}

// stop stops listening and waits for every handler.
func (s *portServer) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	s.wg.Wait()
}

// A server that restarts: each connection is served one echo, then
// closed with 1012 (service restart) while the server goes down; the
// first attempt after finds nothing listening. Reconnect reports each
// failure with its delay and comes back with a new Conn each time.
func TestReconnectThroughServerRestarts(t *testing.T) {
	s := newPortServer(t, func(sc *Conn) {
		f, err := sc.RecvTimeout(testTimeout)
		if err != nil {
			return
		}
		sc.Send(f)
		sc.CloseWith(CloseServiceRestart, "restart")
	})
	var conns, refused int
	var lost []error
	for c, err := range Reconnect(testCtx(t), s.url(), fast) {
		var re *RetryError
		switch {
		case errors.As(err, &re):
			var ce *CloseError
			if errors.As(err, &ce) {
				lost = append(lost, err)
				continue
			}
			refused++ // the server is down: bring it back
			s.start()
			continue
		case err != nil:
			t.Fatalf("the loop ended: %v", err)
		}
		conns++
		msg := fmt.Sprintf("connection %d", conns)
		if err := c.Send(Text(msg)); err != nil {
			t.Fatal(err)
		}
		if f := recvWithin(t, c); f.Text() != msg {
			t.Fatalf("echo: %v", f)
		}
		if conns == 3 {
			c.Close()
			break
		}
		_, err = c.RecvTimeout(testTimeout)
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != CloseServiceRestart {
			t.Fatalf("Recv: %v, want the server's 1012", err)
		}
		s.stop()
	}
	if conns != 3 || refused != 2 || len(lost) != 2 {
		t.Fatalf("%d connections, %d refused, lost %v", conns, refused, lost)
	}
}

// A 503 with Retry-After is retried no sooner than it asks.
func TestReconnectHonoursRetryAfter(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	for c, err := range Reconnect(testCtx(t), url, fast) {
		var re *RetryError
		var he *HTTPError
		if c != nil || !errors.As(err, &re) || !errors.As(err, &he) || he.StatusCode != 503 {
			t.Fatalf("got %v, %v; want a *RetryError of a 503", c, err)
		}
		if re.Delay < 7*time.Second {
			t.Fatalf("delay %v, want at least the 7 s of Retry-After", re.Delay)
		}
		break
	}
}

// Refusals and close codes that another attempt will not mend end the
// loop with their error; 401 and 1008, say.
func TestReconnectStopsOnWhatRetryingCannotMend(t *testing.T) {
	unauthorized := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	policy := acceptServer(t, func(sc *Conn) {
		sc.CloseWith(ClosePolicyViolation, "no")
	}, nil)
	for _, tc := range []struct {
		url  string
		want func(error) bool
	}{
		{unauthorized, func(err error) bool {
			var he *HTTPError
			return errors.As(err, &he) && he.StatusCode == 401
		}},
		{policy, func(err error) bool {
			var ce *CloseError
			return errors.As(err, &ce) && ce.Code == ClosePolicyViolation
		}},
	} {
		var got []error
		for c, err := range Reconnect(testCtx(t), tc.url, fast) {
			if c != nil {
				_, err := c.RecvTimeout(testTimeout) // the server's close
				if err == nil {
					t.Fatal("Recv: a message, want the close")
				}
				continue
			}
			got = append(got, err)
		}
		var re *RetryError
		if len(got) != 1 || !tc.want(got[0]) || errors.As(got[0], &re) {
			t.Fatalf("%s: yielded %v, want one error that ends the loop", tc.url, got)
		}
	}
}

// RetryIf replaces the rule: here nothing is retried.
func TestReconnectRetryIf(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/"
	ln.Close() // refused from now on
	n := 0
	for _, err := range Reconnect(testCtx(t), url, fast, RetryIf(func(error) bool { return false })) {
		var re *RetryError
		if errors.As(err, &re) || err == nil {
			t.Fatalf("yielded %v, want the refusal itself", err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d errors yielded, want 1", n)
	}
}

// Cancelling the context closes the Conn in use with 1001 and ends the
// loop.
func TestReconnectCancelClosesWithGoingAway(t *testing.T) {
	closes := make(chan uint16, 1)
	url := acceptServer(t, func(sc *Conn) {
		defer sc.Close()
		_, err := sc.RecvTimeout(testTimeout)
		var ce *CloseError
		if !errors.As(err, &ce) {
			closes <- 0
			return
		}
		closes <- uint16(ce.Code) // the Conn answers it
	}, nil)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	n := 0
	for c, err := range Reconnect(ctx, url, fast) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		go func() {
			waitParked(t, "ws.(*Conn).recv")
			cancel()
		}()
		if _, err := c.RecvTimeout(testTimeout); !errors.Is(err, ErrClosed) {
			t.Fatalf("Recv: %v, want ErrClosed", err)
		}
	}
	if n != 1 {
		t.Fatalf("%d connections", n)
	}
	if code := <-closes; code != uint16(CloseGoingAway) {
		t.Fatalf("close %d, want 1001", code)
	}
}

// The delays: the first random below the bound, then growing by 1.618 up
// to the cap, each in the upper half of its step, at least a Retry-After,
// and back to a first one after a connection that lived long enough.
func TestBackoffDelays(t *testing.T) {
	const first, maxDelay = 5 * time.Second, 90 * time.Second
	b := newBackoff(first, maxDelay)
	if d := b.next(0, 0); d < 0 || d >= first {
		t.Fatalf("first delay %v, want in [0, %v)", d, first)
	}
	step := time.Duration(float64(first) * 0.618)
	for i := range 12 {
		step = min(time.Duration(float64(step)*1.618), maxDelay)
		if d := b.next(0, 0); d < step/2 || d > step {
			t.Fatalf("delay %d: %v, want in [%v, %v]", i+2, d, step/2, step)
		}
	}
	if d := b.next(0, 0); d > maxDelay {
		t.Fatalf("delay %v over the cap", d)
	}
	if d := b.next(0, time.Hour); d != time.Hour {
		t.Fatalf("delay %v, want the Retry-After's hour", d)
	}
	if d := b.next(first, 0); d >= first {
		t.Fatalf("after a long connection: %v, want a first delay again", d)
	}
}

// The close code a server sends when it goes away is retried.
func TestReconnectRetriesCloseCodes(t *testing.T) {
	for _, code := range []CloseCode{CloseGoingAway, CloseInternalError, CloseServiceRestart, CloseTryAgainLater, CloseBadGateway} {
		if !retryable(&CloseError{Code: code}) {
			t.Errorf("close %d not retried", code)
		}
	}
	for _, code := range []CloseCode{CloseNormal, CloseProtocolError, CloseUnsupportedData, CloseInvalidPayload, ClosePolicyViolation, CloseMessageTooBig, CloseMandatoryExtension, 4000, 4999} {
		if retryable(&CloseError{Code: code}) {
			t.Errorf("close %d retried", code)
		}
	}
	if !retryable(&CloseError{Code: CloseAbnormal, Err: ErrKeepalive}) {
		t.Error("a dead peer not retried")
	}
	if retryable(&ProtocolError{Code: CloseCode(proto.CloseProtocolError)}) {
		t.Error("a protocol error retried")
	}
}

// Reconnect in active mode: each Conn delivers its messages and its end
// as Events, and the next Conn comes after the end.
func TestReconnectInActiveMode(t *testing.T) {
	var n atomic.Int64
	url := acceptServer(t, func(sc *Conn) {
		sc.Send(Text(fmt.Sprint("hello ", n.Add(1))))
		sc.CloseWith(CloseTryAgainLater, "later")
	}, nil)
	conns := 0
	for c, err := range Reconnect(testCtx(t), url, fast, ActiveMode(Active)) {
		if err != nil {
			var re *RetryError
			var ce *CloseError
			if !errors.As(err, &re) || !errors.As(err, &ce) || ce.Code != CloseTryAgainLater {
				t.Fatalf("yielded %v", err)
			}
			continue
		}
		conns++
		ev := nextEvent(t, c.Events())
		if ev.Err != nil || ev.Frame.Text() != fmt.Sprint("hello ", conns) {
			t.Fatalf("event %+v", ev)
		}
		if conns == 2 {
			c.Close()
			break
		}
		if ev := nextEvent(t, c.Events()); ev.Err == nil {
			t.Fatalf("event %+v, want the close", ev)
		}
	}
	if conns != 2 {
		t.Fatalf("%d connections", conns)
	}
}
