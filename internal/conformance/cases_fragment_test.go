package conformance

import (
	"github.com/hackney-go/ws/internal/proto"
)

// fragmentationCases is group 5: fragmented messages are delivered whole
// (RFC 6455 section 5.4), with control frames allowed between fragments;
// fragmented control frames, continuations without a message and new
// messages inside one fail the connection.
func fragmentationCases(t *table) {
	hello := []byte("Hello, fragments!")
	kosme := []byte("κόσμε 𝄞") // multibyte: 1-byte fragments cut characters
	bin := binaryOf(300)
	valid := []struct {
		name    string
		frames  []Frame
		op      proto.Opcode
		payload []byte
	}{
		{"text_2_fragments", Fragments(proto.OpText, hello, 5), proto.OpText, hello},
		{"binary_2_fragments", Fragments(proto.OpBinary, bin, 100), proto.OpBinary, bin},
		{"text_3_fragments", Fragments(proto.OpText, hello, 5, 10), proto.OpText, hello},
		{"text_empty_middle_fragment", Fragments(proto.OpText, hello, 5, 5), proto.OpText, hello},
		{"text_empty_first_fragment", Fragments(proto.OpText, hello, 0), proto.OpText, hello},
		{"text_empty_last_fragment", Fragments(proto.OpText, hello, len(hello)), proto.OpText, hello},
		{"text_all_fragments_empty", Fragments(proto.OpText, nil, 0, 0), proto.OpText, nil},
		{"binary_all_fragments_empty", Fragments(proto.OpBinary, nil, 0), proto.OpBinary, nil},
		{"text_1B_fragments", FragmentsOf(proto.OpText, hello, 1), proto.OpText, hello},
		{"binary_1B_fragments", FragmentsOf(proto.OpBinary, bin[:40], 1), proto.OpBinary, bin[:40]},
		{"multibyte_text_1B_fragments", FragmentsOf(proto.OpText, kosme, 1), proto.OpText, kosme},
		{"binary_fragments_of_126B", FragmentsOf(proto.OpBinary, bin, 126), proto.OpBinary, bin},
	}
	g := t.sub("5.1")
	for _, v := range valid {
		for _, d := range deliveries {
			g.ok(v.name+d.suffix, deliver(Wire(v.frames...), d.bytes), ExpectMessage(v.op, v.payload))
		}
	}

	// Section 5.4: "Control frames MAY be injected in the middle of a
	// fragmented message."
	g = t.sub("5.2")
	ping := Ping([]byte("between"))
	pong := ExpectPong([]byte("between"))
	split := Fragments(proto.OpText, hello, 5)
	kosmeMid := Fragments(proto.OpText, kosme, 3) // inside "ό"
	var pingEach []Frame
	var pongEach []Step
	for _, f := range FragmentsOf(proto.OpText, hello, 1) {
		pingEach = append(pingEach, f, ping)
		pongEach = append(pongEach, pong)
	}
	pingEach = pingEach[:len(pingEach)-1]
	pongEach = pongEach[:len(pongEach)-1]
	var tenPings []Frame
	for range 10 {
		tenPings = append(tenPings, ping)
	}
	between := []struct {
		name   string
		frames []Frame
		pongs  []Step
		want   []byte
	}{
		{"ping_between_fragments", []Frame{split[0], ping, split[1]}, []Step{pong}, hello},
		{"pong_between_fragments", []Frame{split[0], Pong([]byte("unsolicited")), split[1]}, nil, hello},
		{"ping_and_pong_between_fragments", []Frame{split[0], Pong(nil), ping, split[1]}, []Step{pong}, hello},
		{"10_pings_between_fragments", append(append([]Frame{split[0]}, tenPings...), split[1]), pongEach[:10], hello},
		{"ping_between_every_1B_fragment", pingEach, pongEach, hello},
		{"ping_inside_a_character", []Frame{kosmeMid[0], ping, kosmeMid[1]}, []Step{pong}, kosme},
	}
	for _, b := range between {
		for _, d := range deliveries {
			steps := append([]Step{deliver(Wire(b.frames...), d.bytes)}, b.pongs...)
			g.ok(b.name+d.suffix, append(steps, ExpectMessage(proto.OpText, b.want))...)
		}
	}
	// Control frames between fragments large enough for the client to
	// read them straight into the message.
	large := textOf(256 << 10)
	halves := Fragments(proto.OpText, large, 128<<10)
	for _, d := range deliveries {
		g.ok("ping_between_128KiB_fragments"+d.suffix, deliver(Wire(halves[0], ping, halves[1]), d.bytes),
			pong, ExpectMessage(proto.OpText, large))
	}
	lw := Wire(halves[0], ping, halves[1])
	lfirst := len(halves[0].Bytes())
	g.ok("ping_between_128KiB_fragments_in_its_own_write", Split(lw, splitPause, lfirst, lfirst+len(ping.Bytes())),
		pong, ExpectMessage(proto.OpText, large))
	w := Wire(split[0], ping, split[1])
	first := len(split[0].Bytes())
	g.ok("ping_between_fragments_each_in_its_own_write", Split(w, splitPause, first, first+len(ping.Bytes())),
		pong, ExpectMessage(proto.OpText, hello))

	// Section 5.4: "Control frames themselves MUST NOT be fragmented", and
	// a message's fragments come in order, with nothing of another
	// message between them.
	g = t.sub("5.3")
	frag := Text("frag").More()
	invalid := []struct {
		name   string
		frames []Frame
	}{
		{"fragmented_ping", []Frame{Ping([]byte("frag")).More(), Cont([]byte("ment"))}},
		{"fragmented_ping_alone", []Frame{Ping([]byte("frag")).More()}},
		{"fragmented_pong", []Frame{Pong([]byte("frag")).More(), Cont([]byte("ment"))}},
		{"fragmented_close", []Frame{Close(1000, "").More(), Cont(nil)}},
		{"fragmented_ping_between_fragments", []Frame{frag, Ping(nil).More()}},
		{"continuation_without_message", []Frame{Cont([]byte("orphan"))}},
		{"continuation_without_message_not_final", []Frame{Cont([]byte("orphan")).More()}},
		{"continuation_without_message_then_text", []Frame{Cont([]byte("orphan")), Text("after")}},
		{"continuation_after_a_whole_message", []Frame{Cont([]byte("orphan"))}},
		{"empty_continuation_without_message", []Frame{Cont(nil)}},
		{"text_inside_text", []Frame{frag, Text("new")}},
		{"binary_inside_text", []Frame{frag, Binary([]byte("new"))}},
		{"text_inside_binary", []Frame{Binary([]byte("frag")).More(), Text("new")}},
		{"unfinished_text_inside_text", []Frame{frag, Text("new").More()}},
		{"text_inside_text_after_a_continuation", []Frame{frag, Cont([]byte("ment")).More(), Text("new")}},
	}
	for _, v := range invalid {
		for _, d := range deliveries {
			g.fail(v.name+d.suffix, 1002, append(before(), deliver(Wire(v.frames...), d.bytes))...)
		}
	}
}
