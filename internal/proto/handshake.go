package proto

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// The GUID of RFC 6455 section 1.3, appended to the key for the accept hash.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey computes Sec-WebSocket-Accept for a Sec-WebSocket-Key
// (section 4.2.2, item 5.4).
func AcceptKey(key string) string {
	accept := acceptKey(key)
	return string(accept[:])
}

// acceptKey is AcceptKey in an array, which the caller's stack can hold.
func acceptKey(key string) (accept [28]byte) {
	var buf [64]byte // a key of 24 bytes and the GUID
	sum := sha1.Sum(append(append(buf[:0], key...), acceptGUID...))
	base64.StdEncoding.Encode(accept[:], sum[:])
	return accept
}

// A Key is a Sec-WebSocket-Key (section 4.1, item 7): a nonce of 16 bytes
// in base64, in an array, which costs a Request no allocation of its own.
type Key [24]byte

// EncodeKey turns a 16-byte nonce into a Sec-WebSocket-Key. The nonce must
// come from a strong random source.
func EncodeKey(nonce [16]byte) (k Key) {
	base64.StdEncoding.Encode(k[:], nonce[:])
	return k
}

// Request is a client's opening handshake (section 4.1).
type Request struct {
	Host      string // the Host header: host, with the port when not the scheme's default
	Target    string // the request-target: path and query
	Key       Key
	Protocols []string
	Header    http.Header // further headers, written as given
}

// Append appends the request's wire form to dst.
func (q *Request) Append(dst []byte) []byte {
	dst = append(dst, "GET "...)
	dst = append(dst, q.Target...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, q.Host...)
	dst = append(dst, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "...)
	dst = append(dst, q.Key[:]...)
	dst = append(dst, "\r\nSec-WebSocket-Version: 13\r\n"...)
	if len(q.Protocols) > 0 {
		dst = append(dst, "Sec-WebSocket-Protocol: "...)
		dst = append(dst, strings.Join(q.Protocols, ", ")...)
		dst = append(dst, "\r\n"...)
	}
	for name, values := range q.Header {
		for _, v := range values {
			dst = append(dst, name...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			dst = append(dst, "\r\n"...)
		}
	}
	return append(dst, "\r\n"...)
}

// Response is the head of the server's HTTP response. Its header lines
// are kept as they came, checked, and parsed when asked: a client needs
// only a few of them, and a map of them all costs a dozen allocations.
type Response struct {
	Proto      string // "HTTP/1.1"
	StatusCode int
	Status     string // the reason phrase
	fields     string // the header lines, each ended by LF or CRLF
}

// Header returns the headers, names canonicalized and values trimmed, in
// a new map on each call. A nil Response has none.
func (r *Response) Header() http.Header {
	if r == nil {
		return nil
	}
	h := http.Header{}
	for name, value := range r.all() {
		key := textproto.CanonicalMIMEHeaderKey(name)
		h[key] = append(h[key], value)
	}
	return h
}

// Values returns the values of the header name, in order; names compare
// case-insensitively, as http.Header's canonical keys do.
func (r *Response) Values(name string) []string {
	var vs []string
	for v := range r.values(name) {
		vs = append(vs, v)
	}
	return vs
}

// Get returns the first value of the header name, "" if there is none.
func (r *Response) Get(name string) string {
	for v := range r.values(name) {
		return v
	}
	return ""
}

// values yields the values of the header name.
func (r *Response) values(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for n, v := range r.all() {
			if strings.EqualFold(n, name) && !yield(v) {
				return
			}
		}
	}
}

// all yields the name and value of each header line, the value trimmed.
// ParseResponse checked the lines: each holds a colon.
func (r *Response) all() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for line := range lines(r.fields) {
			name, value, _ := strings.Cut(line, ":")
			if !yield(name, strings.Trim(value, " \t")) {
				return
			}
		}
	}
}

// lines yields the non-empty lines of head, without their line ending.
func lines(head string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for len(head) > 0 {
			line, rest, _ := strings.Cut(head, "\n")
			head = rest
			if line = trimCR(line); len(line) > 0 && !yield(line) {
				return
			}
		}
	}
}

// MaxResponseHead bounds the response head a client accepts, so that a
// server cannot make it buffer without end.
const MaxResponseHead = 64 << 10

// Errors of the response parser and checker. Each HandshakeFault wraps one.
var (
	ErrMalformedResponse  = errors.New("malformed HTTP response")
	ErrBadUpgrade         = errors.New("response lacks \"Upgrade: websocket\"")
	ErrBadConnection      = errors.New("response lacks \"Connection: Upgrade\"")
	ErrBadAccept          = errors.New("wrong Sec-WebSocket-Accept")
	ErrUnofferedProtocol  = errors.New("server chose a subprotocol that was not offered")
	ErrUnofferedExtension = errors.New("server chose an extension that was not offered")
)

// HandshakeFault says what is wrong with a server's response: Err is one
// of the errors above, Header the header at fault, Value what it held.
type HandshakeFault struct {
	Err    error
	Header string
	Value  string
}

// Error describes the HandshakeFault.
func (f *HandshakeFault) Error() string {
	if f.Header == "" {
		return f.Err.Error()
	}
	return fmt.Sprintf("%v (%s: %q)", f.Err, f.Header, f.Value)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (f *HandshakeFault) Unwrap() error { return f.Err }

func malformed(what string, line string) *HandshakeFault {
	return &HandshakeFault{Err: ErrMalformedResponse, Header: what, Value: line}
}

// ParseResponse parses the HTTP/1.1 response head at the start of b
// (RFC 9112 sections 4 and 5). It returns n == 0 and a nil error while b
// holds no whole head; n is the head's length, after which the body or,
// after a 101, the first frames begin. A bare LF ends lines as well as CRLF
// (RFC 9112 section 2.2).
func ParseResponse(b []byte) (resp *Response, n int, err error) {
	end := headEnd(b)
	if end < 0 {
		if len(b) > MaxResponseHead {
			return nil, 0, malformed("head longer than 64 KiB", "")
		}
		return nil, 0, nil
	}
	if end > MaxResponseHead {
		return nil, 0, malformed("head longer than 64 KiB", "")
	}
	// One string holds the whole head; the Response's fields are parts
	// of it.
	head := string(b[:end])
	statusLine, fields, _ := strings.Cut(head, "\n")
	status := trimCR(statusLine)
	proto, rest, ok := strings.Cut(status, " ")
	if !ok || bareCRorNUL(status) || !strings.HasPrefix(proto, "HTTP/1.") || len(proto) != 8 || proto[7] < '0' || proto[7] > '9' {
		return nil, 0, malformed("status line", status)
	}
	codeText, reason, _ := strings.Cut(rest, " ")
	code, cerr := strconv.Atoi(codeText)
	if cerr != nil || len(codeText) != 3 || code < 100 {
		return nil, 0, malformed("status line", status)
	}
	for line := range lines(fields) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !IsToken(name) || bareCRorNUL(value) {
			// Obsolete line folding (a line starting with a space) is
			// refused too, as RFC 9112 section 5.2 allows.
			return nil, 0, malformed("header line", line)
		}
	}
	return &Response{Proto: proto, StatusCode: code, Status: reason, fields: fields}, end, nil
}

// headEnd returns the length of the head including its terminating empty
// line, or -1.
func headEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

func trimCR(s string) string { return strings.TrimSuffix(s, "\r") }

// bareCRorNUL reports whether a line, its line ending removed, still holds
// a CR or a NUL: RFC 9110 section 5.5 and RFC 9112 section 2.2 have a
// recipient reject them or replace them, and a value that reaches the
// caller with a CR in it could split a header when written back out.
func bareCRorNUL(s string) bool { return strings.ContainsAny(s, "\r\x00") }

// IsToken reports whether b is an HTTP token (RFC 9110 section 5.6.2), as
// header names and subprotocols (RFC 6455 section 4.1, item 10) must be.
func IsToken[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		if c := b[i]; c <= ' ' || c >= 0x7F || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return len(b) > 0
}

// ValidFieldValue reports whether v may be sent as a header value: no
// control character but HTAB (RFC 9110 section 5.5), so that it can
// neither end the header nor smuggle in another.
func ValidFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7F {
			return false
		}
	}
	return true
}

// CheckResponse verifies a 101 response as section 4.1 asks of a client
// (the status is the caller's to check first): Upgrade, Connection, the
// accept key, and that the subprotocol chosen was offered. Extensions in
// the response fail it unless some were offered: then they are the
// caller's to check against its offer. It returns the chosen subprotocol,
// "" when the server chose none.
func CheckResponse(resp *Response, key string, protocols []string, extensionsOffered bool) (protocol string, err error) {
	// Section 4.1 asks for "HTTP/1.1 or higher": an HTTP/1.0 server knows
	// no Upgrade (RFC 9110 section 7.8 came with 1.1).
	if resp.Proto < "HTTP/1.1" {
		return "", &HandshakeFault{Err: ErrMalformedResponse, Header: "status line", Value: resp.Proto + " 101"}
	}
	// The faults alone build slices of values: a good response is
	// checked without allocating.
	if !resp.hasToken("Upgrade", "websocket") {
		return "", &HandshakeFault{Err: ErrBadUpgrade, Header: "Upgrade", Value: resp.Get("Upgrade")}
	}
	if !resp.hasToken("Connection", "upgrade") {
		return "", &HandshakeFault{Err: ErrBadConnection, Header: "Connection", Value: resp.Get("Connection")}
	}
	want := acceptKey(key)
	if got, n := resp.first("Sec-Websocket-Accept"); n != 1 || got != string(want[:]) {
		return "", &HandshakeFault{Err: ErrBadAccept, Header: "Sec-WebSocket-Accept", Value: strings.Join(resp.Values("Sec-Websocket-Accept"), ", ")}
	}
	return CheckNegotiated(resp, protocols, extensionsOffered)
}

// CheckNegotiated checks what a server's answer chose: no extension
// unless one was offered, and at most one subprotocol, among those
// offered. It returns the subprotocol, "" for none. It is the whole
// check of an RFC 8441 answer, which has no Upgrade, Connection or
// Sec-WebSocket-Accept (section 5).
func CheckNegotiated(resp *Response, protocols []string, extensionsOffered bool) (protocol string, err error) {
	if _, n := resp.first("Sec-Websocket-Extensions"); n > 0 && !extensionsOffered {
		return "", &HandshakeFault{Err: ErrUnofferedExtension, Header: "Sec-WebSocket-Extensions", Value: strings.Join(resp.Values("Sec-Websocket-Extensions"), ", ")}
	}
	switch got, n := resp.first("Sec-Websocket-Protocol"); n {
	case 0:
		return "", nil
	case 1:
		for _, p := range protocols {
			if p == got {
				return p, nil
			}
		}
		fallthrough
	default:
		return "", &HandshakeFault{Err: ErrUnofferedProtocol, Header: "Sec-WebSocket-Protocol", Value: strings.Join(resp.Values("Sec-Websocket-Protocol"), ", ")}
	}
}

// first returns the first value of the header name and how many lines
// give it.
func (r *Response) first(name string) (value string, n int) {
	for v := range r.values(name) {
		if n == 0 {
			value = v
		}
		n++
	}
	return value, n
}

// hasToken reports whether the comma-separated header name holds token,
// compared case-insensitively.
func (r *Response) hasToken(name, token string) bool {
	for v := range r.values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
