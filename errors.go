package ws

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// ErrClosed is returned by calls on a Conn that Close closed. Every error
// that says a Conn is over matches it with errors.Is, while keeping its
// own type for errors.As: a *CloseError, a *ProtocolError, an
// *InvalidUTF8Error, a *MessageTooBigError, and a Send's error once a
// failed write has broken the stream.
var ErrClosed = errors.New("ws: connection closed")

// ErrActiveMode is returned by Recv while the Conn is in active or
// active-once mode: its messages go to Events.
var ErrActiveMode = errors.New("ws: Recv in active mode")

// ErrTimeout is the error of a timeout: connecting took longer than the
// connect timeout, or a Recv waited longer than its receive timeout. Match
// it with errors.Is; it is also a net.Error whose Timeout method reports
// true. A receive timeout leaves the Conn fully usable.
var ErrTimeout error = &timeoutError{msg: "ws: timeout"}

type timeoutError struct {
	msg   string
	cause error
}

func (e *timeoutError) Error() string   { return e.msg }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }
func (e *timeoutError) Unwrap() error   { return e.cause }
func (e *timeoutError) Is(target error) bool {
	return target == ErrTimeout
}

// CloseError reports the close frame that ended the connection: the
// peer's, when it closed first. Code CloseAbnormal, with no Reason, means
// the connection ended without a close frame (RFC 6455 section 7.1.5);
// Err then holds the socket's error if it was not a plain end of stream,
// as a reset or a TLS alert. It matches ErrClosed, and Err.
type CloseError struct {
	Code   CloseCode
	Reason string
	Err    error
}

// Error describes the CloseError.
func (e *CloseError) Error() string {
	if e.Code == CloseAbnormal {
		if e.Err != nil {
			return "ws: connection closed without a close frame: " + e.Err.Error()
		}
		return "ws: connection closed without a close frame"
	}
	if e.Reason == "" {
		return fmt.Sprintf("ws: closed by peer: %v", e.Code)
	}
	return fmt.Sprintf("ws: closed by peer: %v %q", e.Code, e.Reason)
}

// Is makes errors.Is(err, ErrClosed) true for a *CloseError.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }

// HTTPError is returned by Connect when the server answers the upgrade
// request with a status other than 101 Switching Protocols, and by Accept
// with the status and body it answered a request it turned down.
type HTTPError struct {
	StatusCode int
	Status     string // the reason phrase, as "Unauthorized"
	Header     http.Header
	Body       []byte // the start of the body, at most 4 KiB
}

// Error describes the HTTPError.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("ws: upgrade refused: %d %s", e.StatusCode, e.Status)
}

// HandshakeError is returned by Connect when the server switched
// protocols but its response breaks RFC 6455 section 4.1, or RFC 7692
// for permessage-deflate. Err matches one of the Err variables below
// (with errors.Is: it may carry a detail); Header names the header at
// fault and Value holds what the server sent in it.
type HandshakeError struct {
	Err    error
	Header string
	Value  string
}

// The faults a HandshakeError reports; match them with errors.Is.
var (
	ErrMalformedResponse  = proto.ErrMalformedResponse
	ErrBadUpgrade         = proto.ErrBadUpgrade
	ErrBadConnection      = proto.ErrBadConnection
	ErrBadAccept          = proto.ErrBadAccept
	ErrUnofferedProtocol  = proto.ErrUnofferedProtocol
	ErrUnofferedExtension = proto.ErrUnofferedExtension

	// The permessage-deflate response is not the one RFC 7692 allows:
	// malformed, accepted twice, with an unknown or repeated parameter,
	// a bad value, a parameter that was not offered, or a request of the
	// offer ignored.
	ErrExtensionSyntax    = deflate.ErrExtensionSyntax
	ErrDuplicateExtension = deflate.ErrDuplicateExtension
	ErrUnknownParameter   = deflate.ErrUnknownParameter
	ErrDuplicateParameter = deflate.ErrDuplicateParameter
	ErrInvalidValue       = deflate.ErrInvalidValue
	ErrUnofferedParameter = deflate.ErrUnofferedParameter
	ErrUnmetRequest       = deflate.ErrUnmetRequest
)

// Error describes the HandshakeError.
func (e *HandshakeError) Error() string {
	f := proto.HandshakeFault{Err: e.Err, Header: e.Header, Value: e.Value}
	return "ws: bad handshake: " + f.Error()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *HandshakeError) Unwrap() error { return e.Err }

// URLError is returned by Connect for a URL it cannot use: a scheme other
// than ws or wss, a fragment (RFC 6455 section 3), no host.
type URLError struct {
	URL    string
	Reason string
}

// Error describes the URLError.
func (e *URLError) Error() string { return fmt.Sprintf("ws: bad URL %q: %s", e.URL, e.Reason) }

// ProtocolError reports that the peer broke RFC 6455. The Conn sent Code
// (1002 protocol error) in its close frame and ended the connection.
type ProtocolError struct {
	Code   CloseCode
	Reason string
}

// Is makes errors.Is(err, ErrClosed) true: the Conn is over.
func (e *ProtocolError) Is(target error) bool { return target == ErrClosed }

// Error describes the ProtocolError.
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("ws: protocol error from peer: %s (sent close %d)", e.Reason, e.Code)
}

// InvalidUTF8Error reports a text message that is not valid UTF-8. The
// Conn sent 1007 (invalid payload data) and ended the connection.
type InvalidUTF8Error struct {
	Reason string
}

// Is makes errors.Is(err, ErrClosed) true: the Conn is over.
func (e *InvalidUTF8Error) Is(target error) bool { return target == ErrClosed }

// Error describes the InvalidUTF8Error.
func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("ws: %s (sent close 1007)", e.Reason)
}

// MessageTooBigError reports a frame or message over the Conn's limit
// (MaxMessageSize, MaxFrameSize). The Conn refused it before buffering its
// payload, sent 1009 (message too big) and ended the connection.
type MessageTooBigError struct {
	Limit int64 // the limit that was exceeded
	Size  int64 // the size the peer announced
}

// Is makes errors.Is(err, ErrClosed) true: the Conn is over.
func (e *MessageTooBigError) Is(target error) bool { return target == ErrClosed }

// Error describes the MessageTooBigError.
func (e *MessageTooBigError) Error() string {
	return fmt.Sprintf("ws: message of %d bytes exceeds the limit of %d (sent close 1009)", e.Size, e.Limit)
}

// violationError turns a breach found by the protocol core into the
// public error of its kind.
func violationError(v *proto.Violation) error {
	switch v.Code {
	case proto.CloseInvalidPayload:
		return &InvalidUTF8Error{Reason: v.Reason}
	case proto.CloseMessageTooBig:
		return &MessageTooBigError{Limit: v.Limit, Size: v.Size}
	}
	return &ProtocolError{Code: CloseCode(v.Code), Reason: v.Reason}
}
