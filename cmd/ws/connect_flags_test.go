package main

import (
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testcert"
)

// wantLines fails the test unless each of the patterns matches a line of
// text, in order.
func wantLines(t *testing.T, text string, patterns ...string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	i := 0
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		for i < len(lines) && !re.MatchString(lines[i]) {
			i++
		}
		if i == len(lines) {
			t.Fatalf("no line matching %q (in this order) in:\n%s", p, text)
		}
		i++
	}
}

// TestVerboseTLS: -v shows, on stderr, each step with its time, the TLS
// session and certificate chain, and the request and response heads.
func TestVerboseTLS(t *testing.T) {
	ca := testcert.NewCA(t, "ws verbose CA")
	url := startTLSEcho(t, &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, testcert.Options{IPs: loopback})}})
	r := runWS(t, "", "-v", "--cacert", ca.WritePEM(t), "-H", "X-Trace: 7", "-x", "hi", "--count", "1", "--wait", "20s", url+"feed?a=1")
	wantExit(t, r, exitOK)
	if r.stdout != "hi\n" {
		t.Fatalf("stdout %q: -v goes to stderr", r.stdout)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(url, "wss://"), "/")
	wantLines(t, r.stderr,
		`^\* connected to `+regexp.QuoteMeta(host)+` \(TCP [0-9.]+[µm]?s\)$`,
		`^\* TLS 1\.3, cipher TLS_\w+, ALPN http/1\.1 \(TLS [0-9.]+[µm]?s\)$`,
		`^\* certificate 0: subject .*; issuer CN=ws verbose CA; expires \d{4}-\d\d-\d\d$`,
		`^> GET /feed\?a=1 HTTP/1\.1$`,
		`^> Host: `+regexp.QuoteMeta(host)+`$`,
		`^> Upgrade: websocket$`,
		`^> Sec-WebSocket-Key: \S+$`,
		`^> X-Trace: 7$`,
		`^>$`,
		`^< HTTP/1\.1 101 Switching Protocols$`,
		`^< Sec-Websocket-Accept: \S+$`,
		`^<$`,
		`^\* upgraded \(upgrade [0-9.]+[µm]?s\)$`,
		`^ws: connected to .* in [0-9.]+[µm]?s: TCP [0-9.]+[µm]?s, TLS [0-9.]+[µm]?s, upgrade [0-9.]+[µm]?s$`,
	)
}

// TestVerboseDNS: a host name is resolved, and -v says to what and how
// long it took.
func TestVerboseDNS(t *testing.T) {
	url := strings.Replace(echoURL(t), "127.0.0.1", "localhost", 1)
	r := runWS(t, "", "-v", "-x", "hi", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	wantLines(t, r.stderr,
		`^\* resolving localhost$`,
		`^\* resolved to .*127\.0\.0\.1.* \(DNS [0-9.]+[µm]?s\)$`,
		`^> Host: localhost:\d+$`,
		`^ws: connected to .*: DNS [0-9.]+[µm]?s, TCP .*, upgrade `,
	)
}

// TestCompress: --compress offers permessage-deflate, -v shows what the
// server agreed, and messages go both ways compressed.
func TestCompress(t *testing.T) {
	url := startWS(t, func(c *ws.Conn) {
		if _, ok := c.Compression(); !ok {
			c.Send(ws.Text("not compressed"))
			readClose(c)
			return
		}
		echo(c)
	}, ws.Compression(ws.Deflate{}))
	long := strings.Repeat("compress me ", 100)
	r := runWS(t, "", "--compress", "-v", "-x", long, "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != long+"\n" {
		t.Fatalf("%v", r)
	}
	wantLines(t, r.stderr,
		`^> Sec-Websocket-Extensions: permessage-deflate; client_max_window_bits$`,
		`^< Sec-Websocket-Extensions: permessage-deflate`,
		`^\* permessage-deflate: agreed; client to server 15-bit window, kept across messages; server to client 15-bit window, kept across messages$`,
	)
	r = runWS(t, "", "-x", "plain", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "not compressed\n" {
		t.Fatalf("without --compress: %v", r)
	}
}

// TestOriginUserHeaderFile: --origin, --user and --header-file add their
// headers to the upgrade request.
func TestOriginUserHeaderFile(t *testing.T) {
	url := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A page of another origin: the server lets it in.
		c, err := ws.Accept(w, r, ws.OriginPatterns("app.example"), ws.RecvTimeout(testTimeout))
		if err != nil {
			return
		}
		h := r.Header
		c.Send(ws.Text(strings.Join([]string{h.Get("Origin"), h.Get("Authorization"), h.Get("X-One"), h.Get("X-Two")}, "|")))
		readClose(c)
		c.Close()
	}))
	file := filepath.Join(t.TempDir(), "headers")
	os.WriteFile(file, []byte("# secrets\nX-One: 1\n\n  X-Two:  two  \n"), 0o600)
	r := runWS(t, "", "--origin", "https://app.example", "--user", "ann:s3cret:x", "--header-file", file, "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:s3cret:x"))
	if want := "https://app.example|" + basic + "|1|two\n"; r.stdout != want {
		t.Fatalf("the server got %q, want %q", r.stdout, want)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--user", "ann"}, "give user:password"},
		{[]string{"--user", "a:b", "-H", "Authorization: Bearer x"}, "give one of them"},
		{[]string{"--header-file", filepath.Join(t.TempDir(), "none")}, "--header-file: open"},
	} {
		r := runWS(t, "", append(tc.args, url)...)
		wantExit(t, r, exitUsage)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("X-One: 1\nno colon\n"), 0o600)
	r = runWS(t, "", "--header-file", bad, url)
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "line 2") {
		t.Errorf("stderr %q, want the line", r.stderr)
	}
}

// TestUntil: --until ends with 0 on the first message that matches, and
// with 3 when the connection ends first, or --recv-timeout passes.
func TestUntil(t *testing.T) {
	// The server sends three messages, then closes with 1000.
	url := startWS(t, func(c *ws.Conn) {
		if _, err := c.Recv(); err != nil {
			return
		}
		for _, m := range []string{`{"status":"pending"}`, `{"status":"ok"}`, `{"status":"later"}`} {
			c.Send(ws.Text(m))
		}
		c.CloseWith(ws.CloseNormal, "")
	})
	r := runWS(t, "", "-x", "subscribe", "--until", `"ok"`, url)
	wantExit(t, r, exitOK)
	if r.stdout != "{\"status\":\"pending\"}\n{\"status\":\"ok\"}\n" {
		t.Fatalf("%v", r)
	}
	r = runWS(t, "", "-x", "subscribe", "--until", `"done"`, url)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, `no message matched --until "done"`) {
		t.Fatalf("%v", r)
	}
	silent := startWS(t, func(c *ws.Conn) { readClose(c) })
	r = runWS(t, "", "-x", "subscribe", "--until", "ok", "--recv-timeout", "100ms", silent)
	wantExit(t, r, exitAbnormal)
	if !strings.Contains(r.stderr, "--recv-timeout") {
		t.Fatalf("%v", r)
	}
	r = runWS(t, "", "--until", "(", silent)
	wantExit(t, r, exitUsage)
	if !strings.Contains(r.stderr, "invalid regular expression") {
		t.Fatalf("%v", r)
	}
}

// TestUnknownFlag: an unknown flag is named with its double dash, and
// the nearest known flag suggested.
func TestUnknownFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--vrebose", "ws://127.0.0.1:1/"}, "ws: unknown flag --vrebose (did you mean --verbose?)\n"},
		{[]string{"-head", "a: b", "ws://127.0.0.1:1/"}, "ws: unknown flag --head (did you mean --header?)\n"},
		{[]string{"--zzz", "ws://127.0.0.1:1/"}, "ws: unknown flag --zzz\n"},
		{[]string{"-q", "ws://127.0.0.1:1/"}, "ws: unknown flag -q\n"},
		{[]string{"serve", "--adr", "x"}, "ws: unknown flag --adr (did you mean --addr?)\n"},
		{[]string{"--count", "x", "ws://127.0.0.1:1/"}, `ws: invalid value "x" for flag --count: parse error` + "\n"},
	} {
		r := runWS(t, "", tc.args...)
		wantExit(t, r, exitUsage)
		if !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want it to start with %q", tc.args, r.stderr, tc.want)
		}
	}
}
