//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/cmd/ws/internal/ptytest"
)

// startTerminal runs ws with args on a new 100x40 pseudo-terminal,
// NO_COLOR set unless color is true.
func startTerminal(t *testing.T, color bool, args ...string) *ptytest.Session {
	t.Helper()
	return startTerminalSized(t, 100, 40, color, args...)
}

func startTerminalSized(t *testing.T, cols, rows uint16, color bool, args ...string) *ptytest.Session {
	t.Helper()
	return startTerminalState(t, cols, rows, color, t.TempDir(), args...)
}

// startTerminalState runs ws on a new pseudo-terminal with stateDir as
// its XDG_STATE_HOME, where the prompt keeps its history.
func startTerminalState(t *testing.T, cols, rows uint16, color bool, stateDir string, args ...string) *ptytest.Session {
	t.Helper()
	cmd := exec.Command(wsBin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+stateDir)
	if !color {
		cmd.Env = append(cmd.Env, "NO_COLOR=1")
	}
	s, err := ptytest.Start(cmd, cols, rows)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Wait(testTimeout) })
	return s
}

// screen follows a session's output: each wait starts where the last
// match ended.
type screen struct {
	t   *testing.T
	s   *ptytest.Session
	pos int
}

func (sc *screen) want(text string) {
	sc.t.Helper()
	pos, err := sc.s.WaitFor(text, sc.pos, testTimeout)
	if err != nil {
		sc.t.Fatal(err)
	}
	sc.pos = pos
}

// wantAll waits for each of texts, in any order.
func (sc *screen) wantAll(texts ...string) {
	sc.t.Helper()
	end := sc.pos
	for _, text := range texts {
		pos, err := sc.s.WaitFor(text, sc.pos, testTimeout)
		if err != nil {
			sc.t.Fatal(err)
		}
		end = max(end, pos)
	}
	sc.pos = end
}

func (sc *screen) typeKeys(keys string) {
	sc.t.Helper()
	if err := sc.s.Type(keys); err != nil {
		sc.t.Fatal(err)
	}
}

func (sc *screen) exit(code int) {
	sc.t.Helper()
	got, err := sc.s.Wait(testTimeout)
	if err != nil {
		sc.t.Fatal(err)
	}
	if got != code {
		sc.t.Fatalf("exit %d, want %d; the screen:\n%s", got, code, sc.s.Screen())
	}
}

func TestInteractiveCommands(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("connected to " + url)
	sc.want("/help lists the commands")
	sc.want("> ")

	sc.typeKeys("hello\r")
	sc.want("< hello\r\n")
	sc.typeKeys("\x1b[A\r") // the up arrow brings the line back
	sc.want("< hello\r\n")
	sc.typeKeys("/ping abc\r")
	sc.want(`< pong "abc"`)
	sc.typeKeys("/binary 48 69 ff\r")
	sc.want("< binary, 3 bytes")
	sc.want("00000000  48 69 ff")
	sc.typeKeys("//slash\r")
	sc.want("< /slash")
	sc.typeKeys("/help\r")
	sc.want("/close [code [reason]]")
	sc.typeKeys("/nope\r")
	sc.want("unknown command /nope")
	sc.typeKeys("/ping " + strings.Repeat("x", 126) + "\r")
	sc.want("at most 125 bytes")
	sc.typeKeys("/close 999\r")
	sc.want("/close:")
	sc.typeKeys("/close 4001 done for today\r")
	sc.exit(exitOK)
	if s := waitClose(t, seen); s.code != 4001 || s.reason != "done for today" {
		t.Fatalf("server saw %+v, want 4001 \"done for today\"", s)
	}
	sc.want(`closed with 4001 "done for today"`)
}

func TestInteractiveCtrlDClosesWith1000(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
	if s := waitClose(t, seen); s.code != 1000 {
		t.Fatalf("server saw %+v, want 1000", s)
	}
}

func TestInteractiveCtrlC(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("half a line\x03")
	sc.want("interrupted: closing with 1000")
	sc.exit(exitOK)
	if s := waitClose(t, seen); s.code != 1000 {
		t.Fatalf("server saw %+v, want 1000", s)
	}
}

func TestInteractiveSecondCtrlCQuits(t *testing.T) {
	url := startRaw(t, func(c *rawConn) {
		for { // never answers the close frame
			if _, err := c.read(); err != nil {
				return
			}
		}
	})
	sc := &screen{t: t, s: startTerminal(t, false, "--close-timeout", "60s", url)}
	sc.want("> ")
	sc.typeKeys("\x03")
	sc.want("Ctrl-C again to quit at once")
	sc.typeKeys("\x03")
	sc.exit(exitInterrupted)
}

func TestInteractiveIncomingKeepsTheLine(t *testing.T) {
	push := make(chan struct{})
	got := make(chan string, 1)
	url := startWS(t, func(c *ws.Conn) {
		<-push
		c.Send(ws.Text("news from the server"))
		f, err := c.Recv()
		if err != nil {
			got <- err.Error()
			return
		}
		got <- f.Text()
		readClose(c)
	})
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("hel")
	sc.want("hel")
	close(push)
	sc.want("< news from the server\r\n")
	sc.want("> hel") // the line being typed is drawn again, below the message
	sc.typeKeys("lo\r")
	if msg := <-got; msg != "hello" {
		t.Fatalf("server got %q, want \"hello\"", msg)
	}
	sc.typeKeys("\x04")
	sc.exit(exitOK)
}

func TestInteractiveFileShowsProgress(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		for {
			f, err := c.Recv()
			if err != nil || c.Send(ws.Text(fmt.Sprintf("got %d bytes", len(f.Payload)))) != nil {
				return
			}
		}
	})
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, make([]byte, 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("/file " + path + "\r")
	sc.want("sending big.bin")
	// The server's answer may come before or after the line that ends the
	// progress.
	sc.wantAll("sent big.bin: 3.0 MiB in", "< got 3145728 bytes")
	sc.typeKeys("/file /no/such/file\r")
	sc.want("no such file")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
}

func TestInteractiveColors(t *testing.T) {
	url := echoURL(t)
	sc := &screen{t: t, s: startTerminal(t, true, url)}
	sc.want("> ")
	sc.typeKeys("tinted\r")
	sc.want("\x1b[36m< \x1b[0mtinted")
	sc.typeKeys("\x04")
	sc.exit(exitOK)

	plain := &screen{t: t, s: startTerminal(t, false, url)}
	plain.want("> ")
	plain.typeKeys("plain\r")
	plain.want("< plain")
	plain.typeKeys("\x04")
	plain.exit(exitOK)
	if strings.Contains(plain.s.Screen(), "\x1b[36m") {
		t.Fatal("colors with NO_COLOR set")
	}
}

func TestTerminalOutputEscapesControls(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		c.Send(ws.Text("evil\x1b]0;owned\x07title"))
		readClose(c)
	})
	sc := &screen{t: t, s: startTerminal(t, false, "--count", "1", "-x", "hi", url)}
	sc.want(`evil\x1b]0;owned\atitle`)
	sc.exit(exitOK)
}

func TestInteractiveTerminalWithoutSize(t *testing.T) {
	url := echoURL(t)
	// Some pseudo-terminals report 0x0: the line editor keeps its default
	// width rather than wrapping after every character.
	sc := &screen{t: t, s: startTerminalSized(t, 0, 0, false, url)}
	sc.want("> ")
	sc.typeKeys("hello\r")
	sc.want("hello\r\n")
	sc.want("< hello")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
}

// TestInteractiveHistoryAcrossSessions: the lines typed are kept in
// $XDG_STATE_HOME/ws/history, and the next session's up arrow brings them
// back; --no-history neither reads nor writes the file.
func TestInteractiveHistoryAcrossSessions(t *testing.T) {
	url := echoURL(t)
	state := t.TempDir()
	file := filepath.Join(state, "ws", "history")

	sc := &screen{t: t, s: startTerminalState(t, 100, 40, false, state, url)}
	sc.want("> ")
	sc.typeKeys("first\r")
	sc.want("< first")
	sc.typeKeys("second\r")
	sc.want("< second")
	sc.typeKeys("second\r") // the same line again is kept once
	sc.want("< second")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
	if data, err := os.ReadFile(file); err != nil || string(data) != "first\nsecond\n" {
		t.Fatalf("history file %q, %v", data, err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("history file mode %v, %v: want 0600, as it may hold secrets", fi.Mode(), err)
	}

	sc = &screen{t: t, s: startTerminalState(t, 100, 40, false, state, url)}
	sc.want("> ")
	sc.typeKeys("\x1b[A\x1b[A\r") // two lines back: "first"
	sc.want("< first")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
	if data, _ := os.ReadFile(file); string(data) != "first\nsecond\nfirst\n" {
		t.Fatalf("history file %q after the second session", data)
	}

	sc = &screen{t: t, s: startTerminalState(t, 100, 40, false, state, "--no-history", url)}
	sc.want("> ")
	sc.typeKeys("\x1b[A\rnot kept\r") // no history: the up arrow brings nothing
	sc.want("< not kept")
	sc.typeKeys("\x04")
	sc.exit(exitOK)
	if strings.Contains(sc.s.Screen(), "< first") {
		t.Fatal("--no-history read the history")
	}
	if data, _ := os.ReadFile(file); string(data) != "first\nsecond\nfirst\n" {
		t.Fatalf("--no-history wrote the history: %q", data)
	}
}

// TestInteractiveEndOnItsOwnLine: when the session ends while a line is
// partly typed, the last status line starts on a line of its own rather
// than after the typed text: when the server closes, and on Ctrl-C.
func TestInteractiveEndOnItsOwnLine(t *testing.T) {
	typed := make(chan struct{})
	url := startWS(t, func(c *ws.Conn) {
		select {
		case <-typed:
		case <-time.After(testTimeout):
		}
		c.CloseWith(ws.CloseNormal, "")
	})
	sc := &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("partial")
	sc.want("partial")
	close(typed)
	sc.exit(exitOK)
	sc.pos = 0
	sc.want("> partial\r\nws: the server closed the connection: 1000")

	url = echoURL(t)
	sc = &screen{t: t, s: startTerminal(t, false, url)}
	sc.want("> ")
	sc.typeKeys("half a line")
	sc.want("half a line")
	sc.typeKeys("\x03")
	sc.exit(exitOK)
	sc.pos = 0
	sc.want("interrupted: closing with 1000")
	sc.want("> half a line\r\nws: closed with 1000 (normal closure)")
}
