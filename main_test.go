package ws

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hackney-go/ws/internal/server"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait in the tests.
const testTimeout = 10 * time.Second

// startServer serves WebSocket connections on 127.0.0.1 with serve and
// returns the ws:// URL. The server is shut down when the test ends.
func startServer(t testing.TB, o server.Options, serve func(*server.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(server.Handler(o, serve))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// echoServer starts a server that echoes everything.
func echoServer(t testing.TB) string {
	return startServer(t, server.Options{}, func(c *server.Conn) { server.Echo(c) })
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
