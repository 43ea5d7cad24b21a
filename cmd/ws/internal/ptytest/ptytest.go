//go:build linux

// Package ptytest runs programs on a pseudo-terminal, for the tests of
// ws's interactive mode: the program sees a terminal on stdin, stdout and
// stderr, and the test types keys and reads the screen's bytes.
package ptytest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Open returns a new pseudo-terminal: the controlling side, which the
// test reads and writes, and the terminal, which the program gets. The
// terminal has the given size.
func Open(cols, rows uint16) (control, tty *os.File, err error) {
	control, err = os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var n uint32
	err = withFd(control, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
			return fmt.Errorf("unlock pty: %w", err)
		}
		var err error
		n, err = unix.IoctlGetUint32(fd, unix.TIOCGPTN)
		return err
	})
	if err != nil {
		control.Close()
		return nil, nil, err
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		control.Close()
		return nil, nil, err
	}
	err = withFd(tty, func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows})
	})
	if err != nil {
		control.Close()
		tty.Close()
		return nil, nil, err
	}
	return control, tty, nil
}

// withFd runs fn on f's descriptor without taking it out of the runtime
// poller, as File.Fd would.
func withFd(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// Session is a program running on a pseudo-terminal.
type Session struct {
	Cmd     *exec.Cmd
	control *os.File

	mu      sync.Mutex
	screen  bytes.Buffer // everything the program wrote
	changed chan struct{}
	readEnd chan struct{}
}

// Start runs cmd with a new terminal as its stdin, stdout, stderr and
// controlling terminal.
func Start(cmd *exec.Cmd, cols, rows uint16) (*Session, error) {
	control, tty, err := Open(cols, rows)
	if err != nil {
		return nil, err
	}
	defer tty.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		control.Close()
		return nil, err
	}
	s := &Session{Cmd: cmd, control: control, changed: make(chan struct{}, 1), readEnd: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *Session) read() {
	defer close(s.readEnd)
	buf := make([]byte, 4096)
	for {
		n, err := s.control.Read(buf)
		s.mu.Lock()
		s.screen.Write(buf[:n])
		s.mu.Unlock()
		select {
		case s.changed <- struct{}{}:
		default:
		}
		if err != nil {
			return // EIO once the program and its children have closed the terminal
		}
	}
}

// Type writes keys to the terminal, as typed.
func (s *Session) Type(keys string) error {
	_, err := s.control.WriteString(keys)
	return err
}

// Screen returns everything the program wrote so far.
func (s *Session) Screen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.screen.String()
}

// WaitFor waits until the program's output, from offset from on, holds
// want, and returns the offset just past it.
func (s *Session) WaitFor(want string, from int, timeout time.Duration) (int, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		screen := s.Screen()
		if from > len(screen) {
			from = len(screen)
		}
		if i := strings.Index(screen[from:], want); i >= 0 {
			return from + i + len(want), nil
		}
		select {
		case <-s.changed:
		case <-s.readEnd:
			if !strings.Contains(s.Screen()[from:], want) {
				return from, fmt.Errorf("the program closed the terminal without writing %q; it wrote:\n%s", want, s.Screen()[from:])
			}
		case <-deadline.C:
			return from, fmt.Errorf("no %q within %v; the program wrote:\n%s", want, timeout, s.Screen()[from:])
		}
	}
}

// Wait waits, at most timeout, for the program to exit and returns its
// exit code; past the timeout it kills the program. It then reads what
// the program left on the terminal and closes it.
func (s *Session) Wait(timeout time.Duration) (int, error) {
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		s.Cmd.Process.Kill()
		<-done
		err = fmt.Errorf("the program did not exit within %v; it wrote:\n%s", timeout, s.Screen())
	}
	// The terminal may still hold output: read it until the end (EIO, once
	// no process has the terminal open) before closing.
	select {
	case <-s.readEnd:
	case <-time.After(timeout):
	}
	s.control.Close()
	<-s.readEnd
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), nil
		}
		return -1, err
	}
	return 0, nil
}
