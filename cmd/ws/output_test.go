package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	ws "github.com/hackney-go/ws"
)

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, ünïcode ✓", "plain text, ünïcode ✓"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"bell\a cr\r del\x7f", `bell\a cr\r del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
	} {
		if got := terminalSafe(tc.in); got != tc.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainPrinter(t *testing.T) {
	var pipe bytes.Buffer
	p := &plainPrinter{w: &pipe, sep: '\n'}
	p.received(ws.Text("a\x1bb"))
	p.received(ws.Binary([]byte{0, 1, '\n'}))
	p.received(ws.Pong([]byte("hb")))
	p.received(ws.Ping([]byte{0xff}))
	if want := "a\x1bb\n\x00\x01\n[pong] \"hb\"\n[ping] 0xff\n"; pipe.String() != want {
		t.Errorf("to a pipe: %q, want %q", pipe.String(), want)
	}

	var tty bytes.Buffer
	p = &plainPrinter{w: &tty, sep: '\n', terminal: true}
	p.received(ws.Text("a\x1bb"))
	p.received(ws.Binary([]byte("Hi")))
	p.received(ws.Binary(nil))
	if want := "a\\x1bb\n00000000  48 69                                             |Hi|\n\n"; tty.String() != want {
		t.Errorf("to a terminal: %q, want %q", tty.String(), want)
	}
}

func TestJSONPrinter(t *testing.T) {
	var b bytes.Buffer
	p := newJSONPrinter(&b, false)
	p.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC) }
	p.opened(openInfo{url: "ws://h/", subprotocol: "chat"})
	p.sent(ws.Text(""))
	p.received(ws.Binary(nil))
	p.received(ws.Pong([]byte("hidden without --show-control")))
	p.sent(ws.Ping([]byte{0xff}))
	p.closed(dirIn, 4000, "bye")
	p.failed(errors.New("boom"))
	want := strings.Join([]string{
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"in","kind":"open","url":"ws://h/","subprotocol":"chat"}`,
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"out","kind":"text","len":0,"text":""}`,
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"in","kind":"binary","len":0,"data":""}`,
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"out","kind":"ping","len":1,"data":"/w=="}`,
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"in","kind":"close","code":4000,"reason":"bye"}`,
		`{"time":"2026-01-02T03:04:05.000000006Z","dir":"in","kind":"error","error":"boom"}`,
	}, "\n") + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 3 << 20: "3.0 MiB", 5 << 30: "5.0 GiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStatusLineWipedForMessages(t *testing.T) {
	var b bytes.Buffer
	l := &statusLine{w: &b}
	p := &plainPrinter{w: &b, sep: '\n', terminal: true, status: l}
	l.show("reading x: %d%%", 50)
	p.received(ws.Text("msg"))
	p.received(ws.Text("next"))
	l.show("reading x: %d%%", 100)
	l.end("done")
	want := "\r\x1b[Kreading x: 50%\r\x1b[Kmsg\nnext\n\r\x1b[Kreading x: 100%\r\x1b[Kdone\r\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
