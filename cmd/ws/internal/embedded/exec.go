package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"time"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// killGrace is how long a process has to exit once its stdin is closed,
// before its process group is killed; then, how long its output has to
// reach its end once it exited (a process that left a child holding its
// stdout open).
const killGrace = time.Second

// Exec returns a handler that bridges each connection to a new process
// running command with sh -c, a line per message, as websocketd does:
//   - each message the client sends, text or binary, is written to the
//     process's stdin followed by a newline; a process that does not read
//     holds the client back by TCP flow control, as a slow reader does;
//   - each line the process writes to stdout is sent as a text message,
//     without its newline (nor a carriage return before it), or as a
//     binary message if it is not UTF-8; a line longer than maxLine bytes
//     (0: no limit) fails the connection with 1011;
//   - its stderr is the server's;
//   - when its stdout ends, the connection is closed with 1000 if it
//     exited with status 0, 1011 otherwise;
//   - when the connection ends (or the server stops), its stdin is closed.
//
// Either way the process has killGrace to exit once its stdin is closed,
// after which its process group is killed (it runs in a group of its own,
// so that its children go with it); its output then has killGrace to
// end. Every goroutine of a connection has returned by the time its
// handler does.
func (s *Server) Exec(command string, maxLine int64) http.Handler {
	return s.handle(service{
		kind: "exec",
		serve: func(c *client) string {
			return s.bridge(c, command, maxLine)
		},
	})
}

var errLineTooLong = errors.New("the command wrote a line over the message size limit")

// bridge runs command for c, until the process or the connection ends,
// and says how both ended.
func (s *Server) bridge(c *client, command string, maxLine int64) string {
	inR, inW, err := os.Pipe()
	if err != nil {
		return c.closeWith(ws.CloseInternalError, "cannot start the command") + ": " + err.Error()
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return c.closeWith(ws.CloseInternalError, "cannot start the command") + ": " + err.Error()
	}
	cmd := shellCommand(command)
	// Files, not io.Readers or Writers: the process gets them as they are,
	// with no goroutine of os/exec's copying in between.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return c.closeWith(ws.CloseInternalError, "cannot start the command") + ": " + err.Error()
	}
	s.logf("#%d started process %d: %s", c.id, cmd.Process.Pid, command)
	s.track(cmd, true)
	defer s.track(cmd, false)

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	outDone := make(chan error, 1)
	go func() {
		defer outR.Close()
		outDone <- pumpOut(c, outR, maxLine)
	}()
	inCtx, stopIn := context.WithCancel(c.ctx)
	defer stopIn()
	inDone := make(chan error, 1)
	go func() { inDone <- pumpIn(inCtx, c, inW) }()

	var waitErr, outErr, inErr error
	gotExit, gotOut, gotIn := false, false, false
	select {
	case waitErr = <-exited:
		gotExit = true
	case outErr = <-outDone:
		gotOut = true
	case inErr = <-inDone:
		gotIn = true
	case <-c.ctx.Done(): // the server stops, or drops a slow client
	}

	// The process ends: its stdin closed, then its group killed after
	// the grace period if it has not exited; what it left behind is
	// killed with it.
	inW.Close()
	killed := false
	if !gotExit {
		select {
		case waitErr = <-exited:
		case <-time.After(killGrace):
			killed = true
			killGroup(cmd)
			waitErr = <-exited // bounded: SIGKILL cannot be caught
		}
	}
	killGroup(cmd)
	if !gotOut {
		select {
		case outErr = <-outDone:
		case <-time.After(killGrace):
			outR.Close()       // a process outside the group holds stdout open
			outErr = <-outDone // bounded: the read fails, a send within writeTimeout
		}
	}
	stopIn()
	if !gotIn {
		inErr = <-inDone // bounded: its Recv is canceled, its write fails
	}

	process := "the process " + exitText(waitErr, killed)
	switch {
	case errors.Is(inErr, ws.ErrClosed):
		return describe(inErr) + "; " + process
	case context.Cause(c.ctx) != nil:
		return c.finish(inErr) + "; " + process
	case outErr == errLineTooLong:
		return c.closeWith(ws.CloseInternalError, fmt.Sprintf("the command wrote a line over %d bytes", maxLine)) + "; " + process
	case outErr != nil:
		return c.closeWith(ws.CloseInternalError, "cannot read the command's output") + ": " + outErr.Error() + "; " + process
	case waitErr != nil || killed:
		return c.closeWith(ws.CloseInternalError, "the command failed: "+exitText(waitErr, killed)) + "; " + process
	}
	return c.closeWith(ws.CloseNormal, "") + "; " + process
}

// track adds cmd to the processes KillProcesses kills, or removes it.
func (s *Server) track(cmd *exec.Cmd, running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !running {
		delete(s.procs, cmd)
		return
	}
	if s.procs == nil {
		s.procs = map[*exec.Cmd]struct{}{}
	}
	s.procs[cmd] = struct{}{}
}

// KillProcesses kills the process group of every process that Exec
// runs, for a server that stops at once rather than by Shutdown.
func (s *Server) KillProcesses() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for cmd := range s.procs {
		killGroup(cmd)
	}
}

// exitText says how a process ended, from cmd.Wait's error.
func exitText(err error, killed bool) string {
	var ee *exec.ExitError
	switch {
	case killed:
		return fmt.Sprintf("was killed: it did not exit within %v of its stdin's end", killGrace)
	case err == nil:
		return "exited with status 0"
	case errors.As(err, &ee):
		return "ended with " + ee.Error()
	}
	return "ended: " + err.Error()
}

// pumpOut sends each line of out to c as a message, until out ends.
// Once a send failed it reads on and drops what it reads, so that the
// process is not blocked writing while it ends.
func pumpOut(c *client, out io.Reader, maxLine int64) error {
	br := bufio.NewReaderSize(out, 64<<10)
	var line []byte
	var sendErr error
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if maxLine > 0 && int64(len(line)) > maxLine+2 {
			return errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) > 0 && sendErr == nil {
			sendErr = c.send(message(line))
		}
		line = line[:0]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// message is the message for a line: text without its end of line, or
// binary if the line is not UTF-8.
func message(line []byte) ws.Frame {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	if utf8.Valid(line) {
		return ws.Text(line)
	}
	return ws.Binary(line)
}

// pumpIn writes each message of c to in, followed by a newline, until the
// connection ends or ctx is canceled. Once a write failed (the process
// closed its stdin) it receives on and drops the messages, so that the
// client's close is answered.
func pumpIn(ctx context.Context, c *client, in io.Writer) error {
	var writeErr error
	for {
		f, err := c.conn.RecvContext(ctx)
		if err != nil {
			return err
		}
		c.in.Add(1)
		if writeErr == nil {
			_, writeErr = in.Write(append(f.Payload, '\n'))
		}
	}
}
