package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/embedded"
	"github.com/hackney-go/ws/internal/proxytest"
)

// testTimeout bounds every wait of the tests.
const testTimeout = 20 * time.Second

// wsBin is the ws binary the tests drive, built by TestMain.
var wsBin string

// raceEnabled is set by race_test.go under -race: the binary is then
// built with the race detector too.
var raceEnabled bool

// TestMain builds the command once, runs the tests and fails the run if
// a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	proxytest.DirectLoopback()
	dir, err := os.MkdirTemp("", "ws-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wsBin = filepath.Join(dir, "ws")
	args := []string{"build", "-o", wsBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	// go test puts its Go first on PATH (since Go 1.19).
	build := exec.Command("go", append(args, "github.com/hackney-go/ws/cmd/ws")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building ws: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if raceEnabled {
		// A race-enabled program sleeps a second at exit, by default, to
		// let its goroutines report; the tests run it over a hundred times.
		// A race it finds still makes it exit with code 66.
		os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is how a run of ws ended.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runWS runs ws with args and stdin as its standard input (not a
// terminal), bounded by testTimeout.
func runWS(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return execWS(t, nil, stdin, args...)
}

// runWSEnv is runWS with env in place of the proxy variables of this
// process's environment, which are left out.
func runWSEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return execWS(t, append(withoutProxies(os.Environ()), env...), "", args...)
}

// withoutProxies is env without the proxy variables (and the CGI one that
// turns HTTP_PROXY off).
func withoutProxies(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasSuffix(strings.ToLower(name), "_proxy") && name != "REQUEST_METHOD" {
			kept = append(kept, kv)
		}
	}
	return kept
}

// execWS runs ws with args, stdin and env (nil: this process's), bounded
// by testTimeout.
func execWS(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wsBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("ws %q did not exit within %v\n%v", args, testTimeout, r)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running ws: %v", err)
	}
	return r
}

// wantExit fails the test unless r ended with code.
func wantExit(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %v", code, r)
	}
}

// startEmbedded runs the embedded server with h built from it on a free
// loopback port and returns its base URL; the server is shut down, every
// connection closed, when the test ends.
func startEmbedded(t *testing.T, handler func(*embedded.Server) http.Handler, opts ...ws.Option) (string, *embedded.Server) {
	t.Helper()
	srv := &embedded.Server{Options: opts}
	addr, err := srv.Listen("127.0.0.1:0", handler(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	return "ws://" + addr.String() + "/", srv
}

// echoURL starts an echo server and returns its URL.
func echoURL(t *testing.T) string {
	url, _ := startEmbedded(t, (*embedded.Server).Echo)
	return url
}

// startWS serves each connection that ws.Accept(opts) opens with serve,
// on a free loopback port, and returns the ws:// URL; each Recv of the
// server waits at most testTimeout. When the test ends it closes the
// connections and waits for every serve to return.
func startWS(t *testing.T, serve func(*ws.Conn), opts ...ws.Option) string {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var conns []*ws.Conn
	opts = append([]ws.Option{ws.RecvTimeout(testTimeout)}, opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, opts...)
		if err != nil {
			return
		}
		mu.Lock()
		conns = append(conns, c)
		wg.Add(1)
		mu.Unlock()
		defer wg.Done()
		serve(c)
	}))
	t.Cleanup(func() {
		srv.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// startHTTP serves h on a free loopback port and returns its ws:// URL.
func startHTTP(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// echo sends every message of c back until the connection ends.
func echo(c *ws.Conn) {
	for {
		f, err := c.Recv()
		if err != nil || c.Send(f) != nil {
			return
		}
	}
}

// peerClose is how the client closed the connection: the code and reason
// of its close frame (which the Conn answered), or the error that ended
// the connection without one.
func peerClose(err error) closeSeen {
	var ce *ws.CloseError
	if errors.As(err, &ce) && ce.Code != ws.CloseAbnormal {
		return closeSeen{code: uint16(ce.Code), reason: ce.Reason}
	}
	return closeSeen{err: err}
}

// readClose receives until the client closes, dropping its messages, and
// returns the code and reason of its close frame, or the error that came
// first.
func readClose(c *ws.Conn) (uint16, string, error) {
	for {
		if _, err := c.Recv(); err != nil {
			s := peerClose(err)
			return s.code, s.reason, s.err
		}
	}
}

// closeSeen collects what a test server saw of the client's close.
type closeSeen struct {
	code   uint16
	reason string
	err    error
}

// recordingEcho echoes, and reports the client's close frame on ch.
func recordingEcho(ch chan<- closeSeen) func(*ws.Conn) {
	return func(c *ws.Conn) {
		for {
			f, err := c.Recv()
			if err == nil {
				err = c.Send(f)
			}
			if err != nil {
				ch <- peerClose(err)
				return
			}
		}
	}
}

// waitClose takes what the server saw, bounded by testTimeout.
func waitClose(t *testing.T, ch <-chan closeSeen) closeSeen {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(testTimeout):
		t.Fatal("the server saw no close")
	}
	return closeSeen{}
}

// freePort returns a loopback address where nothing listens.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// lineReader delivers the lines of r on a channel, for tests that follow
// a running program's output.
func lineReader(r io.Reader) <-chan string {
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// waitLine waits for a line containing want and returns it.
func waitLine(t *testing.T, lines <-chan string, want string) string {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended without a line containing %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line containing %q within %v", want, testTimeout)
		}
	}
}
