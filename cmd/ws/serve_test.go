package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
)

// startServe runs "ws serve" on a free port with args and returns it and
// its URL, read from its log.
func startServe(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	line := waitLine(t, p.stderr, "listening on")
	url := regexp.MustCompile(`ws://[^ ]+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	return p, url
}

func dialTest(t *testing.T, url string, opts ...ws.Option) *ws.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := ws.Connect(ctx, url, opts...)
	if err != nil {
		t.Fatalf("Connect(%s): %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recvText(t *testing.T, c *ws.Conn) string {
	t.Helper()
	f, err := c.RecvTimeout(testTimeout)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return f.Text()
}

func TestServeEchoStopsWith1001(t *testing.T) {
	p, url := startServe(t)
	c := dialTest(t, url)
	if err := c.Send(ws.Text("echo?")); err != nil {
		t.Fatal(err)
	}
	if got := recvText(t, c); got != "echo?" {
		t.Fatalf("got %q", got)
	}
	waitLine(t, p.stderr, "connected to echo /")
	p.cmd.Process.Signal(os.Interrupt)
	_, err := c.RecvTimeout(testTimeout)
	var ce *ws.CloseError
	if !errors.As(err, &ce) || ce.Code != ws.CloseGoingAway {
		t.Fatalf("Recv after Ctrl-C: %v, want close 1001", err)
	}
	waitLine(t, p.stderr, "stopped: 1 connection closed")
	if code := p.exitCode(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
}

func TestServeChatBroadcasts(t *testing.T) {
	p, url := startServe(t, "--chat")
	alice, bob := dialTest(t, url), dialTest(t, url)
	waitLine(t, p.stderr, "#2")
	if err := alice.Send(ws.Text("hello room")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*ws.Conn{alice, bob} {
		if got := recvText(t, c); got != "hello room" {
			t.Fatalf("got %q", got)
		}
	}
	if err := alice.CloseWith(ws.CloseNormal, "Goodbye"); err != nil {
		t.Fatal(err)
	}
	waitLine(t, p.stderr, `closed by client: 1000 (normal closure) "Goodbye"`)
}

func TestServeToken(t *testing.T) {
	_, url := startServe(t, "--token", "s3cret", "--protocol", "p1")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := ws.Connect(ctx, url)
	var refused *ws.HTTPError
	if !errors.As(err, &refused) || refused.StatusCode != 401 {
		t.Fatalf("without the token: %v, want 401", err)
	}
	c := dialTest(t, url, ws.Header("Authorization", "Bearer s3cret"), ws.Protocols("p0", "p1"))
	if c.Subprotocol() != "p1" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
}

func TestServeCannotListen(t *testing.T) {
	_, url := startServe(t)
	addr := regexp.MustCompile(`127\.0\.0\.1:\d+`).FindString(url)
	r := runWS(t, "", "serve", "--addr", addr)
	wantExit(t, r, exitConnect)
}

func TestDemo(t *testing.T) {
	r := runWS(t, "", "demo")
	wantExit(t, r, exitOK)
	for _, want := range []string{"Quick start", "ping, and its round trip", "the server's pong came back after", "active once", `"Goodbye"`, "refused upgrade (401)", "HTTP 401 Unauthorized", "all 16 steps behaved"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(r.stdout) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if regexp.MustCompile(`\x1b\[`).MatchString(r.stdout) {
		t.Error("colors on a stdout that is not a terminal")
	}
}

// TestServeStatic: --static serves a directory's files beside the
// WebSocket endpoint: an upgrade request goes to the echo, any other to
// the files.
func TestServeStatic(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>hello</p>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, url := startServe(t, "--static", dir)
	base := "http" + strings.TrimPrefix(url, "ws")
	for path, want := range map[string]int{"": http.StatusOK, "index.html": http.StatusMovedPermanently, "missing": http.StatusNotFound} {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusOK && string(body) != "<p>hello</p>\n") {
			t.Fatalf("GET /%s: %s %q, want %d", path, resp.Status, body, want)
		}
	}
	c := dialTest(t, url)
	c.Send(ws.Text("echo beside the files"))
	if got := recvText(t, c); got != "echo beside the files" {
		t.Fatalf("got %q", got)
	}
	waitLine(t, p.stderr, "serving the files of "+dir)

	r := runWS(t, "", "serve", "--static", filepath.Join(dir, "index.html"))
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "not a directory") {
		t.Fatalf("%v", r)
	}
}

// TestServeOrigin: a page of another origin than the server's is refused
// with 403 (cross-site WebSocket hijacking) unless --allow-origin names
// it; a client that sends no Origin is not a browser, and is let in.
func TestServeOrigin(t *testing.T) {
	_, url := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := ws.Connect(ctx, url, ws.Origin("https://evil.example"))
	var refused *ws.HTTPError
	if !errors.As(err, &refused) || refused.StatusCode != http.StatusForbidden {
		t.Fatalf("another origin: %v, want 403", err)
	}
	dialTest(t, url)
	_, url = startServe(t, "--allow-origin", "*.example")
	dialTest(t, url, ws.Origin("https://app.example"))
}
