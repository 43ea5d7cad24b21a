package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// A server that goes silent, reading but answering nothing: the keepalive
// finds it dead, and ws exits 3 saying so.
func TestDeadServerExits3(t *testing.T) {
	url := startRaw(t, func(c *rawConn) {
		c.write(proto.OpText, []byte("hello, then silence"))
		io.Copy(io.Discard, c.br)
	})
	r := runWS(t, "", "--ping-interval", "50ms", "--ping-timeout", "50ms", "--wait", "forever", url)
	wantExit(t, r, exitAbnormal)
	if r.stdout != "hello, then silence\n" || !strings.Contains(r.stderr, "stopped answering") {
		t.Fatalf("%v", r)
	}
}

// --ping-timeout alone is a usage error: the keepalive is off without
// --ping-interval.
func TestPingTimeoutWithoutInterval(t *testing.T) {
	r := runWS(t, "", "--ping-timeout", "1s", "-x", "hi", "ws://127.0.0.1:1/")
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--ping-timeout needs --ping-interval") {
		t.Fatalf("%v", r)
	}
}

// restartingServer sends each client "message N", then closes with 1012
// (service restart), as a server going down for a restart does.
func restartingServer(t *testing.T) string {
	var n atomic.Int64
	return startWS(t, func(c *ws.Conn) {
		c.Send(ws.Text(fmt.Sprintf("message %d", n.Add(1))))
		c.CloseWith(ws.CloseServiceRestart, "restart")
	})
}

// --reconnect comes back after each restart, says so on stderr and in
// --json, and --count counts across connections.
func TestReconnectAcrossRestarts(t *testing.T) {
	url := restartingServer(t)
	r := runWS(t, "", "--reconnect", "--reconnect-delay", "10ms", "--count", "3", "--wait", "forever", "--json", url)
	wantExit(t, r, exitOK)
	var texts []string
	reconnects := 0
	for _, ev := range parseEvents(t, r.stdout) {
		switch ev["kind"] {
		case "text":
			texts = append(texts, ev["text"].(string))
		case "reconnect":
			reconnects++
			if _, ok := ev["delay"].(float64); !ok || !strings.Contains(ev["error"].(string), "1012") {
				t.Fatalf("reconnect event %v", ev)
			}
		}
	}
	if strings.Join(texts, ",") != "message 1,message 2,message 3" || reconnects != 2 {
		t.Fatalf("texts %q, %d reconnects\n%v", texts, reconnects, r)
	}
	if got := strings.Count(r.stderr, "reconnecting in"); got != 2 {
		t.Fatalf("%d lines on stderr say so, want 2\n%v", got, r)
	}
}

// What retrying cannot mend ends --reconnect: a refused upgrade (exit 2),
// and a close with 1008 (exit 3).
func TestReconnectStopsOnWhatRetryingCannotMend(t *testing.T) {
	policy := startWS(t, func(c *ws.Conn) {
		c.CloseWith(ws.ClosePolicyViolation, "go away")
	})
	r := runWS(t, "", "--reconnect", "--reconnect-delay", "10ms", "--wait", "forever", policy)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, "1008") || strings.Contains(r.stderr, "reconnecting") {
		t.Fatalf("%v", r)
	}
	refused := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	r = runWS(t, "", "--reconnect", "--reconnect-delay", "10ms", "-x", "hi", refused)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "401") || strings.Contains(r.stderr, "reconnecting") {
		t.Fatalf("%v", r)
	}
}

// Piped lines go to whichever connection is up: a line written after a
// restart reaches the new connection.
func TestReconnectPipedLinesGoToTheNextConnection(t *testing.T) {
	var n atomic.Int64
	url := startWS(t, func(c *ws.Conn) {
		i := n.Add(1)
		f, err := c.Recv()
		if err != nil {
			return
		}
		c.Send(ws.Text(fmt.Sprintf("connection %d got %s", i, f.Payload)))
		if i == 1 {
			c.CloseWith(ws.CloseServiceRestart, "restart")
			return
		}
		echo(c)
	})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wsBin, "--reconnect", "--reconnect-delay", "10ms", "--count", "2", url)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outLines, errLines := bufio.NewScanner(stdout), bufio.NewScanner(stderr)
	next := func(s *bufio.Scanner) string {
		if !s.Scan() {
			t.Fatalf("output ended: %v", s.Err())
		}
		return s.Text()
	}
	io.WriteString(stdin, "one\n")
	if got := next(outLines); got != "connection 1 got one" {
		t.Fatalf("got %q", got)
	}
	if got := next(errLines); !strings.Contains(got, "reconnecting in") {
		t.Fatalf("stderr %q", got)
	}
	// Connection 1 is gone: the line waits for connection 2.
	io.WriteString(stdin, "two\n")
	if got := next(outLines); got != "connection 2 got two" {
		t.Fatalf("got %q", got)
	}
	stdin.Close()
	io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ws: %v", err)
	}
}
