package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/hackney-go/ws/internal/proxytest"
)

func TestMain(m *testing.M) {
	proxytest.DirectLoopback()
	goleak.VerifyTestMain(m)
}

// handshake sends a raw upgrade request with the given header lines to a
// server running Handler and returns the response.
func handshake(t *testing.T, o Options, method string, lines ...string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(Handler(o, func(c *Conn) { c.CloseWith(1000, c.Subprotocol) }))
	t.Cleanup(srv.Close)
	nc, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := method + " / HTTP/1.1\r\nHost: x\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

const key = "dGhlIHNhbXBsZSBub25jZQ=="

var upgrade = []string{"Upgrade: websocket", "Connection: keep-alive, Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + key}

func TestUpgrade(t *testing.T) {
	resp := handshake(t, Options{}, "GET", upgrade...)
	if resp.StatusCode != 101 || resp.Header.Get("Sec-Websocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("got %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-Websocket-Accept"))
	}
	if resp.Header.Get("Sec-Websocket-Protocol") != "" {
		t.Fatal("a subprotocol chosen though none was offered")
	}
}

// TestUpgradeRefusals: section 4.2.1's checks, and 426 with the version
// the server speaks for another version (section 4.4).
func TestUpgradeRefusals(t *testing.T) {
	without := func(prefix string) []string {
		var out []string
		for _, l := range upgrade {
			if !strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		method string
		lines  []string
		status int
	}{
		{"POST", "POST", upgrade, http.StatusMethodNotAllowed},
		{"no Upgrade", "GET", without("Upgrade:"), http.StatusBadRequest},
		{"no Connection", "GET", without("Connection:"), http.StatusBadRequest},
		{"version 8", "GET", append(without("Sec-WebSocket-Version"), "Sec-WebSocket-Version: 8"), http.StatusUpgradeRequired},
		{"short key", "GET", append(without("Sec-WebSocket-Key"), "Sec-WebSocket-Key: abc"), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := handshake(t, Options{}, tc.method, tc.lines...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == http.StatusUpgradeRequired && resp.Header.Get("Sec-Websocket-Version") != "13" {
				t.Fatal("426 without Sec-WebSocket-Version: 13")
			}
		})
	}
}

// TestSubprotocolChoice: the server's preference wins among those offered.
func TestSubprotocolChoice(t *testing.T) {
	o := Options{Protocols: []string{"c", "b", "a"}}
	resp := handshake(t, o, "GET", append(upgrade, "Sec-WebSocket-Protocol: a, b", "Sec-WebSocket-Protocol: x")...)
	if got := resp.Header.Get("Sec-Websocket-Protocol"); got != "b" {
		t.Fatalf("chose %q, want b", got)
	}
	resp = handshake(t, o, "GET", append(upgrade, "Sec-WebSocket-Protocol: x")...)
	if got := resp.Header.Values("Sec-Websocket-Protocol"); len(got) != 0 {
		t.Fatalf("chose %q from none it speaks", got)
	}
}

// TestReadFrameFailsWithCloseCode: a violation from the client gets the
// close frame with the RFC's code before ReadFrame returns it.
func TestReadFrameFailsWithCloseCode(t *testing.T) {
	got := make(chan error, 1)
	srv := httptest.NewServer(Handler(Options{}, func(c *Conn) {
		_, err := c.ReadFrame()
		got <- err
	}))
	defer srv.Close()
	nc, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n" + strings.Join(upgrade, "\r\n") + "\r\n\r\n"))
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v", err)
	}
	// An unmasked frame from a client breaks section 5.1.
	nc.Write(proto.AppendHeader(nil, proto.Header{Fin: true, Op: proto.OpText}))
	h, err := readHeader(br)
	if err != nil || h.Op != proto.OpClose || h.Length < 2 {
		t.Fatalf("got %v, %v; want a close frame with a code", h, err)
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := proto.ParseClose(payload); code != proto.CloseProtocolError {
		t.Fatalf("close code %d, want 1002", code)
	}
	if v, ok := (<-got).(*proto.Violation); !ok || v.Code != proto.CloseProtocolError {
		t.Fatalf("ReadFrame returned %v", v)
	}
}

func readHeader(br *bufio.Reader) (proto.Header, error) {
	for n := 2; ; n++ {
		b, err := br.Peek(n)
		if err != nil {
			return proto.Header{}, err
		}
		if h, hn, err := proto.ParseHeader(b); err != nil || hn > 0 {
			br.Discard(hn)
			return h, err
		}
	}
}
