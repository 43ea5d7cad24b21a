package ws

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

// FuzzRequest builds the opening handshake's request from a URL, a header
// and a subprotocol as Connect does. A URL is refused with a *URLError;
// what is accepted must come out as exactly one request that net/http
// reads back with the same target, Host, header and subprotocol: nothing
// in the caller's input can split the request or add a header to it.
func FuzzRequest(f *testing.F) {
	f.Add("ws://example.com/chat?room=1", "X-Token", "abc", "chat")
	f.Add("wss://user:p%40ss@[::1]:8443/a%20b", "Host", "other.example", "v2.json")
	f.Add("ws://h/x#frag", "X", "a\r\nInjected: yes", "a b")
	f.Add("WS://H:80", "Bad Name", "x", "")
	f.Add("ws://h/\u00e9?q=\u00e9", "Cookie", "a=1;\tb=2", "x")
	f.Add("ws:/h", "Authorization", "Basic Ym9iOnB3", "chat,super")
	f.Add("ws://h:99999/", "Host", "", "p")
	f.Fuzz(func(t *testing.T, rawURL, name, value, protocol string) {
		tg := new(target)
		if err := parseURL(rawURL, tg); err != nil {
			if ue := (*URLError)(nil); !errors.As(err, &ue) {
				t.Fatalf("parseURL(%q): %T %v, want a *URLError", rawURL, err, err)
			}
			return
		}
		if _, _, err := net.SplitHostPort(tg.addr); err != nil {
			t.Fatalf("parseURL(%q): address %q: %v", rawURL, tg.addr, err)
		}
		req := new(proto.Request)
		if err := buildRequest(tg, newConfig([]Option{Header(name, value), Protocols(protocol)}), req); err != nil {
			return
		}
		head := req.Append(nil)
		br := bufio.NewReader(bytes.NewReader(head))
		got, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("net/http cannot read the request:\n%s\n%v", head, err)
		}
		if br.Buffered() != 0 {
			t.Fatalf("%d bytes after the request:\n%s", br.Buffered(), head)
		}
		if got.RequestURI != tg.requestURI {
			t.Fatalf("request-target %q, want %q", got.RequestURI, tg.requestURI)
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		wantHost := tg.host
		if key == "Host" {
			wantHost = strings.Trim(value, " \t")
		} else if key != "Authorization" || tg.basicAuth == "" {
			if v := got.Header.Values(key); len(v) != 1 || v[0] != strings.Trim(value, " \t") {
				t.Fatalf("header %s: %q, want [%q]", key, v, value)
			}
		}
		if got.Host != wantHost {
			t.Fatalf("Host %q, want %q", got.Host, wantHost)
		}
		if v := got.Header.Values("Sec-Websocket-Protocol"); len(v) != 1 || v[0] != protocol {
			t.Fatalf("Sec-WebSocket-Protocol %q, want [%q]", v, protocol)
		}
	})
}
