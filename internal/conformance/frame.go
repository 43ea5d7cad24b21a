package conformance

import (
	"encoding/binary"
	"slices"

	"github.com/hackney-go/ws/internal/proto"
)

// LengthForm is how a frame header encodes its payload length (RFC 6455
// section 5.2): in the 7 bits of the second byte, or after it in 16 or
// 64 bits. Only the shortest form that fits is valid; the others let a
// script send what a broken server would.
type LengthForm uint8

// The length encodings. Minimal picks the form RFC 6455 requires.
const (
	Minimal LengthForm = iota
	Len7
	Len16
	Len64
)

// Frame is one frame as the server writes it. Every field is written as
// given, so a Frame can break any rule: reserved bits and opcodes, a
// masked server frame, a length in a longer form than needed, a header
// announcing more or less than the payload that follows.
type Frame struct {
	Fin     bool
	Rsv     uint8        // RSV1..RSV3 as the bits 0x4, 0x2, 0x1
	Op      proto.Opcode // any 4-bit value
	Payload []byte
	Form    LengthForm
	Masked  bool
	Key     [4]byte // the masking key, when Masked
	// Declared, when Lie is set, is the length the header announces
	// instead of len(Payload).
	Declared uint64
	Lie      bool
}

// Msg returns a whole message in one frame, or a control frame.
func Msg(op proto.Opcode, payload []byte) Frame {
	return Frame{Fin: true, Op: op, Payload: payload}
}

// Text returns a text message in one frame.
func Text(s string) Frame { return Msg(proto.OpText, []byte(s)) }

// Binary returns a binary message in one frame.
func Binary(b []byte) Frame { return Msg(proto.OpBinary, b) }

// Ping returns a ping.
func Ping(payload []byte) Frame { return Msg(proto.OpPing, payload) }

// Pong returns a pong.
func Pong(payload []byte) Frame { return Msg(proto.OpPong, payload) }

// Close returns a close frame with code and reason, whether or not RFC
// 6455 allows them.
func Close(code uint16, reason string) Frame {
	return Msg(proto.OpClose, append(binary.BigEndian.AppendUint16(nil, code), reason...))
}

// Cont returns a continuation frame, the last of its message.
func Cont(payload []byte) Frame { return Msg(proto.OpContinuation, payload) }

// More returns f with FIN cleared: a fragment that more frames continue.
func (f Frame) More() Frame { f.Fin = false; return f }

// WithRsv returns f with its reserved bits set to rsv (0-7).
func (f Frame) WithRsv(rsv uint8) Frame { f.Rsv = rsv; return f }

// WithForm returns f with its length encoded in form.
func (f Frame) WithForm(form LengthForm) Frame { f.Form = form; return f }

// WithMask returns f masked with key, as only a client may send it.
func (f Frame) WithMask(key [4]byte) Frame { f.Masked, f.Key = true, key; return f }

// Declare returns f with a header announcing n bytes of payload, whatever
// the payload written after it.
func (f Frame) Declare(n uint64) Frame { f.Declared, f.Lie = n, true; return f }

// Bytes returns the wire form of f.
func (f Frame) Bytes() []byte { return Wire(f) }

// headerSize returns the length of f's header on the wire.
func (f Frame) headerSize() int { return len(f.appendHeader(nil)) }

func (f Frame) appendHeader(b []byte) []byte {
	b0 := byte(f.Op&0xF) | (f.Rsv&7)<<4
	if f.Fin {
		b0 |= 0x80
	}
	var mask byte
	if f.Masked {
		mask = 0x80
	}
	n := uint64(len(f.Payload))
	if f.Lie {
		n = f.Declared
	}
	form := f.Form
	if form == Minimal {
		switch {
		case n <= 125:
			form = Len7
		case n <= 0xFFFF:
			form = Len16
		default:
			form = Len64
		}
	}
	switch form {
	case Len7:
		b = append(b, b0, mask|byte(n&0x7F))
	case Len16:
		b = append(b, b0, mask|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, b0, mask|127)
		b = binary.BigEndian.AppendUint64(b, n)
	}
	if f.Masked {
		b = append(b, f.Key[:]...)
	}
	return b
}

// Wire returns the wire form of frames, one after the other.
func Wire(frames ...Frame) []byte {
	n := 0
	for _, f := range frames {
		n += proto.MaxHeaderSize + len(f.Payload)
	}
	b := make([]byte, 0, n)
	for _, f := range frames {
		b = f.appendHeader(b)
		start := len(b)
		b = append(b, f.Payload...)
		if f.Masked {
			proto.Mask(f.Key, 0, b[start:])
		}
	}
	return b
}

// WireUntil returns the wire form of frames cut just after the n-th byte
// of their data payloads (the payloads of text, binary and continuation
// frames, counted together): control frames before that byte are
// written, nothing after it. It lets a script send a message up to the
// byte that breaks it and no further.
func WireUntil(frames []Frame, n int) []byte {
	var b []byte
	for _, f := range frames {
		if n == 0 {
			break
		}
		if f.Op.IsControl() {
			b = append(b, f.Bytes()...)
			continue
		}
		w := f.Bytes()
		take := min(n, len(f.Payload))
		b = append(b, w[:f.headerSize()+take]...)
		n -= take
	}
	return b
}

// Fragments splits payload into a message of op in frames cut at the
// given offsets, in increasing order: the first frame has op, the others
// are continuations, the last has FIN set.
func Fragments(op proto.Opcode, payload []byte, cuts ...int) []Frame {
	var frames []Frame
	start := 0
	for _, c := range append(slices.Clip(cuts), len(payload)) {
		frames = append(frames, Frame{Op: proto.OpContinuation, Payload: payload[start:c]})
		start = c
	}
	frames[0].Op = op
	frames[len(frames)-1].Fin = true
	return frames
}

// FragmentsOf splits payload into a message of op in frames of size
// bytes (the last may be shorter).
func FragmentsOf(op proto.Opcode, payload []byte, size int) []Frame {
	var cuts []int
	for c := size; c < len(payload); c += size {
		cuts = append(cuts, c)
	}
	return Fragments(op, payload, cuts...)
}
