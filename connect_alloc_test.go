package ws

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// allocServerEnv makes the test binary an echo server for
// TestConnectAllocations (see TestMain): the server runs in a process of
// its own, so that the count is the client's alone.
const allocServerEnv = "WS_TEST_ALLOC_SERVER"

// serveAllocServer serves echo connections on 127.0.0.1, writes the ws://
// URL on stdout and returns when stdin closes.
func serveAllocServer() {
	srv := httptest.NewServer(echoHandler())
	defer srv.Close()
	fmt.Println("ws" + strings.TrimPrefix(srv.URL, "http"))
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// startAllocServer starts the echo server in a child process and returns
// its URL; the child ends with the test.
func startAllocServer(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), allocServerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() {
		exited <- cmd.Wait()
	}()
	tb.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(testTimeout):
			cmd.Process.Kill()
			<-exited
			tb.Error("the server process did not end when told")
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case url := <-line:
		if !strings.HasPrefix(url, "ws://") {
			tb.Fatalf("the server process said %q, not its URL", url)
		}
		return url
	case <-time.After(testTimeout):
		tb.Fatal("the server process did not start")
	}
	return ""
}

// connectAllocs returns the allocations of a Connect and of the
// CloseWith that follows it, the median of runs: now and then the
// runtime allocates for itself (a GC cycle's work, a new goroutine's
// stack). Each Conn is over, its goroutines gone, before the next
// Connect, so that nothing of it is counted there; a first run, not
// counted, fills the pools.
func connectAllocs(tb testing.TB, url string, runs int) (connect, close uint64) {
	ctx := context.Background()
	var nConnect, nClose []uint64
	for i := range runs + 1 {
		var before, between, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := Connect(ctx, url)
		runtime.ReadMemStats(&between)
		if err != nil {
			tb.Fatalf("Connect: %v", err)
		}
		if err := c.CloseWith(CloseNormal, ""); err != nil {
			tb.Fatalf("CloseWith: %v", err)
		}
		waitDone(tb, c)
		runtime.ReadMemStats(&after)
		if i > 0 {
			nConnect = append(nConnect, between.Mallocs-before.Mallocs)
			nClose = append(nClose, after.Mallocs-between.Mallocs)
		}
	}
	slices.Sort(nConnect)
	slices.Sort(nClose)
	return nConnect[runs/2], nClose[runs/2]
}

// maxConnectAllocs bounds the allocations of a Connect to a ws:// URL of
// an IP address without options (issue 16's goal: at most 30). Of the 27
// counted, the dial takes 17 in package net: the socket, its two
// addresses and the TCPConn 7, the resolver's path for an IP address 6,
// and the context.AfterFunc with which the connect(2) watches its bound 4
// (see dialBound); the Conn and its channels 5 (newConn: the read token,
// closing, endedCh and its own Events channel; the others are made when
// needed), the response 2 (its head and the Response), the options 1 and
// the rest of Connect's state 1 (connecting).
const maxConnectAllocs = 27

// TestConnectAllocations keeps the count of allocations of a Connect
// from growing; CI runs it without -race (the race detector's sync.Pool
// drops what it is given).
func TestConnectAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race")
	}
	// The default route, as on a machine without a proxy: no_proxy's
	// rules, which TestMain sets, take allocations of their own.
	for _, name := range []string{"no_proxy", "NO_PROXY", "ws_proxy", "WS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"} {
		t.Setenv(name, "")
	}
	url := startAllocServer(t)
	connect, close := connectAllocs(t, url, 51)
	t.Logf("Connect: %d allocations, CloseWith: %d", connect, close)
	if connect > maxConnectAllocs {
		t.Errorf("Connect allocates %d times, want at most %d", connect, maxConnectAllocs)
	}
}

// BenchmarkConnect is Connect and CloseWith one after the other, as W7 of
// bench/ runs them, to a server in another process: allocs/op is the
// client's alone.
func BenchmarkConnect(b *testing.B) {
	url := startAllocServer(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CloseWith(CloseNormal, ""); err != nil {
			b.Fatal(err)
		}
	}
}
