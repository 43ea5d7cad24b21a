package conformance

import (
	"fmt"

	"github.com/hackney-go/ws/internal/proto"
)

// sizeName names a payload size in a case name.
func sizeName(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	if n > 1<<20 && n%(1<<20) == 1 {
		return fmt.Sprintf("%dMiB_plus_1B", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// deliver writes b whole, or one byte at a time.
func deliver(b []byte, bytewiseToo bool) Step {
	if bytewiseToo {
		return bytewise(b)
	}
	return Write(b)
}

// delivery names the two ways of writing a script's bytes.
var deliveries = []struct {
	suffix string
	bytes  bool
}{{"", false}, {"_bytewise", true}}

// before is a message echoed before a case breaks the protocol: the
// connection worked until then.
func before() []Step {
	return []Step{WriteFrames(Text("before")), ExpectMessage(proto.OpText, []byte("before"))}
}

// framingCases is group 1: messages of every length encoding, written
// whole and one byte at a time; length encodings RFC 6455 section 5.2
// forbids; masked frames from the server (section 5.1); headers split
// across writes.
func framingCases(t *table) {
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536, 16 << 20}
	for i, op := range []proto.Opcode{proto.OpText, proto.OpBinary} {
		g := t.sub(fmt.Sprintf("1.%d", i+1))
		for _, n := range sizes {
			for _, d := range deliveries {
				name := fmt.Sprintf("%v_%s%s", op, sizeName(n), d.suffix)
				c := g.ok(name, lazy(name, func() []Step {
					p := payloadOf(op, n)
					return []Step{deliver(Wire(Msg(op, p)), d.bytes), ExpectMessage(op, p)}
				}))
				c.big = n >= 1<<20
			}
		}
	}

	// Section 5.2: "the minimal number of bytes MUST be used to encode the
	// length".
	g := t.sub("1.3")
	for _, e := range []struct {
		op   proto.Opcode
		n    int
		form LengthForm
	}{
		{proto.OpText, 0, Len16}, {proto.OpText, 125, Len16}, {proto.OpBinary, 1, Len16},
		{proto.OpText, 0, Len64}, {proto.OpText, 125, Len64}, {proto.OpBinary, 126, Len64},
		{proto.OpBinary, 65535, Len64}, {proto.OpPing, 0, Len16}, {proto.OpPing, 5, Len64},
		{proto.OpClose, 2, Len16},
	} {
		form := map[LengthForm]string{Len16: "16bit", Len64: "64bit"}[e.form]
		p := payloadOf(e.op, e.n)
		if e.op == proto.OpClose {
			p = []byte{0x03, 0xE8}
		}
		g.fail(fmt.Sprintf("%v_%s_in_%s_length", e.op, sizeName(e.n), form), 1002,
			append(before(), WriteFrames(Msg(e.op, p).WithForm(e.form)))...)
	}
	// A header alone fails the connection: the client must not wait for
	// a payload it will refuse.
	for _, e := range []struct {
		name string
		n    uint64
		code uint16
	}{
		{"64bit_length_msb_set", 1 << 63, 1002},
		{"64bit_length_all_ones", 1<<64 - 1, 1002},
		{"64bit_length_max", 1<<63 - 1, 1009},
		{"length_over_default_max_frame_size", 32<<20 + 1, 1009},
	} {
		g.fail("header_only_"+e.name, e.code, append(before(), WriteFrames(Binary(nil).Declare(e.n)))...)
	}

	// Section 5.1: "A server MUST NOT mask any frames that it sends to
	// the client", and a client "MUST mask all frames that it sends to
	// the server". Written as a server's masked frames; in the server
	// role, a client's unmasked ones (see flipper).
	g = t.sub("1.4")
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for _, f := range []Frame{Text("Hello"), Text(""), Binary([]byte{1, 2, 3}), Ping([]byte("ping")), Pong(nil), Close(1000, "")} {
		g.fail(fmt.Sprintf("wrong_mask_%v_%dB", f.Op, len(f.Payload)), 1002, append(before(), WriteFrames(f.WithMask(key)))...)
	}
	g.fail("wrong_mask_continuation", 1002, append(before(), WriteFrames(Text("frag").More(), Cont([]byte("ment")).WithMask(key)))...)

	// Headers cut at every byte, and frames sharing writes.
	g = t.sub("1.5")
	for _, n := range []int{200, 70000} {
		p := textOf(n)
		w := Wire(Text(string(p)))
		hlen := Text(string(p)).headerSize()
		for cut := 1; cut <= hlen; cut++ {
			g.ok(fmt.Sprintf("text_%s_header_cut_at_%d", sizeName(n), cut),
				Split(w, splitPause, cut), ExpectMessage(proto.OpText, p))
		}
	}
	// A second header that straddles byte 128 of the stream, at each of
	// its offsets: where a client reading in small pieces first may stop.
	for _, n := range []int{200, 70000} {
		second := binaryOf(n)
		hlen := Binary(second).headerSize()
		for k := 1; k < hlen; k++ {
			first := textOf(128 - k - 2)
			g.ok(fmt.Sprintf("%s_header_across_byte_128_at_%d", sizeName(n), k),
				WriteFrames(Msg(proto.OpText, first), Binary(second)),
				ExpectMessage(proto.OpText, first), ExpectMessage(proto.OpBinary, second))
		}
	}
	msgs := []Frame{Text("one"), Binary([]byte("two")), Text("three")}
	g.ok("three_messages_in_one_write", WriteFrames(msgs...),
		ExpectMessage(proto.OpText, []byte("one")), ExpectMessage(proto.OpBinary, []byte("two")), ExpectMessage(proto.OpText, []byte("three")))
	w := Wire(msgs...)
	g.ok("three_messages_cut_inside_the_second_header", Split(w, splitPause, len(msgs[0].Bytes())+1),
		ExpectMessage(proto.OpText, []byte("one")), ExpectMessage(proto.OpBinary, []byte("two")), ExpectMessage(proto.OpText, []byte("three")))
	g.ok("three_messages_cut_inside_each_payload", Split(w, splitPause, 4, len(msgs[0].Bytes())+3, len(w)-2),
		ExpectMessage(proto.OpText, []byte("one")), ExpectMessage(proto.OpBinary, []byte("two")), ExpectMessage(proto.OpText, []byte("three")))
}
