package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

// recvClose receives until the connection ends and returns its close
// error, failing the test on a message or an end without a close frame.
func recvClose(t *testing.T, c *ws.Conn) *ws.CloseError {
	t.Helper()
	f, err := c.RecvTimeout(testTimeout)
	var ce *ws.CloseError
	if err == nil || !errors.As(err, &ce) || ce.Code == ws.CloseAbnormal {
		t.Fatalf("Recv: %v %v, want the server's close frame", f, err)
	}
	return ce
}

// stopServe stops ws serve with Ctrl-C and checks it exits 0.
func stopServe(t *testing.T, p *proc) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.exitCode(t); code != exitOK {
		t.Fatalf("ws serve exited %d", code)
	}
}

// TestServeExecBridgesLines: each message goes to the process's stdin as
// a line, each line of its stdout comes back as a message (binary when
// it is not UTF-8), its stderr is the server's, and the client's close
// ends the process through its stdin.
func TestServeExecBridgesLines(t *testing.T) {
	t.Parallel()
	p, url := startServe(t, "--exec", `echo "a line of stderr" >&2; while IFS= read -r l; do printf 'you said: %s\n' "$l"; [ "$l" = bytes ] && printf '\377\r\n'; done`)
	c := dialTest(t, url)
	waitLine(t, p.stderr, "a line of stderr")
	for _, f := range []ws.Frame{ws.Text("hello"), ws.Binary([]byte("binary in")), ws.Text("")} {
		if err := c.Send(f); err != nil {
			t.Fatal(err)
		}
		if got, want := recvText(t, c), "you said: "+string(f.Payload); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	c.Send(ws.Text("bytes"))
	recvText(t, c)
	f, err := c.RecvTimeout(testTimeout)
	if err != nil || f.Kind != ws.BinaryFrame || !bytes.Equal(f.Payload, []byte{0xff}) {
		t.Fatalf("a line that is not UTF-8: %v %v, want a binary message of it, without its \\r\\n", f, err)
	}
	if err := c.CloseWith(ws.CloseNormal, "bye"); err != nil {
		t.Fatal(err)
	}
	waitLine(t, p.stderr, `closed by client: 1000 (normal closure) "bye"; the process exited with status 0`)
	stopServe(t, p)
}

// TestServeExecProcessEndCloses: the process's end closes the connection
// once its output is sent: 1000 after status 0, 1011 after a failure;
// each connection has a process of its own.
func TestServeExecProcessEndCloses(t *testing.T) {
	t.Parallel()
	fail := filepath.Join(t.TempDir(), "fail")
	p, url := startServe(t, "--exec", `echo "pid $$"; [ -e `+fail+` ] && exit 3; echo done`)
	a := dialTest(t, url)
	pidA := recvText(t, a)
	if got := recvText(t, a); got != "done" {
		t.Fatalf("got %q", got)
	}
	if ce := recvClose(t, a); ce.Code != ws.CloseNormal {
		t.Fatalf("after exit 0: %v, want 1000", ce)
	}
	if err := os.WriteFile(fail, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b := dialTest(t, url)
	if pidB := recvText(t, b); pidB == pidA {
		t.Fatalf("two connections, one process: %s", pidA)
	}
	if ce := recvClose(t, b); ce.Code != ws.CloseInternalError || !strings.Contains(ce.Reason, "exit status 3") {
		t.Fatalf("after exit 3: %v, want 1011 saying so", ce)
	}
	stopServe(t, p)
}

// TestServeExecKillsWhatIgnoresItsStdin: a process that does not end
// when its stdin does is killed after the grace period, with the children
// it started: no process is left behind.
func TestServeExecKillsWhatIgnoresItsStdin(t *testing.T) {
	t.Parallel()
	p, url := startServe(t, "--exec", `sleep 30 & echo ready; sleep 30`)
	c := dialTest(t, url)
	pgid := startedProcess(t, p)
	if got := recvText(t, c); got != "ready" {
		t.Fatalf("got %q", got)
	}
	if n := groupMembers(t, pgid); n < 2 {
		t.Fatalf("%d processes in the group, want the shell and its two sleeps", n)
	}
	c.Close()
	waitLine(t, p.stderr, "the process was killed: it did not exit within 1s of its stdin's end")
	waitGroupGone(t, pgid)
	stopServe(t, p)
}

// TestServeExecStops: Ctrl-C closes every connection with 1001 and ends
// every process; a second Ctrl-C kills them at once.
func TestServeExecStops(t *testing.T) {
	t.Parallel()
	p, url := startServe(t, "--exec", `echo ready; cat`)
	c := dialTest(t, url)
	pgid := startedProcess(t, p)
	recvText(t, c)
	p.cmd.Process.Signal(os.Interrupt)
	if ce := recvClose(t, c); ce.Code != ws.CloseGoingAway {
		t.Fatalf("%v, want 1001", ce)
	}
	waitLine(t, p.stderr, "the process exited with status 0")
	waitLine(t, p.stderr, "stopped: 1 connection closed")
	if code := p.exitCode(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	waitGroupGone(t, pgid)

	p, url = startServe(t, "--exec", `trap '' INT TERM; echo ready; sleep 30`)
	c = dialTest(t, url)
	pgid = startedProcess(t, p)
	recvText(t, c)
	p.cmd.Process.Signal(os.Interrupt)
	waitLine(t, p.stderr, "stopping")
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.exitCode(t); code != exitInterrupted {
		t.Fatalf("exit %d, want %d", code, exitInterrupted)
	}
	waitGroupGone(t, pgid)
}

// TestServeExecLineLimit: a line over --max-message fails the connection
// with 1011 rather than growing without bound.
func TestServeExecLineLimit(t *testing.T) {
	t.Parallel()
	p, url := startServe(t, "--max-message", "10", "--exec", `echo short; echo 0123456789abcdef; cat`)
	c := dialTest(t, url)
	if got := recvText(t, c); got != "short" {
		t.Fatalf("got %q", got)
	}
	if ce := recvClose(t, c); ce.Code != ws.CloseInternalError || !strings.Contains(ce.Reason, "line over 10 bytes") {
		t.Fatalf("%v, want 1011 for the long line", ce)
	}
	stopServe(t, p)
}

func TestServeExecUsage(t *testing.T) {
	r := runWS(t, "", "serve", "--chat", "--exec", "cat")
	wantExit(t, r, exitUsage)
	r = runWS(t, "", "serve", "--exec", "cat", "extra")
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "one argument of --exec") {
		t.Fatalf("%v", r)
	}
}

var startedRE = regexp.MustCompile(`started process (\d+)`)

// startedProcess returns the process (and group) id of the process that
// ws serve logs it started.
func startedProcess(t *testing.T, p *proc) int {
	t.Helper()
	pid, err := strconv.Atoi(startedRE.FindStringSubmatch(waitLine(t, p.stderr, "started process"))[1])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// groupMembers counts the live processes (zombies aside) of a process
// group, from /proc.
func groupMembers(t *testing.T, pgid int) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		t.Skip("no /proc to find the processes in")
	}
	n := 0
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			n++
		}
	}
	return n
}

// waitGroupGone waits, at most testTimeout, for every process of a group
// to have ended: a SIGKILL takes effect at the process's next scheduling.
func waitGroupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for groupMembers(t, pgid) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes of group %d still run %v after it was killed", pgid, testTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
