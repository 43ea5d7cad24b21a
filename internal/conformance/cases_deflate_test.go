package conformance

import (
	"fmt"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// The payload of "Hello" in the forms of RFC 7692 section 7.2.3.
var (
	helloBlock    = []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}                                     // 7.2.3.1
	helloAgain    = []byte{0xf2, 0x00, 0x11, 0x00, 0x00}                                                 // 7.2.3.2, after helloBlock
	helloStored   = []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}             // 7.2.3.3
	helloFinal    = []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}                               // 7.2.3.4
	helloTwo      = []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00} // 7.2.3.5
	helloFlushed  = []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff}             // 7.2.3.1 before the tail is removed
	emptyDeflated = []byte{0x00}                                                                         // 7.2.3.6
	hello         = []byte("Hello")
)

// huffmanThenStored is the payload of "HWWWWWW!" as a block of the fixed
// code, a stored block right after it, another block of the fixed code
// and the flush (RFC 1951 sections 3.2.4 and 3.2.6): what an encoder
// makes of compressible data followed by a few incompressible bytes.
var huffmanThenStored = func() []byte {
	var w bitWriter
	fixed := func(s string) {
		w.bits(0, 1)
		w.bits(1, 2)
		for _, c := range []byte(s) {
			w.code(0x30+uint32(c), 8) // literals 0-143: 00110000 up
		}
		w.code(0, 7) // end of block
	}
	fixed("H")
	w.bits(0, 3)
	w.nbits = (w.nbits + 7) &^ 7
	w.b = append(w.b, 6, 0, ^byte(6), 0xff, 'W', 'W', 'W', 'W', 'W', 'W')
	w.nbits += 8 * 10
	fixed("!")
	w.bits(0, 3)
	return w.b
}()

// compressedMsg is a message in one frame with RSV1 set.
func compressedMsg(op proto.Opcode, z []byte) Frame { return Msg(op, z).WithRsv(rsv1) }

// compressedFragments is Fragments with RSV1 on the first frame.
func compressedFragments(op proto.Opcode, z []byte, cuts ...int) []Frame {
	frames := Fragments(op, z, cuts...)
	frames[0].Rsv = rsv1
	return frames
}

// deflatePayloadCases is group 12: compressed messages both ways, of
// every size, text and binary, with and without context takeover; the
// forms of RFC 7692 section 7.2.3 and others a compressed message may
// take (fragments of any size, empty ones, control frames between,
// uncompressed messages between compressed ones); and what the client
// sends: compressed from its threshold on, RSV1 on the first fragment
// only.
func deflatePayloadCases(t *deflateTable) {
	sizes := []int{16, 64, 125, 126, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20}
	sub := 1
	for _, takeover := range []bool{true, false} {
		offer, r, suffix := ws.Deflate{}, response{}, ""
		if !takeover {
			offer = ws.Deflate{ClientNoContextTakeover: true, ServerNoContextTakeover: true}
			r, suffix = response{snct: true, cnct: true}, "_no_context_takeover"
		}
		for _, op := range []proto.Opcode{proto.OpText, proto.OpBinary} {
			g := t.sub(fmt.Sprintf("12.%d", sub))
			sub++
			for _, n := range sizes {
				count := 4
				if n >= 256<<10 {
					count = 2
				}
				msgs := messagesOf(op, n, count, uint64(n))
				c := g.ok(fmt.Sprintf("%d_%v_of_%s%s", count, op, sizeName(n), suffix), offer, r, func(d *Deflate) []Step {
					return echoes(d, msgs(), 0, Compressed{})
				})
				c.big, c.heavy = n >= 1<<20, n >= 256<<10
			}
		}
	}

	g := t.sub("12.5")
	rfc := func(name string, frames []Frame, want ...message) *deflateCase {
		return g.ok(name, ws.Deflate{}, response{}, func(*Deflate) []Step {
			steps := []Step{WriteFrames(frames...)}
			for _, m := range want {
				steps = append(steps, ExpectDeflated(m.op, m.p, true))
			}
			return steps
		})
	}
	helloMsg := message{proto.OpText, hello}
	rfc("rfc7692_7.2.3.1_one_block", []Frame{compressedMsg(proto.OpText, helloBlock)}, helloMsg)
	rfc("rfc7692_7.2.3.1_in_two_fragments", compressedFragments(proto.OpText, helloBlock, 3), helloMsg)
	rfc("rfc7692_7.2.3.2_window_shared", []Frame{compressedMsg(proto.OpText, helloBlock), compressedMsg(proto.OpText, helloAgain)}, helloMsg, helloMsg)
	// Uncompressed messages do not enter the window (section 7.2.3.2).
	rfc("rfc7692_7.2.3.2_uncompressed_message_between",
		[]Frame{compressedMsg(proto.OpText, helloBlock), Text("plain"), Binary([]byte{1, 2}), compressedMsg(proto.OpBinary, helloAgain)},
		helloMsg, message{proto.OpText, []byte("plain")}, message{proto.OpBinary, []byte{1, 2}}, message{proto.OpBinary, hello})
	rfc("rfc7692_7.2.3.3_stored_block", []Frame{compressedMsg(proto.OpText, helloStored)}, helloMsg)
	rfc("rfc7692_7.2.3.4_bfinal_block", []Frame{compressedMsg(proto.OpText, helloFinal), compressedMsg(proto.OpText, helloFinal)}, helloMsg, helloMsg)
	rfc("rfc7692_7.2.3.5_two_blocks", []Frame{compressedMsg(proto.OpText, helloTwo)}, helloMsg)
	rfc("rfc7692_7.2.3.6_empty_text", []Frame{compressedMsg(proto.OpText, emptyDeflated)}, message{proto.OpText, nil})
	rfc("rfc7692_7.2.3.6_empty_binary", []Frame{compressedMsg(proto.OpBinary, emptyDeflated)}, message{proto.OpBinary, nil})
	rfc("rfc7692_7.2.3.6_empty_last_fragment", compressedFragments(proto.OpText, append(helloFlushed, emptyDeflated...), len(helloFlushed)), helloMsg)
	rfc("huffman_block_then_stored_block", []Frame{compressedMsg(proto.OpText, huffmanThenStored)}, message{proto.OpText, []byte("HWWWWWW!")})
	rfc("empty_first_fragment", compressedFragments(proto.OpText, helloBlock, 0), helloMsg)
	rfc("empty_fragments_between", compressedFragments(proto.OpText, helloBlock, 2, 2, 2), helloMsg)
	rfc("one_byte_fragments", compressedFragments(proto.OpText, helloBlock, 1, 2, 3, 4, 5, 6), helloMsg)
	// The client answers the ping at once, before the message is whole.
	g.ok("ping_between_fragments", ws.Deflate{}, response{}, func(*Deflate) []Step {
		frames := compressedFragments(proto.OpText, helloBlock, 3)
		return []Step{WriteFrames(frames[0], Ping([]byte("p")), frames[1]), ExpectPong([]byte("p")), ExpectDeflated(proto.OpText, hello, true)}
	})
	g.ok("one_block_bytewise", ws.Deflate{}, response{}, func(*Deflate) []Step {
		return []Step{bytewise(compressedMsg(proto.OpText, helloBlock).Bytes()), ExpectDeflated(proto.OpText, hello, true)}
	})
	for _, e := range []struct {
		name string
		op   proto.Opcode
		n    int
		form Compressed
		big  bool
	}{
		{"text_16KiB_in_frames_of_1B", proto.OpText, 16 << 10, Compressed{FrameSize: 1}, false},
		{"binary_16KiB_in_frames_of_7B_written_3B_at_a_time", proto.OpBinary, 16 << 10, Compressed{FrameSize: 7, WriteSize: 3}, false},
		{"text_64KiB_in_frames_of_1000B_with_a_pong_between", proto.OpText, 64 << 10, Compressed{FrameSize: 1000, Between: []Frame{Pong([]byte("unsolicited"))}}, false},
		{"binary_1MiB_in_frames_of_64KiB", proto.OpBinary, 1 << 20, Compressed{FrameSize: 64 << 10}, true},
		{"text_1MiB_in_frames_of_100B", proto.OpText, 1 << 20, Compressed{FrameSize: 100}, true},
	} {
		msgs := messagesOf(e.op, e.n, 2, uint64(e.n)+1)
		g.ok(e.name, ws.Deflate{}, response{}, func(d *Deflate) []Step { return echoes(d, msgs(), 0, e.form) }).big = e.big
	}
	// The window holds the compressed messages only, whichever end
	// compresses them.
	mixed := messagesOf(proto.OpText, 8<<10, 5, 3)
	g.ok("uncompressed_messages_between_compressed_ones", ws.Deflate{}, response{}, func(d *Deflate) []Step {
		m := mixed()
		return []Step{
			d.Send(Compressed{Op: proto.OpText, Payload: m[0].p}), ExpectDeflated(proto.OpText, m[0].p, true),
			WriteFrames(Text(string(m[1].p)), Binary(m[2].p)), ExpectDeflated(proto.OpText, m[1].p, true), ExpectDeflated(proto.OpBinary, m[2].p, true),
			d.Send(Compressed{Op: proto.OpBinary, Payload: m[3].p}), ExpectDeflated(proto.OpBinary, m[3].p, true),
			WriteFrames(Text(string(m[4].p))), ExpectDeflated(proto.OpText, m[4].p, true),
		}
	})
	g.ok("ping_between_fragments_of_a_large_message", ws.Deflate{}, response{}, func(d *Deflate) []Step {
		m := mixed()[0]
		return []Step{d.Send(Compressed{Op: proto.OpText, Payload: m.p, FrameSize: 500, Between: []Frame{Ping([]byte("mid"))}}),
			ExpectPong([]byte("mid")), ExpectDeflated(proto.OpText, m.p, true)}
	})
	pipelined := messagesOf(proto.OpBinary, 100, 500, 4)
	g.ok("500_messages_of_100B_pipelined", ws.Deflate{}, response{}, func(d *Deflate) []Step {
		var sends, expects []Step
		for _, m := range pipelined() {
			sends = append(sends, d.Send(Compressed{Op: m.op, Payload: m.p}))
			expects = append(expects, ExpectDeflated(m.op, m.p, true))
		}
		return append(sends, expects...)
	})

	// What the client sends.
	g = t.sub("12.6")
	for _, threshold := range []int{1, 100, 4 << 10} {
		g.ok(fmt.Sprintf("threshold_%s", sizeName(threshold)), ws.Deflate{Threshold: threshold}, response{}, func(d *Deflate) []Step {
			var msgs []message
			s := newStream(proto.OpText, uint64(threshold))
			for _, n := range []int{0, 1, threshold - 1, threshold, threshold + 1, 10 << 10} {
				msgs = append(msgs, message{proto.OpText, s.next(max(n, 0))})
			}
			return echoes(d, msgs, threshold, Compressed{})
		})
	}
	plain := messagesOf(proto.OpBinary, 4<<10, 3, 5)
	g.ok("uncompressed_messages_from_the_server", ws.Deflate{}, response{}, func(*Deflate) []Step {
		var steps []Step
		for _, m := range plain() {
			steps = append(steps, WriteFrames(Binary(m.p)), ExpectDeflated(proto.OpBinary, m.p, true))
		}
		return steps
	})
	for _, size := range []int{1, 100, 1000} {
		msgs := messagesOf(proto.OpText, 10<<10, 3, uint64(size))
		c := g.ok(fmt.Sprintf("FragmentSize_%s", sizeName(size)), ws.Deflate{}, response{}, func(d *Deflate) []Step {
			var steps []Step
			for _, m := range msgs() {
				steps = append(steps, d.Send(Compressed{Op: m.op, Payload: m.p}), expectFragmentedDeflated(m.op, m.p, size))
			}
			return steps
		})
		c.opts = []ws.Option{ws.FragmentSize(size)}
	}
}

// expectFragmentedDeflated expects a compressed message whose compressed
// payload came in fragments of size bytes, RSV1 on the first only (which
// the server's reading checks).
func expectFragmentedDeflated(op proto.Opcode, payload []byte, size int) Step {
	return Step{fmt.Sprintf("expect %v of %d bytes compressed in fragments of %d", op, len(payload), size), func(s *Session) error {
		r, err := s.take(classData)
		if err != nil {
			return err
		}
		if err := same(r, op, payload); err != nil {
			return err
		}
		var z int64
		for _, h := range r.Headers {
			z += h.Length
		}
		if r.Headers[0].Rsv != rsv1 || len(r.Headers) != frameCount(int(z), size) {
			return fmt.Errorf("%d compressed bytes came in %d frames (first RSV %#x), want %d with RSV1", z, len(r.Headers), r.Headers[0].Rsv, frameCount(int(z), size))
		}
		for i, h := range r.Headers[:len(r.Headers)-1] {
			if h.Length != int64(size) {
				return fmt.Errorf("fragment %d has %d bytes, want %d", i+1, h.Length, size)
			}
		}
		return nil
	}}
}

// windowMessages are the messages of a parameter case: one long enough to
// repeat itself at every probe distance, then shorter ones that reach
// back into it.
func windowMessages(op proto.Opcode, seed uint64) func() []message {
	return func() []message {
		s := newStream(op, seed)
		return []message{{op, s.next(34 << 10)}, {op, s.next(700)}, {op, s.next(6 << 10)}}
	}
}

// bitsName names a window parameter: its value, or what stands for it.
func bitsName(bits int, none string) string {
	if bits == 0 {
		return none
	}
	return fmt.Sprint(bits)
}

// deflateParameterCases is group 13: every pairing of what the client
// offers with what the server may answer (RFC 7692 section 7.1), each
// checked both ways with messages that repeat themselves at the edges of
// every window size, and across messages: client_max_window_bits offered
// bare or with 8 to 15 against every answer; server_max_window_bits
// against every value the server may answer, asked or not; every
// pairing of the no_context_takeover parameters, the server omitting
// client_no_context_takeover or adding server_no_context_takeover; each
// combination of context takeover with each window size; an answer in
// another case and spacing; and no answer at all.
func deflateParameterCases(t *deflateTable) {
	g := t.sub("13.1")
	for _, offered := range []int{0, 8, 9, 10, 11, 12, 13, 14, 15} {
		for _, answered := range []int{0, 8, 9, 10, 11, 12, 13, 14, 15} {
			msgs := windowMessages(proto.OpBinary, uint64(offered*16+answered))
			g.ok(fmt.Sprintf("client_max_window_bits_offered_%s_answered_%s", bitsName(offered, "bare"), bitsName(answered, "none")),
				ws.Deflate{ClientMaxWindowBits: offered}, response{cbits: answered},
				func(d *Deflate) []Step { return echoes(d, msgs(), 0, Compressed{}) })
		}
	}
	g = t.sub("13.2")
	for _, offered := range []int{0, 8, 9, 10, 11, 12, 13, 14, 15} {
		answers := []int{8, 9, 10, 11, 12, 13, 14, 15}[:orFull(offered)-7]
		if offered == 0 {
			answers = append(answers, 0)
		}
		for _, answered := range answers {
			msgs := windowMessages(proto.OpText, uint64(offered*16+answered))
			g.ok(fmt.Sprintf("server_max_window_bits_offered_%s_answered_%s", bitsName(offered, "none"), bitsName(answered, "none")),
				ws.Deflate{ServerMaxWindowBits: offered}, response{sbits: answered},
				func(d *Deflate) []Step { return echoes(d, msgs(), 0, Compressed{}) })
		}
	}
	// Many messages, text and binary from one stream, so that each refers
	// to those before.
	takeoverMsgs := func(seed uint64) func() []message {
		return messagesOf(proto.OpText, 3<<10, 8, seed)
	}
	alternate := func(msgs []message) []message {
		out := make([]message, len(msgs))
		for i, m := range msgs {
			out[i] = m
			if i%2 == 1 {
				out[i].op = proto.OpBinary
			}
		}
		return out
	}
	g = t.sub("13.3")
	for _, oc := range []bool{false, true} {
		for _, os := range []bool{false, true} {
			for _, rc := range []bool{false, true} {
				for _, rs := range []bool{false, true} {
					if os && !rs {
						continue // a request the server must meet (section 7.1.1.1)
					}
					msgs := takeoverMsgs(uint64(len(g.t.cases)))
					g.ok(fmt.Sprintf("offer_cnct_%t_snct_%t_answer_cnct_%t_snct_%t", oc, os, rc, rs),
						ws.Deflate{ClientNoContextTakeover: oc, ServerNoContextTakeover: os}, response{cnct: rc, snct: rs},
						func(d *Deflate) []Step { return echoes(d, alternate(msgs()), 0, Compressed{}) })
				}
			}
		}
	}
	g = t.sub("13.4")
	windows := [][2]int{{8, 15}, {15, 8}}
	for bits := 8; bits <= 15; bits++ {
		windows = append(windows, [2]int{bits, bits})
	}
	for _, w := range windows {
		for _, cnct := range []bool{false, true} {
			for _, snct := range []bool{false, true} {
				msgs := windowMessages(proto.OpText, uint64(len(g.t.cases)))
				g.ok(fmt.Sprintf("client_window_%d_server_window_%d_cnct_%t_snct_%t", w[0], w[1], cnct, snct),
					ws.Deflate{ClientNoContextTakeover: cnct, ServerNoContextTakeover: snct, ClientMaxWindowBits: w[0], ServerMaxWindowBits: w[1]},
					response{cnct: cnct, snct: snct, cbits: w[0], sbits: w[1]},
					func(d *Deflate) []Step { return echoes(d, alternate(msgs()), 0, Compressed{}) })
			}
		}
	}
	// The answer's grammar (RFC 6455 section 9.1): names in any case,
	// spaces and tabs around separators, a quoted value, any order.
	g = t.sub("13.5")
	for _, e := range []struct {
		name, header string
		r            response
	}{
		{"names_in_another_case", "PerMessage-Deflate; Server_No_Context_Takeover; CLIENT_MAX_WINDOW_BITS=9", response{snct: true, cbits: 9}},
		{"spaces_and_tabs", "permessage-deflate ;\tclient_no_context_takeover ; server_max_window_bits = 10", response{cnct: true, sbits: 10}},
		{"quoted_values", `permessage-deflate; server_max_window_bits="11"; client_max_window_bits="12"`, response{sbits: 11, cbits: 12}},
		{"reverse_order", "permessage-deflate; client_max_window_bits=8; server_max_window_bits=8; client_no_context_takeover; server_no_context_takeover",
			response{snct: true, cnct: true, sbits: 8, cbits: 8}},
	} {
		msgs := windowMessages(proto.OpBinary, uint64(len(g.t.cases)))
		c := g.ok(e.name, ws.Deflate{}, e.r, func(d *Deflate) []Step { return echoes(d, msgs(), 0, Compressed{}) })
		c.answer.Header = e.header
	}
	// Declined: no compression either way, and the client sends nothing
	// compressed.
	g = t.sub("13.6")
	plain := messagesOf(proto.OpText, 4<<10, 3, 6)
	for _, e := range []struct {
		name    string
		noOffer bool
	}{{"declined", false}, {"not_offered", true}} {
		g.add(deflateCase{name: e.name, noOffer: e.noOffer, want: peerClosed(1000), script: func(*Deflate) []Step {
			var steps []Step
			for _, m := range plain() {
				steps = append(steps, WriteFrames(Msg(m.op, m.p)), ExpectDeflated(m.op, m.p, false))
			}
			return append(steps, serverClose()...)
		}})
	}
}
