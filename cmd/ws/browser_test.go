package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBrowserEcho: a real browser, headless Chromium, loads a page from
// ws serve --static --compress, and the page opens a WebSocket to the same
// server, sends text, binary, a 16 MiB message and compressible messages,
// checks every echo, and posts its result to the test. Chromium offers
// permessage-deflate with client_max_window_bits; the server's log and
// the page's WebSocket.extensions show that it was agreed.
func TestBrowserEcho(t *testing.T) {
	t.Parallel()
	chromium := shellFor(t, "chromium")
	p, wsURL := startServe(t, "--static", "testdata/browser", "--compress")

	results := make(chan string, 1)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		select {
		case results <- string(body):
		default:
		}
	}))
	t.Cleanup(collector.Close)

	page := "http" + strings.TrimPrefix(wsURL, "ws") + "echo.html?report=" + url.QueryEscape(collector.URL+"/result")
	home := t.TempDir()
	cmd := exec.Command(chromium,
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--no-first-run", "--no-default-browser-check", "--disable-extensions",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		page)
	cmd.Env = append(withoutProxies(os.Environ()), "HOME="+home)
	// Chromium runs as many processes: in a group of their own, killed
	// together once the page has reported.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited // bounded: SIGKILL
	}()

	var result string
	select {
	case result = <-results:
	case err := <-exited:
		t.Fatalf("chromium exited before the page reported: %v\n%s", err, out.String())
	case <-time.After(2 * testTimeout):
		t.Fatalf("the page reported nothing within %v\nchromium:\n%s", 2*testTimeout, out.String())
	}
	t.Logf("the page: %s", result)
	if !strings.HasPrefix(result, "PASS 8 echoes") {
		t.Fatalf("the page: %s", result)
	}
	if !strings.Contains(result, "permessage-deflate") {
		t.Fatalf("the page's WebSocket did not agree permessage-deflate: %s", result)
	}
	line := waitLine(t, p.stderr, "connected to echo /")
	if !regexp.MustCompile(`permessage-deflate \(client 1[0-5]-bit window, server 15-bit window\)`).MatchString(line) {
		t.Fatalf("the server did not log permessage-deflate: %s", line)
	}
	t.Logf("the server: %s", line)
	waitLine(t, p.stderr, `closed by client: 1000 (normal closure) "done" after`)
	stopServe(t, p)
}
