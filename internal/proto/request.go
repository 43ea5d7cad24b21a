package proto

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// RequestFault says why a server turns down an opening handshake: the
// status to answer with and a reason for the body, which names the
// header at fault so that the client's developer can fix it.
type RequestFault struct {
	Status int
	Reason string
}

// Error describes the RequestFault.
func (f *RequestFault) Error() string { return f.Reason }

// Upgrade is what a server needs of a valid opening handshake: the key to
// answer and the subprotocols offered, in the client's order.
type Upgrade struct {
	Key       string
	Protocols []string
}

// CheckRequest checks a client's opening handshake as a server must (RFC
// 6455 section 4.2.1): a GET of HTTP/1.1 or later, Upgrade naming
// websocket, Connection naming Upgrade, one Sec-WebSocket-Key that
// decodes to 16 bytes, Sec-WebSocket-Version 13, and subprotocols that
// are tokens (section 4.1, item 10). The header names in h must be
// canonical, as net/http gives them.
//
// A wrong version gets 426 Upgrade Required, which the caller sends with
// "Sec-WebSocket-Version: 13" (section 4.4); a method other than GET gets
// 405; anything else 400.
func CheckRequest(method string, major, minor int, h http.Header) (Upgrade, *RequestFault) {
	bad := func(reason string) (Upgrade, *RequestFault) {
		return Upgrade{}, &RequestFault{Status: http.StatusBadRequest, Reason: reason}
	}
	switch {
	case method != http.MethodGet:
		return Upgrade{}, &RequestFault{Status: http.StatusMethodNotAllowed, Reason: "a WebSocket opening handshake is a GET request, not " + quoteAll([]string{method})}
	case major != 1 || minor < 1:
		// HTTP/1.0 has no Upgrade; HTTP/2 opens WebSockets with an
		// extended CONNECT (RFC 8441), not with this request.
		return bad("a WebSocket opening handshake needs HTTP/1.1")
	case !hasToken(h["Upgrade"], "websocket"):
		return bad(`not a WebSocket opening handshake: the Upgrade header must name "websocket"`)
	case !hasToken(h["Connection"], "upgrade"):
		return bad(`not a WebSocket opening handshake: the Connection header must name "Upgrade"`)
	}
	if fault := checkVersion(h); fault != nil {
		return Upgrade{}, fault
	}
	keys := h["Sec-Websocket-Key"]
	if len(keys) != 1 {
		return bad("the request needs exactly one Sec-WebSocket-Key header, not " + quoteAll(keys))
	}
	key := strings.TrimSpace(keys[0])
	if n, err := base64.StdEncoding.DecodeString(key); err != nil || len(n) != 16 {
		return bad("Sec-WebSocket-Key " + quoteAll(keys) + " is not 16 bytes in base64")
	}
	protocols, fault := offeredProtocols(h)
	if fault != nil {
		return Upgrade{}, fault
	}
	return Upgrade{Key: key, Protocols: protocols}, nil
}

// offeredProtocols returns the subprotocols of the request's
// Sec-WebSocket-Protocol headers, which must be tokens (section 4.1, item
// 10).
func offeredProtocols(h http.Header) ([]string, *RequestFault) {
	var protocols []string
	for _, v := range h["Sec-Websocket-Protocol"] {
		for p := range strings.SplitSeq(v, ",") {
			p = strings.TrimSpace(p)
			if !IsToken(p) {
				return nil, &RequestFault{Status: http.StatusBadRequest, Reason: "Sec-WebSocket-Protocol " + quoteAll(h["Sec-Websocket-Protocol"]) + " is not a list of tokens"}
			}
			protocols = append(protocols, p)
		}
	}
	return protocols, nil
}

// checkVersion requires Sec-WebSocket-Version 13, or asks for it with
// 426 (section 4.4).
func checkVersion(h http.Header) *RequestFault {
	if v := h["Sec-Websocket-Version"]; len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		return &RequestFault{Status: http.StatusUpgradeRequired, Reason: "unsupported Sec-WebSocket-Version " + quoteAll(v) + ": this server speaks version 13"}
	}
	return nil
}

// hasToken reports whether the comma-separated values hold token,
// compared case-insensitively.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// quoteAll shows header values in a reason, cut short so that a hostile
// request cannot make the answer large.
func quoteAll(values []string) string {
	s := strings.Join(values, ", ")
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// AppendSwitch appends the head of the 101 response that accepts a
// handshake (section 4.2.2, item 5): the accept key, the subprotocol and
// extensions chosen ("" for none), and further headers, which the caller
// has checked.
func AppendSwitch(dst []byte, key, protocol, extensions string, header http.Header) []byte {
	accept := acceptKey(key)
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = append(dst, accept[:]...)
	dst = append(dst, "\r\n"...)
	if protocol != "" {
		dst = append(dst, "Sec-WebSocket-Protocol: "...)
		dst = append(dst, protocol...)
		dst = append(dst, "\r\n"...)
	}
	if extensions != "" {
		dst = append(dst, "Sec-WebSocket-Extensions: "...)
		dst = append(dst, extensions...)
		dst = append(dst, "\r\n"...)
	}
	for name, values := range header {
		for _, v := range values {
			dst = append(dst, name...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			dst = append(dst, "\r\n"...)
		}
	}
	return append(dst, "\r\n"...)
}
