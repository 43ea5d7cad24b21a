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
