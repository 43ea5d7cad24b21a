package deflate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hackney-go/ws/internal/proto"
)

// The faults Offer.Accept finds in a server's Sec-WebSocket-Extensions
// response. Each *proto.HandshakeFault it returns wraps one of them, with
// the detail (the parameter at fault) in between; match them with
// errors.Is. Every one of them obliges the client to fail the connection:
// RFC 6455 section 9.1 for syntax, section 4.1 (client requirement 5)
// for an extension that was not offered, RFC 7692 section 5 for an
// acceptance of something the client did not offer and for conflicting
// extensions, section 7 for the parameter faults.
var (
	// ErrExtensionSyntax: the header does not follow the grammar of
	// RFC 6455 section 9.1.
	ErrExtensionSyntax = errors.New("malformed Sec-WebSocket-Extensions")
	// ErrDuplicateExtension: permessage-deflate accepted more than once;
	// two instances would both claim the RSV1 bit (RFC 7692 section 5).
	ErrDuplicateExtension = errors.New("permessage-deflate accepted more than once")
	// ErrUnknownParameter: a parameter RFC 7692 section 7.1 does not
	// define.
	ErrUnknownParameter = errors.New("unknown permessage-deflate parameter")
	// ErrDuplicateParameter: the same parameter twice in one element.
	ErrDuplicateParameter = errors.New("repeated permessage-deflate parameter")
	// ErrInvalidValue: a window size that is not a decimal 8 to 15
	// without leading zeroes, a missing one, or a value on a parameter
	// that takes none.
	ErrInvalidValue = errors.New("invalid permessage-deflate parameter value")
	// ErrUnofferedParameter: client_max_window_bits in a response to an
	// offer without it (RFC 7692 section 7.1.2.2).
	ErrUnofferedParameter = errors.New("permessage-deflate parameter that was not offered")
	// ErrUnmetRequest: the response ignores a request of the offer:
	// server_no_context_takeover missing (section 7.1.1.1), or
	// server_max_window_bits missing or above the offered value
	// (section 7.1.2.1).
	ErrUnmetRequest = errors.New("permessage-deflate response does not meet the offer")
)

// fault builds the error Accept returns: a HandshakeFault, as the root
// package reports for the other headers of the response, naming the whole
// header, around the sentinel and its detail.
func fault(values []string, sentinel error, detail string, args ...any) error {
	err := sentinel
	if detail != "" {
		err = fmt.Errorf("%w: "+detail, append([]any{sentinel}, args...)...)
	}
	return &proto.HandshakeFault{Err: err, Header: "Sec-WebSocket-Extensions", Value: strings.Join(values, ", ")}
}

// corrupt is the error of a compressed message that does not decompress.
// RFC 7692 names no close code for it; RFC 6455 section 7.4.1 defines
// 1002 for a protocol error and 1007 for data inconsistent with the
// message's type, and RFC 7692 section 6.1 says compressed data is not
// subject to the constraints of that type. A payload that breaks
// section 7.2.1's format is an error of the extension's protocol: 1002.
func corrupt(offset int64, reason string) *proto.Violation {
	return &proto.Violation{
		Code:   proto.CloseProtocolError,
		Reason: fmt.Sprintf("permessage-deflate: %s at compressed byte %d", reason, offset),
	}
}

// tooBig is the error of a message whose decompressed size passes the
// limit. Size is how far decompression got: at least Limit+1, possibly
// less than the whole message would be.
func tooBig(limit, size int64) *proto.Violation {
	return &proto.Violation{
		Code:   proto.CloseMessageTooBig,
		Reason: fmt.Sprintf("decompressed message exceeds the limit of %d bytes", limit),
		Limit:  limit,
		Size:   size,
	}
}
