package proto

import (
	"net/http"
	"strings"
)

// ResponseOf makes a Response of an HTTP/2 response's status and header
// (RFC 8441 section 5), so that the Conn keeps one kind of response
// whatever carried the handshake. Proto is "HTTP/2.0".
func ResponseOf(code int, h http.Header) *Response {
	var b strings.Builder
	for name, values := range h {
		for _, v := range values {
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\n")
		}
	}
	return &Response{Proto: "HTTP/2.0", StatusCode: code, Status: http.StatusText(code), fields: b.String()}
}

// CheckConnect checks the extended CONNECT that opens a WebSocket on an
// HTTP/2 stream (RFC 8441 section 4) as a server must: :protocol
// "websocket", then what RFC 6455 section 4.2.1 asks of the headers that
// HTTP/2 keeps (section 5): Sec-WebSocket-Version 13 and subprotocols
// that are tokens. There is no Upgrade, Connection or Sec-WebSocket-Key,
// so Upgrade.Key is "". protocol is the request's :protocol, which
// net/http gives as the header ":protocol".
func CheckConnect(protocol string, h http.Header) (Upgrade, *RequestFault) {
	if protocol != "websocket" {
		reason := "an HTTP/2 WebSocket opening handshake is an extended CONNECT with :protocol websocket"
		if protocol != "" {
			reason += ", not " + quoteAll([]string{protocol})
		}
		return Upgrade{}, &RequestFault{Status: http.StatusBadRequest, Reason: reason}
	}
	if fault := checkVersion(h); fault != nil {
		return Upgrade{}, fault
	}
	protocols, fault := offeredProtocols(h)
	if fault != nil {
		return Upgrade{}, fault
	}
	return Upgrade{Protocols: protocols}, nil
}
