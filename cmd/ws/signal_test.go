package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// proc is ws running in the background, its stdin a pipe the test holds
// open and its stderr followed line by line.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bytes.Buffer
	stderr <-chan string
	done   chan error
}

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(wsBin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stdin: stdin, stdout: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout = p.stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.stderr = lineReader(stderr)
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		p.exitCode(t)
	})
	return p
}

// exitCode waits for the process to exit and returns its code.
func (p *proc) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup's call
		if ee, ok := err.(*exec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return -int(ws.Signal())
			}
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(testTimeout):
		t.Fatalf("ws did not exit within %v", testTimeout)
	}
	return -1
}

func TestCtrlCClosesWith1000(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	p := startProc(t, "-v", url)
	waitLine(t, p.stderr, "ws: connected to")
	p.cmd.Process.Signal(os.Interrupt)
	waitLine(t, p.stderr, "interrupted: closing with 1000")
	if code := p.exitCode(t); code != exitOK {
		t.Fatalf("exit %d, want 0", code)
	}
	if s := waitClose(t, seen); s.code != 1000 {
		t.Fatalf("server saw %+v, want close 1000", s)
	}
}

func TestSecondCtrlCQuitsAtOnce(t *testing.T) {
	url := startRaw(t, func(c *rawConn) {
		for { // never answers the close frame
			f, err := c.read()
			if err != nil {
				return
			}
			if f.Op == proto.OpText {
				c.write(proto.OpText, f.Payload)
			}
		}
	})
	p := startProc(t, "-v", "--close-timeout", "60s", url)
	waitLine(t, p.stderr, "ws: connected to")
	p.cmd.Process.Signal(os.Interrupt)
	waitLine(t, p.stderr, "Ctrl-C again to quit at once")
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.exitCode(t); code != exitInterrupted {
		t.Fatalf("exit %d, want %d", code, exitInterrupted)
	}
	waitLine(t, p.stderr, "quit without finishing the close")
}

func TestPipedInputStreams(t *testing.T) {
	url := echoURL(t)
	p := startProc(t, "--count", "2", url)
	io.WriteString(p.stdin, "first\n")
	io.WriteString(p.stdin, "second\n")
	// stdin stays open: the replies end the session, not the input.
	if code := p.exitCode(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got := p.stdout.String(); !strings.HasPrefix(got, "first\nsecond\n") {
		t.Fatalf("stdout %q", got)
	}
}
