package conformance

import (
	"fmt"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// oneFrame stands for no fragment size: any message fits.
const oneFrame = 1 << 30

// fragmentSizeCases is group 10: with ws.FragmentSize(n), the client
// sends a message longer than n bytes in fragments of n bytes, the last
// shorter (RFC 6455 section 5.4), which a server reassembles into the
// message exactly; text may be cut inside a character.
func fragmentSizeCases(t *table) {
	g := t.sub("10.1")
	for _, e := range []struct {
		op      proto.Opcode
		payload []byte
		size    int
	}{
		{proto.OpText, []byte("Hello"), 1},
		{proto.OpText, []byte("κόσμε 𝄞"), 1},
		{proto.OpBinary, binaryOf(16), 1},
		{proto.OpText, nil, 1},
		{proto.OpBinary, nil, 100},
		{proto.OpText, []byte("κόσμε 𝄞"), 2},
		{proto.OpText, []byte("κόσμε 𝄞"), 3},
		{proto.OpText, textOf(125), 125},
		{proto.OpText, textOf(126), 125},
		{proto.OpBinary, binaryOf(250), 125},
		{proto.OpBinary, binaryOf(251), 125},
		{proto.OpText, textOf(999), 1000},
		{proto.OpText, textOf(1000), 1000},
		{proto.OpText, textOf(1001), 1000},
		{proto.OpBinary, binaryOf(65536), 1000},
		{proto.OpBinary, binaryOf(65536), 65535},
		{proto.OpText, textOf(70000), 65536},
	} {
		name := fmt.Sprintf("%v_%s_in_fragments_of_%s", e.op, sizeName(len(e.payload)), sizeName(e.size))
		g.ok(name, WriteFrames(Msg(e.op, e.payload)), ExpectFragmented(e.op, e.payload, e.size)).opts =
			[]ws.Option{ws.FragmentSize(e.size)}
	}

	g = t.sub("10.2")
	for _, e := range []struct {
		op   proto.Opcode
		n    int
		size int
	}{
		{proto.OpText, 1 << 20, 64 << 10},
		{proto.OpBinary, 1 << 20, 64 << 10},
		{proto.OpBinary, 4 << 20, 1 << 20},
		{proto.OpText, 4<<20 + 1, 4 << 20},
	} {
		name := fmt.Sprintf("%v_%s_in_fragments_of_%s", e.op, sizeName(e.n), sizeName(e.size))
		c := g.ok(name, lazy(name, func() []Step {
			p := payloadOf(e.op, e.n)
			return []Step{WriteFrames(Msg(e.op, p)), ExpectFragmented(e.op, p, e.size)}
		}))
		c.opts, c.big = []ws.Option{ws.FragmentSize(e.size)}, true
	}
	// A message arrives in fragments and goes back in fragments of
	// another size.
	p := textOf(3000)
	g.ok("text_3000B_received_in_fragments_of_7B_sent_in_fragments_of_1000B",
		WriteFrames(FragmentsOf(proto.OpText, p, 7)...), ExpectFragmented(proto.OpText, p, 1000)).opts =
		[]ws.Option{ws.FragmentSize(1000)}
	var frames []Frame
	var echoes []Step
	for i := range 100 {
		m := append(fmt.Appendf(nil, "%03d ", i), textOf(296)...)
		frames = append(frames, Msg(proto.OpText, m))
		echoes = append(echoes, ExpectFragmented(proto.OpText, m, 100))
	}
	g.ok("100_text_messages_of_300B_in_fragments_of_100B", append([]Step{WriteFrames(frames...)}, echoes...)...).opts =
		[]ws.Option{ws.FragmentSize(100)}

	// Without the option, or with a size of zero or less, a message goes
	// in one frame.
	g = t.sub("10.3")
	big := binaryOf(200 << 10)
	for _, e := range []struct {
		name string
		opts []ws.Option
	}{
		{"no_option", nil},
		{"size_0", []ws.Option{ws.FragmentSize(0)}},
		{"size_minus_1", []ws.Option{ws.FragmentSize(-1)}},
	} {
		g.ok("binary_200KiB_"+e.name, WriteFrames(Binary(big)), ExpectFragmented(proto.OpBinary, big, oneFrame)).opts = e.opts
	}
}
