package ws

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURLErrors(t *testing.T) {
	for _, url := range []string{
		"http://127.0.0.1:8080/",
		"https://127.0.0.1/",
		"ftp://127.0.0.1/",
		"127.0.0.1:8080/chat",
		"/chat",
		"",
		"ws://127.0.0.1/chat#frag",
		"ws://127.0.0.1/chat#",
		"ws:///chat",
		"ws://:8080/chat",
		"ws:127.0.0.1",
		"ws://[::1/chat",
		"ws://127.0.0.1:port/",
		"ws://]",    // found by FuzzRequest: a host no dialer takes
		"ws://a]b/", // the same inside a name
	} {
		c, err := Connect(testCtx(t), url)
		if err == nil {
			c.Close()
			t.Fatalf("Connect(%q) succeeded", url)
		}
		var ue *URLError
		if !errors.As(err, &ue) || ue.URL != url || ue.Reason == "" {
			t.Errorf("Connect(%q): %v (%T), want *URLError for it", url, err, err)
		}
	}
}

// TestParseURL: the targets of URLs, parsed by parsePlainURL when plain
// says so, by parseAnyURL otherwise.
func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url                    string
		plain                  bool
		secure                 bool
		addr, host, requestURI string
	}{
		{"ws://example.com", true, false, "example.com:80", "example.com", "/"},
		{"WS://Example.com:80/a?b=c", true, false, "Example.com:80", "Example.com", "/a?b=c"},
		{"wss://example.com/chat", true, true, "example.com:443", "example.com", "/chat"},
		{"wss://example.com:8443/", true, true, "example.com:8443", "example.com:8443", "/"},
		{"ws://[::1]:9000/x", true, false, "[::1]:9000", "[::1]:9000", "/x"},
		{"wss://[::1]/", true, true, "[::1]:443", "[::1]", "/"},
		{"ws://127.0.0.1:443/", true, false, "127.0.0.1:443", "127.0.0.1:443", "/"},
		{"ws://127.0.0.1:8080/chat?room=1&who=a@b/c?d", true, false, "127.0.0.1:8080", "127.0.0.1:8080", "/chat?room=1&who=a@b/c?d"},
		{"ws://h/a b?q=x y&é", false, false, "h:80", "h", "/a%20b?q=x%20y&%C3%A9"}, // found by FuzzRequest: a space ended the request-target
		{"ws://h?", false, false, "h:80", "h", "/?"},
		{"ws://h/?%41=1", true, false, "h:80", "h", "/?%41=1"},
		{"ws://h/%41", false, false, "h:80", "h", "/%41"},
		{"ws://h:/", false, false, "h:80", "h", "/"},
		{"ws://u:p@h/", false, false, "h:80", "h", "/"},
		{"ws://[fe80::1%25lo]:1/", false, false, "[fe80::1%lo]:1", "[fe80::1%lo]:1", "/"},
	} {
		var plain target
		if got := parsePlainURL(tc.url, &plain); got != tc.plain {
			t.Errorf("parsePlainURL(%q) = %v, want %v", tc.url, got, tc.plain)
		}
		got := new(target)
		if err := parseURL(tc.url, got); err != nil {
			t.Fatalf("parseURL(%q): %v", tc.url, err)
		}
		if got.secure != tc.secure || got.addr != tc.addr || got.host != tc.host || got.requestURI != tc.requestURI {
			t.Errorf("parseURL(%q) = %+v", tc.url, got)
		}
	}
}

// BenchmarkParseURL parses a plain URL as parseURL does, and through
// net/url as parseAnyURL does any URL.
func BenchmarkParseURL(b *testing.B) {
	const url = "ws://127.0.0.1:8080/chat?room=1"
	for _, bc := range []struct {
		name  string
		parse func(string, *target) error
	}{{"parseURL", parseURL}, {"parseAnyURL", parseAnyURL}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var t target
			for b.Loop() {
				if err := bc.parse(url, &t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	hosts := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, err := Accept(w, r)
		if err != nil {
			return
		}
		hosts <- r.Host
		echoConn(sc)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	url := "ws://" + ln.Addr().String() + "/v6"
	if !strings.HasPrefix(url, "ws://[::1]:") {
		t.Fatalf("URL %s", url)
	}
	c := dial(t, url)
	if got := <-hosts; got != ln.Addr().String() {
		t.Fatalf("Host header %q, want %q", got, ln.Addr())
	}
	if err := c.Send(Text("over IPv6")); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); f.Text() != "over IPv6" {
		t.Fatalf("got %v", f)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
