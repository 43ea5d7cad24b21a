package ws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/proxytest"
	"github.com/hackney-go/ws/internal/xconnect"
)

// TestMain fails the run if any test leaves a goroutine behind. With
// allocServerEnv set, the binary is the server of TestConnectAllocations.
// The tests run with Go's HTTP/2 server taking extended CONNECTs (RFC
// 8441), for Accept over HTTP/2 (internal/xconnect).
func TestMain(m *testing.M) {
	if os.Getenv(allocServerEnv) == "1" {
		serveAllocServer()
		return
	}
	xconnect.Reexec()
	proxytest.DirectLoopback()
	// WS_TEST_PARK_AFTER, a duration, makes every pump park after that
	// much silence instead of a second (.ci/run sets 1ms): the whole
	// package then runs with pumps parking at every pause.
	if d, err := time.ParseDuration(os.Getenv("WS_TEST_PARK_AFTER")); err == nil && d > 0 {
		parkAfter = d
	}
	goleak.VerifyTestMain(m)
}

// testTimeout bounds every wait in the tests.
const testTimeout = 10 * time.Second

// startHTTP serves h, a plain HTTP handler (a refusal, say), on
// 127.0.0.1 and returns its ws:// URL; the server stops when the test
// ends.
func startHTTP(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// echoServer starts a server, written with Accept, that echoes every
// message.
func echoServer(t testing.TB) string {
	return acceptServer(t, echoConn, nil)
}

// echoHandler accepts each request with opts and echoes every message,
// for a test that starts its server itself.
func echoHandler(opts ...Option) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := Accept(w, r, opts...); err == nil {
			echoConn(c)
		}
	})
}

// testCtx returns a context bounded by testTimeout.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// dial connects to url and closes the Conn when the test ends.
func dial(t testing.TB, url string, opts ...Option) *Conn {
	t.Helper()
	c, err := Connect(testCtx(t), url, opts...)
	if err != nil {
		t.Fatalf("Connect(%s): %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitDone waits for c's goroutine to end: after every kind of end, the
// Conn must hold no goroutine.
func waitDone(t testing.TB, c *Conn) {
	t.Helper()
	select {
	case <-c.closedSocket():
	case <-time.After(testTimeout):
		t.Fatal("the Conn's read loop did not end")
	}
}

// waitParked waits until some goroutine is blocked in fn, or in one of
// more (function names as they appear in a stack trace, like
// "ws.(*Conn).recv"), so that a test can act on a goroutine known to be
// waiting, without sleeping.
func waitParked(t testing.TB, fn string, more ...string) {
	t.Helper()
	fns := append([]string{fn}, more...)
	deadline := time.Now().Add(testTimeout)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			head, _, _ := strings.Cut(g, "\n")
			blocked := strings.Contains(head, "[select") || strings.Contains(head, "[chan ") || strings.Contains(head, "[IO wait") || strings.Contains(head, "[sync.Mutex.Lock") || strings.Contains(head, "[sync.RWMutex.RLock") || strings.Contains(head, "[sync.Cond.Wait")
			for _, fn := range fns {
				if blocked && strings.Contains(g, fn+"(") {
					return
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no goroutine blocked in %s", strings.Join(fns, " or "))
}

// wire returns one unmasked frame as a server sends it.
func wire(op proto.Opcode, fin bool, payload []byte) []byte {
	b := proto.AppendHeader(nil, proto.Header{Fin: fin, Op: op, Length: int64(len(payload))})
	return append(b, payload...)
}

// cat joins byte slices, to put many frames in one write.
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// recvWithin is Recv bounded by testTimeout, failing the test on error.
func recvWithin(t testing.TB, c *Conn) Frame {
	t.Helper()
	f, err := c.RecvTimeout(testTimeout)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return f
}

// nextEvent takes the next event from ch, bounded by testTimeout.
func nextEvent(t testing.TB, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("Events channel closed")
		}
		return ev
	case <-time.After(testTimeout):
		t.Fatal("no event")
	}
	return Event{}
}
