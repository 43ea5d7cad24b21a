package proto

import (
	"net/http"
	"slices"
	"testing"
)

// TestCheckConnect: the extended CONNECT's checks (RFC 8441 section 4,
// RFC 6455 section 4.2.1 for the headers HTTP/2 keeps).
func TestCheckConnect(t *testing.T) {
	v13 := func(more ...string) http.Header {
		h := http.Header{"Sec-Websocket-Version": {"13"}}
		for i := 0; i < len(more); i += 2 {
			h[more[i]] = append(h[more[i]], more[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name      string
		protocol  string
		h         http.Header
		status    int // 0: accepted
		protocols []string
	}{
		{"plain", "websocket", v13(), 0, nil},
		{"subprotocols", "websocket", v13("Sec-Websocket-Protocol", "chat, x", "Sec-Websocket-Protocol", "y"), 0, []string{"chat", "x", "y"}},
		{"a key is ignored", "websocket", v13("Sec-Websocket-Key", "not checked"), 0, nil},
		{"no :protocol", "", v13(), 400, nil},
		{"another :protocol", "webtransport", v13(), 400, nil},
		{"no version", "websocket", http.Header{}, 426, nil},
		{"version 8", "websocket", http.Header{"Sec-Websocket-Version": {"8"}}, 426, nil},
		{"two versions", "websocket", v13("Sec-Websocket-Version", "13"), 426, nil},
		{"not tokens", "websocket", v13("Sec-Websocket-Protocol", "a b"), 400, nil},
		{"an empty one", "websocket", v13("Sec-Websocket-Protocol", "a,,b"), 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, fault := CheckConnect(tc.protocol, tc.h)
			switch {
			case tc.status == 0 && fault != nil:
				t.Fatalf("refused: %d %s", fault.Status, fault.Reason)
			case tc.status != 0 && (fault == nil || fault.Status != tc.status):
				t.Fatalf("got %+v, want %d", fault, tc.status)
			case tc.status == 0 && (up.Key != "" || !slices.Equal(up.Protocols, tc.protocols)):
				t.Fatalf("got %+v, want protocols %q", up, tc.protocols)
			}
		})
	}
}

// FuzzCheckConnect: any :protocol and headers get an Upgrade or a fault
// of 400 or 426 with a short reason, never a panic.
func FuzzCheckConnect(f *testing.F) {
	f.Add("websocket", "13", "chat, x")
	f.Add("", "12", "")
	f.Add("websocket\x00", "13 ", "a b")
	f.Fuzz(func(t *testing.T, protocol, version, subprotocols string) {
		h := http.Header{"Sec-Websocket-Version": {version}, "Sec-Websocket-Protocol": {subprotocols}}
		up, fault := CheckConnect(protocol, h)
		if fault != nil {
			if fault.Status != 400 && fault.Status != 426 || len(fault.Reason) > 300 {
				t.Fatalf("fault %d %q", fault.Status, fault.Reason)
			}
			return
		}
		for _, p := range up.Protocols {
			if !IsToken(p) {
				t.Fatalf("accepted subprotocol %q", p)
			}
		}
	})
}
