package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

func TestPipedLinesAreMessages(t *testing.T) {
	url := echoURL(t)
	r := runWS(t, "one\ntwo words\r\n\nlast without newline", "--count", "4", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if want := "one\ntwo words\n\nlast without newline\n"; r.stdout != want {
		t.Fatalf("stdout %q, want %q", r.stdout, want)
	}
	if r.stderr != "" {
		t.Fatalf("stderr %q, want nothing", r.stderr)
	}
}

func TestPipedClosesWith1000AtEOF(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	r := runWS(t, "hello\n", "--wait", "0", url)
	wantExit(t, r, exitOK)
	if s := waitClose(t, seen); s.err != nil || s.code != 1000 {
		t.Fatalf("server saw %+v, want close 1000", s)
	}
}

func TestNullSeparated(t *testing.T) {
	url := echoURL(t)
	r := runWS(t, "a\nb\x00c\x00", "--null", "--count", "2", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if want := "a\nb\x00c\x00"; r.stdout != want {
		t.Fatalf("stdout %q, want %q", r.stdout, want)
	}
}

func TestBinaryInputAndJSON(t *testing.T) {
	url := echoURL(t)
	r := runWS(t, "\xff\xfe\n", "--binary", "--json", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	events := parseEvents(t, r.stdout)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev["dir"].(string)+" "+ev["kind"].(string))
	}
	if got, want := strings.Join(kinds, ", "), "in open, out binary, in binary, out close"; got != want {
		t.Fatalf("events %s, want %s\n%s", got, want, r.stdout)
	}
	in := events[2]
	if in["data"] != base64.StdEncoding.EncodeToString([]byte("\xff\xfe")) || in["len"] != 2.0 || in["text"] != nil {
		t.Fatalf("binary event %v", in)
	}
	if c := events[3]; c["code"] != 1000.0 || c["reason"] != "" {
		t.Fatalf("close event %v", c)
	}
	for _, ev := range events {
		if _, ok := ev["time"].(string); !ok {
			t.Fatalf("event without time: %v", ev)
		}
	}
}

func TestInvalidUTF8LineIsUsageError(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	r := runWS(t, "ok\n\xff\n", url)
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "message 2 is not valid UTF-8") || !strings.Contains(r.stderr, "--binary") {
		t.Fatalf("stderr does not explain: %v", r)
	}
	if s := waitClose(t, seen); s.code != 1000 {
		t.Fatalf("server saw %+v, want close 1000", s)
	}
}

func TestOneShot(t *testing.T) {
	url := echoURL(t)
	r := runWS(t, "ignored\n", "-x", "first", url, "--send", "second", "--count", "2", "--wait", "20s")
	wantExit(t, r, exitOK)
	if r.stdout != "first\nsecond\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
}

func TestOneShotWaitWithoutReplies(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) { readClose(c) })
	r := runWS(t, "", "-x", "unanswered", "--wait", "50ms", url)
	wantExit(t, r, exitOK)
	if r.stdout != "" {
		t.Fatalf("stdout %q, want nothing", r.stdout)
	}
}

func TestFileIsOneBinaryMessage(t *testing.T) {
	url := echoURL(t)
	path := filepath.Join(t.TempDir(), "data.bin")
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 10000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runWS(t, "", "--file", path, "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != string(data) {
		t.Fatalf("stdout has %d bytes, want the file's %d and nothing more", len(r.stdout), len(data))
	}
	if r.stderr != "" {
		t.Fatalf("progress on a stderr that is not a terminal: %q", r.stderr)
	}
	r = runWS(t, "", "--file", filepath.Join(t.TempDir(), "missing"), url)
	wantExit(t, r, exitUsage)
}

func TestHeadersAndProtocol(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, ws.Protocols("chat.v2"), ws.RecvTimeout(testTimeout))
		if err != nil {
			return
		}
		c.Send(ws.Text(r.Header.Get("Authorization") + "|" + r.Header.Get("X-Trace")))
		readClose(c)
		c.Close()
	}))
	r := runWS(t, "", "-H", "Authorization: Bearer t0k3n", "--header", "X-Trace:  abc ", "--protocol", "chat.v1", "--protocol", "chat.v2",
		"--json", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	events := parseEvents(t, r.stdout)
	if events[0]["kind"] != "open" || events[0]["subprotocol"] != "chat.v2" {
		t.Fatalf("open event %v", events[0])
	}
	if events[1]["text"] != "Bearer t0k3n|abc" {
		t.Fatalf("the server got the headers %v", events[1]["text"])
	}
}

func TestUsageErrors(t *testing.T) {
	url := echoURL(t)
	for _, args := range [][]string{
		{},
		{"--no-such-flag", url},
		{"-H", "no colon", url},
		{"-H", "Sec-WebSocket-Key: x", url},
		{"--protocol", "a,b", url},
		{"--count", "-1", url},
		{"--wait", "soon", url},
		{"--max-message", "lots", url},
		{"connect"},
		{url, url},
		{"http://127.0.0.1/"},
		{"frobnicate"},
		{"--cacert", "/no/such/file", url},
		{"--key", "k.pem", url},
	} {
		r := runWS(t, "", args...)
		if r.code != exitUsage || r.stderr == "" {
			t.Errorf("ws %q: want exit 1 with a message, got %v", args, r)
		}
	}
}

func TestHelp(t *testing.T) {
	r := runWS(t, "", "help")
	wantExit(t, r, exitOK)
	for _, want := range []string{"Exit status:", "  0 ", "  1 ", "  2 ", "  3 ", "ws demo", "NO_COLOR"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ws help lacks %q", want)
		}
	}
	for _, cmd := range []string{"connect", "demo", "serve", "version"} {
		r := runWS(t, "", cmd, "--help")
		wantExit(t, r, exitOK)
		if !strings.Contains(r.stdout, "usage: ws") || (cmd != "version" && !strings.Contains(r.stdout, "Example")) {
			t.Errorf("ws %s --help: %q", cmd, r.stdout)
		}
		if h := runWS(t, "", "help", cmd); h.stdout != r.stdout {
			t.Errorf("ws help %s differs from ws %s --help", cmd, cmd)
		}
	}
	if r := runWS(t, "", "--help"); r.code != exitOK || !strings.Contains(r.stdout, "Exit status:") {
		t.Errorf("ws --help: %v", r)
	}
}

func TestVersion(t *testing.T) {
	r := runWS(t, "", "version")
	wantExit(t, r, exitOK)
	if !strings.HasPrefix(r.stdout, "ws ") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("version %q", r.stdout)
	}
}

func TestShowControl(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		c.Send(ws.Ping([]byte("hb")))
		c.Send(ws.Text("after the ping"))
		readClose(c)
	})
	r := runWS(t, "", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "after the ping\n" {
		t.Fatalf("without --show-control: stdout %q", r.stdout)
	}
	r = runWS(t, "", "--show-control", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "[ping] \"hb\"\nafter the ping\n" {
		t.Fatalf("with --show-control: stdout %q", r.stdout)
	}
}

func TestRecvTimeout(t *testing.T) {
	seen := make(chan closeSeen, 1)
	url := startWS(t, recordingEcho(seen))
	r := runWS(t, "", "--recv-timeout", "100ms", "--wait", "forever", url)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, "no message received for 100ms") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if s := waitClose(t, seen); s.code != 1000 {
		t.Fatalf("server saw %+v, want close 1000", s)
	}
}

func TestMaxMessage(t *testing.T) {
	got := make(chan closeSeen, 1)
	url := startWS(t, func(c *ws.Conn) {
		c.Send(ws.Binary(make([]byte, 2000)))
		code, reason, err := readClose(c)
		got <- closeSeen{code, reason, err}
	})
	r := runWS(t, "", "--max-message", "1K", "--wait", "forever", url)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, "2000 bytes exceeds the limit of 1024") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if s := waitClose(t, got); s.code != 1009 {
		t.Fatalf("server saw %+v, want close 1009", s)
	}
}

func TestRefusedPort(t *testing.T) {
	r := runWS(t, "", "-x", "hi", "ws://"+freePort(t)+"/")
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "could not connect") || !strings.Contains(r.stderr, "refused") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestRefusedUpgradeShowsStatusHeadersBody(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="test"`)
		http.Error(w, "token expired\nlog in again", http.StatusUnauthorized)
	}))
	r := runWS(t, "", url)
	wantExit(t, r, exitConnect)
	for _, want := range []string{"HTTP 401 Unauthorized", `< Www-Authenticate: Bearer realm="test"`, "< token expired", "< log in again"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
}

func TestConnectTimeout(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; ends when the client goes
	}))
	r := runWS(t, "", "--connect-timeout", "100ms", url)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "within 100ms (--connect-timeout)") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestServerClosesWith4000(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		c.CloseWith(4000, "bye")
	})
	r := runWS(t, "", "--wait", "forever", "--json", url)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, `4000`) || !strings.Contains(r.stderr, `"bye"`) {
		t.Fatalf("stderr %q", r.stderr)
	}
	events := parseEvents(t, r.stdout)
	last := events[len(events)-1]
	if last["dir"] != "in" || last["kind"] != "close" || last["code"] != 4000.0 || last["reason"] != "bye" {
		t.Fatalf("last event %v", last)
	}
}

func TestServerCloses1000IsNormal(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		c.Send(ws.Text("that's all"))
		c.CloseWith(ws.CloseNormal, "done")
	})
	r := runWS(t, "", "--wait", "forever", url)
	wantExit(t, r, exitOK)
	if r.stdout != "that's all\n" || r.stderr != "" {
		t.Fatalf("%v", r)
	}
}

func TestConnectionDropped(t *testing.T) {
	url := startRaw(t, func(c *rawConn) {
		c.write(proto.OpText, []byte("about to vanish"))
	})
	r := runWS(t, "", "--wait", "forever", url)
	wantExit(t, r, exitAbnormal)
	if r.stdout != "about to vanish\n" || !strings.Contains(r.stderr, "without a close frame") {
		t.Fatalf("%v", r)
	}
}

// parseEvents decodes --json output.
func parseEvents(t *testing.T, out string) []map[string]any {
	t.Helper()
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		events = append(events, ev)
	}
	return events
}
