package ws

import "strconv"

// CloseCode is the status code of a close frame (RFC 6455 section 7.4).
type CloseCode uint16

// Every close code of the IANA "WebSocket Close Code Number Registry"
// (RFC 6455 section 11.7). Codes 3000-3999 are registered by libraries and
// applications, 4000-4999 are private; both may be sent.
const (
	CloseNormal              CloseCode = 1000
	CloseGoingAway           CloseCode = 1001
	CloseProtocolError       CloseCode = 1002
	CloseUnsupportedData     CloseCode = 1003
	CloseNoStatusReceived    CloseCode = 1005 // never sent: the peer's close frame had no code
	CloseAbnormal            CloseCode = 1006 // never sent: the connection ended without a close frame
	CloseInvalidPayload      CloseCode = 1007
	ClosePolicyViolation     CloseCode = 1008
	CloseMessageTooBig       CloseCode = 1009
	CloseMandatoryExtension  CloseCode = 1010
	CloseInternalError       CloseCode = 1011
	CloseServiceRestart      CloseCode = 1012
	CloseTryAgainLater       CloseCode = 1013
	CloseBadGateway          CloseCode = 1014
	CloseTLSHandshakeFailure CloseCode = 1015 // never sent: TLS failed
)

var closeCodeNames = map[CloseCode]string{
	CloseNormal:              "normal closure",
	CloseGoingAway:           "going away",
	CloseProtocolError:       "protocol error",
	CloseUnsupportedData:     "unsupported data",
	CloseNoStatusReceived:    "no status received",
	CloseAbnormal:            "abnormal closure",
	CloseInvalidPayload:      "invalid payload data",
	ClosePolicyViolation:     "policy violation",
	CloseMessageTooBig:       "message too big",
	CloseMandatoryExtension:  "mandatory extension",
	CloseInternalError:       "internal error",
	CloseServiceRestart:      "service restart",
	CloseTryAgainLater:       "try again later",
	CloseBadGateway:          "bad gateway",
	CloseTLSHandshakeFailure: "TLS handshake failure",
}

// String returns the code and its registered meaning, as "1000 (normal
// closure)".
func (c CloseCode) String() string {
	s := strconv.Itoa(int(c))
	if name, ok := closeCodeNames[c]; ok {
		return s + " (" + name + ")"
	}
	return s
}
