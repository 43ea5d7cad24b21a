package main

import (
	"bytes"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
)

func TestParseLine(t *testing.T) {
	frame := func(f ws.Frame) action { return action{frame: &f} }
	for _, tc := range []struct {
		line string
		want action
	}{
		{"", action{}},
		{"hello world", frame(ws.Text("hello world"))},
		{"//etc/passwd", frame(ws.Text("/etc/passwd"))},
		{"/ping", frame(ws.Ping(nil))},
		{"/ping heart beat", frame(ws.Ping([]byte("heart beat")))},
		{"/pong x", frame(ws.Pong([]byte("x")))},
		{"/binary 48 69 ff", frame(ws.Binary([]byte{0x48, 0x69, 0xff}))},
		{"/binary 0x4869FF", frame(ws.Binary([]byte{0x48, 0x69, 0xff}))},
		{"/file  some path.bin ", action{file: "some path.bin"}},
		{"/close", action{close: &closeRequest{code: 1000}}},
		{"/close 4000", action{close: &closeRequest{code: 4000}}},
		{"/close 1001 going away now", action{close: &closeRequest{code: 1001, reason: "going away now"}}},
		{"/help", action{help: true}},
	} {
		got, err := parseLine(tc.line)
		if err != nil {
			t.Errorf("parseLine(%q): %v", tc.line, err)
			continue
		}
		if !sameAction(got, tc.want) {
			t.Errorf("parseLine(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

func sameAction(a, b action) bool {
	switch {
	case (a.frame == nil) != (b.frame == nil), (a.close == nil) != (b.close == nil):
		return false
	case a.frame != nil && (a.frame.Kind != b.frame.Kind || !bytes.Equal(a.frame.Payload, b.frame.Payload)):
		return false
	case a.close != nil && *a.close != *b.close:
		return false
	}
	return a.file == b.file && a.help == b.help
}

func TestParseLineErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"/ping " + strings.Repeat("x", 126), "at most 125 bytes"},
		{"/binary", "give the bytes in hex"},
		{"/binary 4", "not hex"},
		{"/binary zz", "not hex"},
		{"/file", "needs a path"},
		{"/close 1005 reason", "cannot carry a reason"},
		{"/close 1006", "may not be sent"},
		{"/close 5000", "may not be sent"},
		{"/close abc", "invalid close code"},
		{"/close 70000", "invalid close code"},
		{"/close 1000 " + strings.Repeat("r", 124), "longer than 123"},
		{"/quit", "unknown command /quit"},
	} {
		_, err := parseLine(tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseLine(%.30q): %v, want an error with %q", tc.line, err, tc.want)
		}
	}
}
