package proto

import (
	"encoding/binary"
	"fmt"
)

// MaxHeaderSize is the longest frame header: 2 bytes, a 64-bit length and
// a masking key (RFC 6455 section 5.2).
const MaxHeaderSize = 14

// MaxControlPayload is the largest payload a control frame may carry
// (RFC 6455 section 5.5).
const MaxControlPayload = 125

// Header is the part of a frame before its payload.
type Header struct {
	Fin    bool
	Rsv    uint8 // RSV1..RSV3 as the bits 0x4, 0x2, 0x1
	Op     Opcode
	Masked bool
	Key    [4]byte
	Length int64
}

// AppendHeader appends the wire form of h to dst, always with the minimal
// length encoding that RFC 6455 section 5.2 requires.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Op) | h.Rsv<<4
	if h.Fin {
		b0 |= 0x80
	}
	var b1 byte
	if h.Masked {
		b1 = 0x80
	}
	switch {
	case h.Length <= 125:
		dst = append(dst, b0, b1|byte(h.Length))
	case h.Length <= 0xFFFF:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Key[:]...)
	}
	return dst
}

// ParseHeader decodes the header at the start of b. It returns n == 0 and
// a nil error when b does not yet hold the whole header. It checks only
// what the header alone can tell about the encoding: the minimal length
// form and the 64-bit length's most significant bit (section 5.2). Rules
// that depend on the connection's state are the Reader's.
func ParseHeader(b []byte) (h Header, n int, err error) {
	if len(b) < 2 {
		return h, 0, nil
	}
	h.Fin = b[0]&0x80 != 0
	h.Rsv = b[0] >> 4 & 0x7
	h.Op = Opcode(b[0] & 0xF)
	h.Masked = b[1]&0x80 != 0
	n = 2
	switch l := b[1] & 0x7F; l {
	case 126:
		if len(b) < n+2 {
			return h, 0, nil
		}
		h.Length = int64(binary.BigEndian.Uint16(b[n:]))
		n += 2
		if h.Length < 126 {
			return h, 0, protocolErr("payload length not minimally encoded")
		}
	case 127:
		if len(b) < n+8 {
			return h, 0, nil
		}
		v := binary.BigEndian.Uint64(b[n:])
		n += 8
		if v>>63 != 0 {
			return h, 0, protocolErr("payload length has its most significant bit set")
		}
		if v <= 0xFFFF {
			return h, 0, protocolErr("payload length not minimally encoded")
		}
		h.Length = int64(v)
	default:
		h.Length = int64(l)
	}
	if h.Masked {
		if len(b) < n+4 {
			return h, 0, nil
		}
		copy(h.Key[:], b[n:])
		n += 4
	}
	return h, n, nil
}

// String returns a readable form of the Header.
func (h Header) String() string {
	return fmt.Sprintf("%v fin=%t rsv=%03b masked=%t len=%d", h.Op, h.Fin, h.Rsv, h.Masked, h.Length)
}
