package ws

import (
	"fmt"

	"github.com/hackney-go/ws/internal/proto"
)

// Kind is the type of a Frame: one of TextFrame, BinaryFrame, PingFrame
// and PongFrame.
type Kind uint8

// The frame kinds a Conn sends and receives; their values are the RFC 6455
// opcodes (section 5.2). Close frames are not Frames: closing is Close and
// CloseWith, and a close received is a *CloseError.
const (
	TextFrame   = Kind(proto.OpText)
	BinaryFrame = Kind(proto.OpBinary)
	PingFrame   = Kind(proto.OpPing)
	PongFrame   = Kind(proto.OpPong)
)

// String returns a readable form of the Kind.
func (k Kind) String() string { return proto.Opcode(k).String() }

func (k Kind) control() bool { return proto.Opcode(k).IsControl() }

// Frame is a whole message (text or binary, its fragments joined) or a
// ping or pong, with its payload. Build one to send with Text, Binary,
// Ping or Pong; a Frame returned by Recv or in an Event owns its payload.
type Frame struct {
	Kind    Kind
	Payload []byte
}

// Text builds a text message. The text is sent as given; a peer fails the
// connection when it is not valid UTF-8, so Send refuses such text.
func Text[T string | []byte](text T) Frame {
	return Frame{Kind: TextFrame, Payload: []byte(text)}
}

// Binary builds a binary message.
func Binary(data []byte) Frame { return Frame{Kind: BinaryFrame, Payload: data} }

// Ping builds a ping; payload may be nil and holds at most 125 bytes. The
// peer answers with a pong carrying the same payload.
func Ping(payload []byte) Frame { return Frame{Kind: PingFrame, Payload: payload} }

// Pong builds an unsolicited pong, which RFC 6455 section 5.5.3 allows as
// a one-way heartbeat. Pings received are answered without it.
func Pong(payload []byte) Frame { return Frame{Kind: PongFrame, Payload: payload} }

// Text returns the payload as a string.
func (f Frame) Text() string { return string(f.Payload) }

// String returns a readable form of the Frame.
func (f Frame) String() string {
	if f.Kind == TextFrame {
		return fmt.Sprintf("text %q", f.Payload)
	}
	return fmt.Sprintf("%v [%d bytes]", f.Kind, len(f.Payload))
}
