package proto

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/utf8x"
)

// Close codes with a meaning of their own in the core (RFC 6455 section
// 7.4.1): they are reported locally and never appear on the wire.
const (
	CloseNoStatus uint16 = 1005
	CloseAbnormal uint16 = 1006
)

// ValidWireCode reports whether code may appear in a close frame. RFC 6455
// section 7.4.1 reserves 1004, 1005, 1006 and 1015; the IANA registry
// (section 11.7) adds 1012-1014; 1016-2999 are reserved for future
// revisions; 3000-4999 belong to libraries, frameworks and applications.
func ValidWireCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003:
		return true
	case code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// MaxCloseReason is the longest reason that fits in a control frame beside
// the 2-byte code.
const MaxCloseReason = MaxControlPayload - 2

// TruncateReason shortens reason to the longest prefix of whole
// characters that fits in a close frame.
func TruncateReason(reason string) string {
	if len(reason) <= MaxCloseReason {
		return reason
	}
	cut := MaxCloseReason
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

// AppendClose appends the payload of a close frame. Code 1005 stands for
// "no status" and yields an empty payload (section 5.5.1).
func AppendClose(dst []byte, code uint16, reason string) ([]byte, error) {
	if code == CloseNoStatus {
		if reason != "" {
			return dst, errors.New("a close frame without a status code cannot carry a reason")
		}
		return dst, nil
	}
	if !ValidWireCode(code) {
		return dst, errors.New("close code may not be sent")
	}
	if len(reason) > MaxCloseReason {
		return dst, errors.New("close reason longer than 123 bytes")
	}
	if !utf8x.Valid([]byte(reason)) {
		return dst, errors.New("close reason is not valid UTF-8")
	}
	dst = binary.BigEndian.AppendUint16(dst, code)
	return append(dst, reason...), nil
}

// ParseClose decodes a received close frame's payload (section 5.5.1). An
// empty payload yields CloseNoStatus.
func ParseClose(p []byte) (code uint16, reason string, err *Violation) {
	switch {
	case len(p) == 0:
		return CloseNoStatus, "", nil
	case len(p) == 1:
		return 0, "", protocolErr("close frame payload of 1 byte")
	}
	code = binary.BigEndian.Uint16(p)
	if !ValidWireCode(code) {
		return 0, "", protocolErr("invalid close code")
	}
	if !utf8x.Valid(p[2:]) {
		// Invalid text is 1007 wherever it is (sections 7.4.1 and 8.1).
		return 0, "", &Violation{Code: CloseInvalidPayload, Reason: "close reason is not valid UTF-8"}
	}
	return code, string(p[2:]), nil
}

// CloseEcho returns the payload of the close frame that answers the
// peer's (section 5.5.1): the status code it received, without the
// reason, or nothing when it had none. Both roles answer alike.
func CloseEcho(received []byte) []byte { return received[:min(2, len(received))] }

// ClosePayload returns the payload of the close frame that the Violation
// calls for (section 7.1.7): its code, and its reason cut to fit.
func (v *Violation) ClosePayload() []byte {
	p, _ := AppendClose(nil, v.Code, TruncateReason(v.Reason))
	return p
}
