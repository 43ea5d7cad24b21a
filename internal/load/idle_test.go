//go:build linux

// The whole of 127.0.0.0/8 is loopback on Linux only.

package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// TestLoadIdle opens many connections, holds them all open and idle at
// once, then closes every one: each Close must complete the close
// handshake, and the server must count each close as clean.
func TestLoadIdle(t *testing.T) {
	n := size(500, 10_000, 10_000)
	// This process holds the client sockets, the child the server's.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < uint64(n)+100 {
		t.Fatalf("%d connections need more than the file limit of %d (ulimit -Hn)", n, lim.Cur)
	}
	child := startServerProcess(t)

	conns := make([]*ws.Conn, n)
	t.Cleanup(func() { // after a failure: whatever is still open
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	start := time.Now()
	// A few connects at a time keep the listen queues short.
	err := parallel(n, 32, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), stallTimeout)
		defer cancel()
		c, err := ws.Connect(ctx, child.urls[i%len(child.urls)], ws.ConnectTimeout(stallTimeout), ws.CloseTimeout(stallTimeout))
		conns[i] = c
		return err
	})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	child.waitCount(t, "every connection open at the server", func(c count) bool { return c.open == n })
	opened := time.Since(start)

	start = time.Now()
	err = parallel(n, 64, func(i int) error {
		if err := conns[i].Close(); err != nil {
			return fmt.Errorf("connection %d to %v: %w", i, conns[i].RemoteAddr(), err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	child.waitCount(t, "every close echoed by the server", func(c count) bool { return c.open == 0 && c.clean == n })
	t.Logf("%d idle connections over %d addresses: opened in %v, closed in %v", n, len(child.urls), opened.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	child.stop(t)
}

// parallel runs f(0) to f(n-1) on at most workers goroutines and returns
// the first error, after every call has returned.
func parallel(n, workers int, f func(i int) error) error {
	var (
		next  atomic.Int64
		first error
		once  sync.Once
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// serverEnv, set to 1, makes TestLoadIdleServer serve.
const serverEnv = "WS_LOAD_IDLE_SERVER"

// serverAddrs is how many loopback addresses the child listens on.
const serverAddrs = 8

// count is what the child reports: connections open now, closed cleanly
// (the client's close frame came and was echoed) and ended otherwise.
type count struct{ open, clean, failed int }

// serverProcess is the child running TestLoadIdleServer.
type serverProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  <-chan string // its stdout, closed when it exits
	stderr *bytes.Buffer
	urls   []string
	other  []string // lines that were not for the parent
	done   bool
}

// startServerProcess runs the test binary again as the server and waits
// for its addresses. The child is killed if the test ends without stop.
func startServerProcess(t *testing.T) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadIdleServer$", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), serverEnv+"=1")
	p := &serverProcess{cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	p.lines = lines
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		if !p.done {
			cmd.Process.Kill()
			for range p.lines { // until the child's stdout ends
			}
			cmd.Wait()
		}
	})
	for len(p.urls) < serverAddrs {
		line := p.line(t)
		if url, ok := strings.CutPrefix(line, "listening "); ok {
			p.urls = append(p.urls, url)
		}
	}
	return p
}

// line returns the child's next line for the parent, bounded.
func (p *serverProcess) line(t *testing.T) string {
	t.Helper()
	timeout := time.After(stallTimeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("the server process ended: %s%s", strings.Join(p.other, "\n"), p.stderr)
			}
			if strings.HasPrefix(line, "listening ") || strings.HasPrefix(line, "count ") {
				return line
			}
			p.other = append(p.other, line)
		case <-timeout:
			t.Fatal("the server process said nothing")
		}
	}
}

// waitCount asks the child for its count until cond holds, bounded.
func (p *serverProcess) waitCount(t *testing.T, what string, cond func(count) bool) {
	t.Helper()
	deadline := time.Now().Add(stallTimeout)
	for {
		if _, err := io.WriteString(p.stdin, "count\n"); err != nil {
			t.Fatal(err)
		}
		var c count
		if _, err := fmt.Sscanf(p.line(t), "count %d %d %d", &c.open, &c.clean, &c.failed); err != nil {
			t.Fatal(err)
		}
		if cond(c) {
			return
		}
		if c.failed > 0 || time.Now().After(deadline) {
			t.Fatalf("waiting for %s: the server has %d open, %d closed cleanly, %d failed", what, c.open, c.clean, c.failed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the child by closing its input and checks that it passed:
// its own goleak found nothing left.
func (p *serverProcess) stop(t *testing.T) {
	t.Helper()
	p.stdin.Close()
	timeout := time.After(stallTimeout)
	for ended := false; !ended; {
		select {
		case line, ok := <-p.lines:
			if !ok {
				ended = true
				break
			}
			p.other = append(p.other, line)
		case <-timeout:
			t.Fatal("the server process did not end")
		}
	}
	p.done = true
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("the server process: %v\n%s%s", err, strings.Join(p.other, "\n"), p.stderr)
	}
}

// TestLoadIdleServer is TestLoadIdle's server, run in a child process (see
// startServerProcess); in a plain run it skips. It echoes on 127.0.0.1 to
// 127.0.0.8, prints each URL, answers "count" on its input with a count
// and ends when its input does.
func TestLoadIdleServer(t *testing.T) {
	if os.Getenv(serverEnv) != "1" {
		t.Skip("the server of TestLoadIdle, run in its own process")
	}
	var (
		open, clean, failed atomic.Int64
		mu                  sync.Mutex
		conns               = map[*ws.Conn]bool{}
		handlers            sync.WaitGroup
	)
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := ws.Accept(w, r, ws.CloseTimeout(stallTimeout))
		if err != nil {
			failed.Add(1)
			return
		}
		mu.Lock()
		conns[sc] = true
		mu.Unlock()
		open.Add(1)
		err = serveEcho(sc)
		open.Add(-1)
		mu.Lock()
		delete(conns, sc)
		mu.Unlock()
		if err != nil {
			failed.Add(1)
			return
		}
		clean.Add(1)
	})
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handlers.Add(1)
			defer handlers.Done()
			echo.ServeHTTP(w, r)
		}),
		ErrorLog: log.New(io.Discard, "", 0),
	}
	var serving sync.WaitGroup
	for i := 1; i <= serverAddrs; i++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i))
		if err != nil {
			t.Fatal(err)
		}
		serving.Add(1)
		go func() {
			defer serving.Done()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		}()
		fmt.Printf("listening ws://%s/\n", ln.Addr())
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "count" {
			fmt.Printf("count %d %d %d\n", open.Load(), clean.Load(), failed.Load())
		}
	}
	srv.Close()
	serving.Wait()
	mu.Lock()
	var left []*ws.Conn // left open by a parent that failed
	for sc := range conns {
		left = append(left, sc)
	}
	mu.Unlock()
	for _, sc := range left {
		sc.Close()
	}
	handlers.Wait()
}
