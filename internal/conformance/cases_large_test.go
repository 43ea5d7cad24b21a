package conformance

import (
	"fmt"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// largeCases is group 9: large messages in one frame, in many frames and
// in many writes; many small messages back to back; and the size limits,
// which refuse a frame or message with 1009 from its header, before its
// payload (RFC 6455 section 10.4).
//
// Sizes stop where the race detector makes a case cost seconds: 16 MiB in
// one frame is cases 1.1.15 and 1.2.15, and messages in small frames or
// writes are 256 KiB.
func largeCases(t *table) {
	ops := []proto.Opcode{proto.OpText, proto.OpBinary}
	sub := 1
	for _, op := range ops {
		g := t.sub(fmt.Sprintf("9.%d", sub))
		sub++
		for _, n := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20} {
			name := fmt.Sprintf("%v_%s_in_one_frame", op, sizeName(n))
			g.ok(name, lazy(name, func() []Step {
				p := payloadOf(op, n)
				return []Step{WriteFrames(Msg(op, p)), ExpectMessage(op, p)}
			})).big = n >= 1<<20
		}
	}
	for _, op := range ops {
		g := t.sub(fmt.Sprintf("9.%d", sub))
		sub++
		for _, e := range []struct{ n, size int }{
			{256 << 10, 64}, {256 << 10, 256}, {256 << 10, 1 << 10}, {256 << 10, 4 << 10}, {256 << 10, 16 << 10},
			{1 << 20, 64 << 10}, {1 << 20, 256 << 10}, {4 << 20, 1 << 20}, {4<<20 + 1, 4 << 20},
		} {
			name := fmt.Sprintf("%v_%s_in_frames_of_%s", op, sizeName(e.n), sizeName(e.size))
			g.ok(name, lazy(name, func() []Step {
				p := payloadOf(op, e.n)
				return []Step{WriteFrames(FragmentsOf(op, p, e.size)...), ExpectMessage(op, p)}
			})).big = e.n >= 1<<20
		}
	}
	for _, op := range ops {
		g := t.sub(fmt.Sprintf("9.%d", sub))
		sub++
		for _, size := range []int{64, 1 << 10, 16 << 10} {
			name := fmt.Sprintf("%v_256KiB_in_writes_of_%s", op, sizeName(size))
			g.ok(name, lazy(name, func() []Step {
				p := payloadOf(op, 256<<10)
				return []Step{Chunked(Wire(Msg(op, p)), size, 0), ExpectMessage(op, p)}
			}))
		}
	}
	for _, op := range ops {
		g := t.sub(fmt.Sprintf("9.%d", sub))
		sub++
		for _, n := range []int{0, 16, 256, 1 << 10} {
			name := fmt.Sprintf("1000_%v_messages_of_%s", op, sizeName(n))
			g.ok(name, lazy(name, func() []Step {
				frames := make([]Frame, 1000)
				var steps []Step
				for i := range frames {
					p := payloadOf(op, n)
					if n >= 4 { // each message its own
						p = append(fmt.Appendf(nil, "%04d", i), payloadOf(op, n-4)...)
					}
					frames[i] = Msg(op, p)
					steps = append(steps, ExpectMessage(op, p))
				}
				return append([]Step{WriteFrames(frames...)}, steps...)
			}))
		}
	}

	g := t.sub(fmt.Sprintf("9.%d", sub))
	limited := func(c *clientCase, opts ...ws.Option) { c.opts = opts }
	limited(g.ok("message_at_MaxMessageSize", WriteFrames(Text(string(textOf(1000)))), ExpectMessage(proto.OpText, textOf(1000))),
		ws.MaxMessageSize(1000))
	limited(g.fail("message_over_MaxMessageSize_header_only", 1009, append(before(), WriteFrames(Text("").Declare(1001)))...),
		ws.MaxMessageSize(1000))
	over := binaryOf(1001)
	limited(g.fail("fragments_over_MaxMessageSize", 1009, append(before(),
		Write(WireUntil(Fragments(proto.OpBinary, over, 600), 600)), Write(Cont(over[600:]).Bytes()[:4]))...),
		ws.MaxMessageSize(1000))
	limited(g.ok("fragments_at_MaxFrameSize", WriteFrames(FragmentsOf(proto.OpBinary, binaryOf(300), 100)...),
		ExpectMessage(proto.OpBinary, binaryOf(300))), ws.MaxFrameSize(100))
	limited(g.fail("frame_over_MaxFrameSize_header_only", 1009, append(before(), WriteFrames(Binary(nil).Declare(101)))...),
		ws.MaxFrameSize(100))
	limited(g.fail("16MiB_plus_1_header_only", 1009, append(before(), WriteFrames(Binary(nil).Declare(16<<20+1)))...),
		ws.MaxMessageSize(16<<20))
	// A continuation at the default frame limit that takes the message one
	// byte over the default message limit.
	g.fail("header_over_default_MaxMessageSize_in_fragments", 1009, append(before(),
		WriteFrames(Binary([]byte{1}).More(), Cont(nil).Declare(ws.DefaultMaxMessageSize)))...)
}
