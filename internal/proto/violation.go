package proto

// Close codes the core sends when it fails a connection (RFC 6455
// section 7.4.1).
const (
	CloseProtocolError  uint16 = 1002
	CloseInvalidPayload uint16 = 1007
	CloseMessageTooBig  uint16 = 1009
)

// A Violation is input that breaks RFC 6455. The endpoint that reads it
// must fail the connection (section 7.1.7), sending Code in its close
// frame.
type Violation struct {
	Code   uint16
	Reason string
	// For CloseMessageTooBig: the limit and the size that broke it.
	Limit, Size int64
}

// Error describes the Violation.
func (v *Violation) Error() string { return v.Reason }

func protocolErr(reason string) *Violation {
	return &Violation{Code: CloseProtocolError, Reason: reason}
}
