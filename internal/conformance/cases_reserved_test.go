package conformance

import (
	"fmt"

	"github.com/hackney-go/ws/internal/proto"
)

// reservedBitCases is group 3: without a negotiated extension, a frame
// with RSV1, RSV2 or RSV3 set fails the connection (RFC 6455 section
// 5.2), whatever the frame and wherever it comes.
func reservedBitCases(t *table) {
	kinds := []struct {
		name   string
		frames func(rsv uint8) []Frame
	}{
		{"text", func(rsv uint8) []Frame { return []Frame{Text("reserved").WithRsv(rsv)} }},
		{"binary", func(rsv uint8) []Frame { return []Frame{Binary([]byte{0xff, 0x00}).WithRsv(rsv)} }},
		{"ping", func(rsv uint8) []Frame { return []Frame{Ping([]byte("ping")).WithRsv(rsv)} }},
		{"pong", func(rsv uint8) []Frame { return []Frame{Pong(nil).WithRsv(rsv)} }},
		{"close", func(rsv uint8) []Frame { return []Frame{Close(1000, "").WithRsv(rsv)} }},
		{"continuation", func(rsv uint8) []Frame {
			return []Frame{Text("frag").More(), Cont([]byte("ment")).WithRsv(rsv)}
		}},
		{"first_fragment", func(rsv uint8) []Frame {
			return []Frame{Text("frag").More().WithRsv(rsv), Cont([]byte("ment"))}
		}},
	}
	for i, k := range kinds {
		g := t.sub(fmt.Sprintf("3.%d", i+1))
		for rsv := uint8(1); rsv <= 7; rsv++ {
			g.fail(fmt.Sprintf("%s_rsv%d", k.name, rsv), 1002, append(before(), WriteFrames(k.frames(rsv)...))...)
		}
	}
	g := t.sub("3.8")
	for rsv := uint8(1); rsv <= 7; rsv++ {
		g.fail(fmt.Sprintf("text_rsv%d_bytewise", rsv), 1002, append(before(), bytewise(Text("reserved").WithRsv(rsv).Bytes()))...)
	}
}

// opcodeCases is group 4: a frame with a reserved opcode (3-7 for data,
// 11-15 for control) fails the connection (RFC 6455 section 5.2), alone
// or inside a fragmented message.
func opcodeCases(t *table) {
	type form struct {
		name   string
		frames func(op proto.Opcode) []Frame
	}
	forms := []form{
		{"empty", func(op proto.Opcode) []Frame { return []Frame{Msg(op, nil)} }},
		{"with_payload", func(op proto.Opcode) []Frame { return []Frame{Msg(op, []byte("reserved opcode"))} }},
		{"inside_a_message", func(op proto.Opcode) []Frame {
			return []Frame{Text("frag").More(), Msg(op, []byte("x"))}
		}},
	}
	sub := 1
	for _, ops := range [][]proto.Opcode{{3, 4, 5, 6, 7}, {11, 12, 13, 14, 15}} {
		for _, f := range forms {
			g := t.sub(fmt.Sprintf("4.%d", sub))
			sub++
			for _, op := range ops {
				g.fail(fmt.Sprintf("opcode_%d_%s", op, f.name), 1002, append(before(), WriteFrames(f.frames(op)...))...)
			}
		}
	}
}
