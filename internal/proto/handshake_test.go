package proto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	// RFC 6455 section 1.3.
	if got, want := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("AcceptKey = %q, want %q", got, want)
	}
}

func TestEncodeKey(t *testing.T) {
	// RFC 6455 section 4.1 item 7: the nonce "the sample nonce".
	var nonce [16]byte
	copy(nonce[:], "the sample nonce")
	if got, want := EncodeKey(nonce), "dGhlIHNhbXBsZSBub25jZQ=="; string(got[:]) != want {
		t.Errorf("EncodeKey = %q, want %q", got, want)
	}
}

const switching = "HTTP/1.1 101 Switching Protocols\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
	"\r\n"

// parsed is a Response with its headers parsed, to compare.
type parsed struct {
	Proto      string
	StatusCode int
	Status     string
	Header     http.Header
}

func parsedOf(r *Response) *parsed {
	if r == nil {
		return nil
	}
	return &parsed{r.Proto, r.StatusCode, r.Status, r.Header()}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name string
		head string // the whole head, blank line included
		want *parsed
	}{
		{"101", switching, &parsed{Proto: "HTTP/1.1", StatusCode: 101, Status: "Switching Protocols", Header: http.Header{
			"Upgrade":              {"websocket"},
			"Connection":           {"Upgrade"},
			"Sec-Websocket-Accept": {"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
		}}},
		{"bare LF", "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 101, Status: "Switching Protocols", Header: http.Header{"Upgrade": {"websocket"}}}},
		{"CRLF and LF mixed", "HTTP/1.1 101 OK\r\nUpgrade: websocket\nConnection: upgrade\r\n\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 101, Status: "OK", Header: http.Header{"Upgrade": {"websocket"}, "Connection": {"upgrade"}}}},
		{"ends in LF CRLF", "HTTP/1.1 101 OK\nUpgrade: websocket\n\r\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 101, Status: "OK", Header: http.Header{"Upgrade": {"websocket"}}}},
		{"no headers", "HTTP/1.1 204 No Content\r\n\r\n", &parsed{Proto: "HTTP/1.1", StatusCode: 204, Status: "No Content", Header: http.Header{}}},
		{"no reason phrase", "HTTP/1.1 101\r\n\r\n", &parsed{Proto: "HTTP/1.1", StatusCode: 101, Header: http.Header{}}},
		{"empty reason phrase", "HTTP/1.1 101 \r\n\r\n", &parsed{Proto: "HTTP/1.1", StatusCode: 101, Header: http.Header{}}},
		{"reason with spaces", "HTTP/1.0 404 Not  Found here\r\n\r\n", &parsed{Proto: "HTTP/1.0", StatusCode: 404, Status: "Not  Found here", Header: http.Header{}}},
		{"highest status", "HTTP/1.1 999 ?\r\n\r\n", &parsed{Proto: "HTTP/1.1", StatusCode: 999, Status: "?", Header: http.Header{}}},
		{"names canonicalized, values trimmed, repeats kept in order",
			"HTTP/1.1 401 Unauthorized\r\nwww-authenticate:Basic\r\nX-Multi: \t a b \t\r\nx-multi: c\r\nX-Empty:\r\n\r\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 401, Status: "Unauthorized", Header: http.Header{
				"Www-Authenticate": {"Basic"},
				"X-Multi":          {"a b", "c"},
				"X-Empty":          {""},
			}}},
		{"value with a colon", "HTTP/1.1 302 Found\r\nLocation: http://example.com:8080/x\r\n\r\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 302, Status: "Found", Header: http.Header{"Location": {"http://example.com:8080/x"}}}},
		{"token characters in a name", "HTTP/1.1 101 OK\r\nX-a.b_c~!#$%&'*+^`|: v\r\n\r\n",
			&parsed{Proto: "HTTP/1.1", StatusCode: 101, Status: "OK", Header: http.Header{"X-A.b_c~!#$%&'*+^`|": {"v"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Whatever follows the head (frames, a body) is left at n.
			for _, rest := range []string{"", "\x81\x05Hello", "body\r\n\r\nmore"} {
				resp, n, err := ParseResponse([]byte(tt.head + rest))
				if err != nil || n != len(tt.head) || !reflect.DeepEqual(parsedOf(resp), tt.want) {
					t.Fatalf("ParseResponse(%q) = %+v, %d, %v; want %+v, %d, nil", tt.head+rest, resp, n, err, tt.want, len(tt.head))
				}
				// Values and Get find a header by its name in any case.
				for name, want := range tt.want.Header {
					for _, asked := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
						if got := resp.Values(asked); !reflect.DeepEqual(got, want) || resp.Get(asked) != want[0] {
							t.Fatalf("Values(%q) = %q, Get = %q; want %q", asked, got, resp.Get(asked), want)
						}
					}
				}
				if resp.Values("Absent") != nil || resp.Get("Absent") != "" {
					t.Fatal("a header that is not there has values")
				}
			}
			// Every prefix of the head is incomplete, not wrong.
			for k := range len(tt.head) {
				if resp, n, err := ParseResponse([]byte(tt.head[:k])); resp != nil || n != 0 || err != nil {
					t.Fatalf("ParseResponse of %d of %d bytes = %v, %d, %v; want nil, 0, nil", k, len(tt.head), resp, n, err)
				}
			}
		})
	}
}

func TestParseResponseMalformed(t *testing.T) {
	tests := []struct{ name, head string }{
		{"empty status line", "\r\nUpgrade: websocket\r\n\r\n"},
		{"blank head", "\r\n\r\n"},
		{"no status code", "HTTP/1.1\r\n\r\n"},
		{"not HTTP", "SPDY/1.1 101 OK\r\n\r\n"},
		{"lower-case HTTP", "http/1.1 101 OK\r\n\r\n"},
		{"HTTP/2", "HTTP/2 101 OK\r\n\r\n"},
		{"HTTP/1.x", "HTTP/1.x 101 OK\r\n\r\n"},
		{"HTTP/1.10", "HTTP/1.10 101 OK\r\n\r\n"},
		{"two spaces before the code", "HTTP/1.1  101 OK\r\n\r\n"},
		{"tab before the code", "HTTP/1.1\t101 OK\r\n\r\n"},
		{"two-digit code", "HTTP/1.1 99 OK\r\n\r\n"},
		{"four-digit code", "HTTP/1.1 1010 OK\r\n\r\n"},
		{"code below 100", "HTTP/1.1 099 OK\r\n\r\n"},
		{"signed code", "HTTP/1.1 +99 OK\r\n\r\n"},
		{"letter in the code", "HTTP/1.1 1O1 OK\r\n\r\n"},
		{"header without a colon", "HTTP/1.1 101 OK\r\nUpgrade websocket\r\n\r\n"},
		{"empty header name", "HTTP/1.1 101 OK\r\n: websocket\r\n\r\n"},
		{"space before the colon", "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n"},
		{"separator in the name", "HTTP/1.1 101 OK\r\nUp(grade): websocket\r\n\r\n"},
		{"non-ASCII name", "HTTP/1.1 101 OK\r\nÜpgrade: websocket\r\n\r\n"},
		{"obs-fold with a space", "HTTP/1.1 101 OK\r\nX-Long: a\r\n b\r\n\r\n"},
		{"obs-fold with a tab", "HTTP/1.1 101 OK\r\nX-Long: a\r\n\tb\r\n\r\n"},
		{"CR inside a value", "HTTP/1.1 101 OK\r\nX-Bad: a\rb\r\n\r\n"},
		{"CR ending a value before CRLF", "HTTP/1.1 101 OK\r\nX-Bad: a\r\r\n\r\n"},
		{"NUL inside a value", "HTTP/1.1 101 OK\r\nX-Bad: a\x00b\r\n\r\n"},
		{"CR inside the reason phrase", "HTTP/1.1 101 O\rK\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, n, err := ParseResponse([]byte(tt.head + "\x81\x00"))
			var fault *HandshakeFault
			if !errors.Is(err, ErrMalformedResponse) || !errors.As(err, &fault) || resp != nil || n != 0 {
				t.Fatalf("ParseResponse(%q) = %+v, %d, %v; want nil, 0 and ErrMalformedResponse", tt.head, resp, n, err)
			}
			if fault.Error() == "" || fault.Header == "" {
				t.Errorf("fault %#v does not say what is wrong", fault)
			}
		})
	}
}

func TestParseResponseSizeLimit(t *testing.T) {
	const status = "HTTP/1.1 101 OK\r\n"
	// filler makes a header line that brings the head to n bytes.
	head := func(n int) string {
		line := "X-Fill: " + strings.Repeat("f", n-len(status)-len("X-Fill: \r\n\r\n")) + "\r\n"
		return status + line + "\r\n"
	}
	if h := head(MaxResponseHead); len(h) != MaxResponseHead {
		t.Fatalf("test head of %d bytes", len(h))
	}
	if _, n, err := ParseResponse([]byte(head(MaxResponseHead))); err != nil || n != MaxResponseHead {
		t.Errorf("head of exactly 64 KiB: n = %d, err = %v; want accepted", n, err)
	}
	if _, n, err := ParseResponse([]byte(head(MaxResponseHead + 1))); !errors.Is(err, ErrMalformedResponse) || n != 0 {
		t.Errorf("head of 64 KiB + 1: n = %d, err = %v; want ErrMalformedResponse", n, err)
	}
	// A head that never ends is refused as soon as it is too long to be
	// accepted, not when it ends.
	endless := []byte(status + "X-Fill: " + strings.Repeat("f", MaxResponseHead))
	if _, n, err := ParseResponse(endless[:MaxResponseHead]); err != nil || n != 0 {
		t.Errorf("unfinished head of 64 KiB: n = %d, err = %v; want 0, nil", n, err)
	}
	if _, n, err := ParseResponse(endless[:MaxResponseHead+1]); !errors.Is(err, ErrMalformedResponse) || n != 0 {
		t.Errorf("unfinished head over 64 KiB: n = %d, err = %v; want ErrMalformedResponse", n, err)
	}
}

// response builds a 101 response for key with headers added, replacing
// the defaults of the same names; a nil value removes a default.
func response(key string, headers map[string][]string) *Response {
	h := http.Header{
		"Upgrade":              {"websocket"},
		"Connection":           {"Upgrade"},
		"Sec-Websocket-Accept": {AcceptKey(key)},
	}
	for name, values := range headers {
		if values == nil {
			h.Del(name)
			continue
		}
		h[http.CanonicalHeaderKey(name)] = values
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	h.Write(&head)
	head.WriteString("\r\n")
	resp, _, err := ParseResponse(head.Bytes())
	if err != nil {
		panic(fmt.Sprintf("ParseResponse(%q): %v", head.Bytes(), err))
	}
	return resp
}

func TestCheckResponse(t *testing.T) {
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	tests := []struct {
		name      string
		headers   map[string][]string
		protocols []string
		want      string // the chosen protocol
		err       error
		header    string // the header the fault names
		proto     string // the status line's version, HTTP/1.1 if empty
	}{
		{name: "minimal"},
		{name: "HTTP/1.2", proto: "HTTP/1.2"},
		{name: "HTTP/1.0", proto: "HTTP/1.0", err: ErrMalformedResponse, header: "status line"},
		{name: "upgrade in another case", headers: map[string][]string{"Upgrade": {"WebSocket"}}},
		{name: "upgrade in a list", headers: map[string][]string{"Upgrade": {"foo/2, websocket"}}},
		{name: "connection in lower case", headers: map[string][]string{"Connection": {"upgrade"}}},
		{name: "connection in upper case", headers: map[string][]string{"Connection": {"UPGRADE"}}},
		{name: "connection token list", headers: map[string][]string{"Connection": {"keep-alive, Upgrade"}}},
		{name: "connection token list without spaces", headers: map[string][]string{"Connection": {"keep-alive,upgrade,close"}}},
		{name: "connection over two lines", headers: map[string][]string{"Connection": {"keep-alive", "Upgrade"}}},
		{name: "missing upgrade", headers: map[string][]string{"Upgrade": nil}, err: ErrBadUpgrade, header: "Upgrade"},
		{name: "wrong upgrade", headers: map[string][]string{"Upgrade": {"h2c"}}, err: ErrBadUpgrade, header: "Upgrade"},
		{name: "upgrade as a substring", headers: map[string][]string{"Upgrade": {"websockets"}}, err: ErrBadUpgrade, header: "Upgrade"},
		{name: "missing connection", headers: map[string][]string{"Connection": nil}, err: ErrBadConnection, header: "Connection"},
		{name: "wrong connection", headers: map[string][]string{"Connection": {"keep-alive"}}, err: ErrBadConnection, header: "Connection"},
		{name: "connection as a substring", headers: map[string][]string{"Connection": {"upgraded"}}, err: ErrBadConnection, header: "Connection"},
		{name: "missing accept", headers: map[string][]string{"Sec-WebSocket-Accept": nil}, err: ErrBadAccept, header: "Sec-WebSocket-Accept"},
		{name: "wrong accept", headers: map[string][]string{"Sec-WebSocket-Accept": {AcceptKey("another key")}}, err: ErrBadAccept, header: "Sec-WebSocket-Accept"},
		{name: "accept of the key itself", headers: map[string][]string{"Sec-WebSocket-Accept": {key}}, err: ErrBadAccept, header: "Sec-WebSocket-Accept"},
		{name: "duplicate accept", headers: map[string][]string{"Sec-WebSocket-Accept": {AcceptKey(key), AcceptKey(key)}}, err: ErrBadAccept, header: "Sec-WebSocket-Accept"},
		{name: "accept listed twice on one line", headers: map[string][]string{"Sec-WebSocket-Accept": {AcceptKey(key) + ", " + AcceptKey(key)}}, err: ErrBadAccept, header: "Sec-WebSocket-Accept"},
		{name: "offered protocol chosen", protocols: []string{"chat", "superchat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"superchat"}}, want: "superchat"},
		{name: "no protocol chosen from an offer", protocols: []string{"chat"}},
		{name: "protocol compared exactly", protocols: []string{"chat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"Chat"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "unoffered protocol", protocols: []string{"chat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"other"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "protocol when none offered", headers: map[string][]string{"Sec-WebSocket-Protocol": {"chat"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "two protocols on one line", protocols: []string{"chat", "superchat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"chat, superchat"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "two protocol headers", protocols: []string{"chat", "superchat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"chat", "superchat"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "the same protocol twice", protocols: []string{"chat"}, headers: map[string][]string{"Sec-WebSocket-Protocol": {"chat", "chat"}},
			err: ErrUnofferedProtocol, header: "Sec-WebSocket-Protocol"},
		{name: "extension", headers: map[string][]string{"Sec-WebSocket-Extensions": {"permessage-deflate"}},
			err: ErrUnofferedExtension, header: "Sec-WebSocket-Extensions"},
		{name: "extension with a chosen protocol", protocols: []string{"chat"},
			headers: map[string][]string{"Sec-WebSocket-Protocol": {"chat"}, "Sec-WebSocket-Extensions": {"x-webkit-deflate-frame"}},
			err:     ErrUnofferedExtension, header: "Sec-WebSocket-Extensions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := response(key, tt.headers)
			if tt.proto != "" {
				resp.Proto = tt.proto
			}
			got, err := CheckResponse(resp, key, tt.protocols, false)
			if tt.err == nil {
				if err != nil || got != tt.want {
					t.Fatalf("CheckResponse = %q, %v; want %q, nil", got, err, tt.want)
				}
				return
			}
			var fault *HandshakeFault
			if !errors.Is(err, tt.err) || !errors.As(err, &fault) || got != "" {
				t.Fatalf("CheckResponse = %q, %v; want \"\" and %v", got, err, tt.err)
			}
			if fault.Header != tt.header || !strings.Contains(fault.Error(), tt.err.Error()) {
				t.Errorf("fault names header %q (%v); want %q", fault.Header, fault, tt.header)
			}
		})
	}
}

// Responses parsed and checked as the client does: header names in any
// case, values compared as section 4.1 says.
func TestParseAndCheckResponse(t *testing.T) {
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	tests := []struct {
		head string
		err  error
	}{
		{switching, nil},
		{"HTTP/1.1 101 Switching Protocols\nupgrade: WebSocket\nconnection: keep-alive, upgrade\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n", nil},
		// The accept value is base64 and case-sensitive.
		{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n\r\n", ErrBadAccept},
		{switching[:len(switching)-2] + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", ErrBadAccept},
		{switching[:len(switching)-2] + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", ErrUnofferedExtension},
	}
	for _, tt := range tests {
		resp, _, err := ParseResponse([]byte(tt.head))
		if err != nil {
			t.Fatalf("ParseResponse(%q) = %v", tt.head, err)
		}
		if _, err := CheckResponse(resp, key, nil, false); !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("CheckResponse(%q) = %v, want %v", tt.head, err, tt.err)
		}
	}
}

func TestRequestAppend(t *testing.T) {
	q := Request{
		Host:      "example.com:8080",
		Target:    "/chat?room=1&x=%20y",
		Key:       Key([]byte("dGhlIHNhbXBsZSBub25jZQ==")),
		Protocols: []string{"chat", "superchat"},
		Header: http.Header{
			"Origin":        {"http://example.com"},
			"Authorization": {"Bearer t"},
			"X-Multi":       {"a", "b"},
		},
	}
	prefix := []byte("prefix")
	out := q.Append(bytes.Clone(prefix))
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("Append overwrote dst: %q", out)
	}
	out = out[len(prefix):]
	br := bufio.NewReader(bytes.NewReader(out))
	req, err := http.ReadRequest(br)
	if err != nil {
		t.Fatalf("http.ReadRequest(%q): %v", out, err)
	}
	if br.Buffered() != 0 {
		t.Errorf("%d bytes after the request head", br.Buffered())
	}
	if req.Method != "GET" || req.RequestURI != q.Target || req.Proto != "HTTP/1.1" || req.Host != q.Host {
		t.Errorf("request line: %s %s %s, Host %s", req.Method, req.RequestURI, req.Proto, req.Host)
	}
	want := http.Header{
		"Upgrade":                {"websocket"},
		"Connection":             {"Upgrade"},
		"Sec-Websocket-Key":      {string(q.Key[:])},
		"Sec-Websocket-Version":  {"13"},
		"Sec-Websocket-Protocol": {"chat, superchat"},
		"Origin":                 {"http://example.com"},
		"Authorization":          {"Bearer t"},
		"X-Multi":                {"a", "b"},
	}
	if !reflect.DeepEqual(req.Header, want) {
		t.Errorf("headers:\n got %v\nwant %v", req.Header, want)
	}

	q = Request{Host: "h", Target: "/", Key: q.Key}
	req, err = http.ReadRequest(bufio.NewReader(bytes.NewReader(q.Append(nil))))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := req.Header["Sec-Websocket-Protocol"]; ok || len(req.Header) != 4 {
		t.Errorf("request without protocols or extra headers has headers %v", req.Header)
	}
}
