package proto

import (
	"encoding/base64"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzHeader reads "Name: value" lines into a header with canonical
// names, as net/http gives them to a handler.
func fuzzHeader(lines string) http.Header {
	h := http.Header{}
	for line := range strings.SplitSeq(lines, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = textproto.CanonicalMIMEHeaderKey(name)
		h[name] = append(h[name], strings.TrimLeft(value, " "))
	}
	return h
}

// FuzzCheckRequest checks CheckRequest against RFC 6455 section 4.2.1
// stated independently: what it accepts is a GET of HTTP/1.1 with
// Upgrade and Connection naming the handshake, version 13, one key of 16
// bytes in base64 and tokens for subprotocols; what it refuses gets 405,
// 426 or 400 with a reason short enough to answer a hostile request with
// and valid UTF-8; and the 101 that AppendSwitch writes for what it
// accepts parses, with the accept key of the key.
func FuzzCheckRequest(f *testing.F) {
	const valid = "Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13"
	f.Add("GET", 1, 1, valid)
	f.Add("GET", 1, 1, valid+"\nSec-WebSocket-Protocol: chat, superchat\nSec-WebSocket-Protocol: v2")
	f.Add("POST", 1, 1, valid)
	f.Add("GET", 1, 0, valid)
	f.Add("GET", 2, 0, valid)
	f.Add("GET", 1, 1, "Upgrade: h2c, WebSocket\nConnection: keep-alive, upgrade\nSec-WebSocket-Key:  dGhlIHNhbXBsZSBub25jZQ== \nSec-WebSocket-Version: 13")
	f.Add("GET", 1, 1, "Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\nSec-WebSocket-Version: 8")
	f.Add("GET", 1, 1, valid+"\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==")
	f.Add("GET", 1, 1, valid+"\nSec-WebSocket-Protocol: a b,\xff")
	f.Add("GET", 1, 1, "Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13, 8")
	f.Fuzz(func(t *testing.T, method string, major, minor int, lines string) {
		h := fuzzHeader(lines)
		up, fault := CheckRequest(method, major, minor, h)
		if fault != nil {
			switch {
			case fault.Status != http.StatusBadRequest && fault.Status != http.StatusMethodNotAllowed && fault.Status != http.StatusUpgradeRequired:
				t.Fatalf("status %d", fault.Status)
			case fault.Reason == "" || !utf8.ValidString(fault.Reason) || len(fault.Reason) > 256:
				t.Fatalf("reason %q", fault.Reason)
			case fault.Status == http.StatusMethodNotAllowed && method == http.MethodGet:
				t.Fatalf("405 for a GET")
			case up.Key != "" || up.Protocols != nil:
				t.Fatalf("refused with %+v", up)
			}
			return
		}
		if method != http.MethodGet || major != 1 || minor < 1 {
			t.Fatalf("accepted %s of HTTP/%d.%d", method, major, minor)
		}
		if !listHas(h["Upgrade"], "websocket") || !listHas(h["Connection"], "upgrade") {
			t.Fatalf("accepted Upgrade %q, Connection %q", h["Upgrade"], h["Connection"])
		}
		if v := h["Sec-Websocket-Version"]; len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
			t.Fatalf("accepted version %q", v)
		}
		if k, err := base64.StdEncoding.DecodeString(up.Key); err != nil || len(k) != 16 || len(h["Sec-Websocket-Key"]) != 1 {
			t.Fatalf("accepted key %q of %q", up.Key, h["Sec-Websocket-Key"])
		}
		for _, p := range up.Protocols {
			if !IsToken(p) {
				t.Fatalf("accepted subprotocol %q", p)
			}
		}
		protocol := ""
		if len(up.Protocols) > 0 {
			protocol = up.Protocols[0]
		}
		head := AppendSwitch(nil, up.Key, protocol, "", nil)
		resp, n, err := ParseResponse(head)
		if err != nil || n != len(head) {
			t.Fatalf("the 101 %q: %d of %d bytes, %v", head, n, len(head), err)
		}
		if got, err := CheckResponse(resp, up.Key, up.Protocols, false); err != nil || got != protocol {
			t.Fatalf("the 101 %q: subprotocol %q, %v", head, got, err)
		}
	})
}

// listHas reports whether a comma-separated list holds token, in any
// case.
func listHas(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.Trim(t, " \t"), token) {
				return true
			}
		}
	}
	return false
}
