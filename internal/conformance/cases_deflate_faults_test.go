package conformance

import (
	"bytes"
	"compress/flate"
	"fmt"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// stdDeflate compresses messages one after the other with context
// takeover and the full window, with the standard library's encoder, and
// returns their payloads (RFC 7692 section 7.2.1).
func stdDeflate(msgs ...[]byte) [][]byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	var zs [][]byte
	for _, m := range msgs {
		w.Write(m)
		w.Flush()
		zs = append(zs, bytes.Clone(out.Bytes()[:out.Len()-4]))
		out.Reset()
	}
	return zs
}

// fixedBlock returns a block of the fixed code (RFC 1951 section 3.2.6),
// not final, made by write, flushed by an empty stored block whose
// 00 00 ff ff is left out.
func fixedBlock(write func(w *bitWriter)) []byte {
	var w bitWriter
	w.bits(0, 1)
	w.bits(1, 2)
	write(&w)
	w.bits(0, 3)
	return w.b
}

// brokenData are compressed payloads that are not what RFC 7692 section
// 7.2.1 makes of any message; stdlibJudges says the standard library's
// decoder, given the payload with 00 00 ff ff and a final empty block
// appended, must refuse it too (it stops at a block with BFINAL set, so
// it cannot judge what follows one).
var brokenData = []struct {
	name         string
	z            []byte
	stdlibJudges bool
}{
	{"reserved_block_type", []byte{0x07}, true},
	{"stored_block_length_mismatch", []byte{0x00, 0x05, 0x00, 0x00, 0x00, 'H', 'e', 'l', 'l', 'o', 0x00}, true},
	{"last_byte_missing", helloBlock[:6], true},
	{"truncated_inside_a_block", stdDeflate(bytes.Repeat([]byte("truncated, "), 100))[0][:20], true},
	{"garbage_after_the_data", append(bytes.Clone(helloBlock), 0xff), true},
	{"reserved_block_after_a_bfinal_block", append(bytes.Clone(helloFinal[:7]), 0x07), false},
	{"empty_payload", nil, true},
	{"dynamic_block_without_code_lengths", []byte{0x04, 0x00, 0x00}, true},
	{"literal_length_symbol_286", fixedBlock(func(w *bitWriter) { w.code(0xC6, 8) }), true},
	{"distance_symbol_30", fixedBlock(func(w *bitWriter) {
		w.code(0x30+'a', 8) // literal a
		w.code(1, 7)        // symbol 257: length 3
		w.code(30, 5)       // distance symbol 30
	}), true},
	{"distance_before_the_start", stdDeflate(hello, hello)[1], true},
}

// beforeDeflate is a message echoed before a case breaks the protocol;
// uncompressed, it leaves the client's window empty.
func beforeDeflate() []Step {
	return []Step{WriteFrames(Text("before")), ExpectDeflated(proto.OpText, []byte("before"), true)}
}

func withBefore(steps ...Step) func(*Deflate) []Step {
	return func(*Deflate) []Step { return append(beforeDeflate(), steps...) }
}

// deflateFaultCases is group 14: compressed data that does not
// decompress, or decompresses beyond the window agreed, fails the
// connection with 1002, whole or in fragments, at once or byte by byte,
// small or after a MiB; text that is not UTF-8 once decompressed with
// 1007 (RFC 6455 section 8.1, RFC 7692 section 6.1); RSV1 on a control
// frame or a continuation, and reserved bits RFC 7692 does not claim,
// with 1002 (section 6.1); a message that decompresses past
// MaxMessageSize with 1009, however small its frames.
func deflateFaultCases(t *deflateTable) {
	g := t.sub("14.1")
	for _, b := range brokenData {
		g.fail(b.name, 1002, ws.Deflate{}, response{}, withBefore(WriteFrames(compressedMsg(proto.OpBinary, b.z))))
		g.fail(b.name+"_bytewise", 1002, ws.Deflate{}, response{}, withBefore(bytewise(compressedMsg(proto.OpText, b.z).Bytes())))
	}
	g.fail("broken_in_a_continuation", 1002, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedFragments(proto.OpText, append(bytes.Clone(helloFlushed), 0x07), len(helloFlushed))...)))
	far := binaryOf(300)
	g.fail("distance_beyond_server_max_window_bits", 1002, ws.Deflate{ServerMaxWindowBits: 8}, response{sbits: 8},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, stdDeflate(append(far, far...))[0]))))
	g.fail("window_taken_over_against_server_no_context_takeover", 1002, ws.Deflate{ServerNoContextTakeover: true}, response{snct: true},
		func(*Deflate) []Step {
			zs := stdDeflate(far, far)
			return []Step{WriteFrames(compressedMsg(proto.OpBinary, zs[0])), ExpectDeflated(proto.OpBinary, far, true),
				WriteFrames(compressedMsg(proto.OpBinary, zs[1]))}
		})
	g.fail("broken_after_1MiB", 1002, ws.Deflate{}, response{}, func(*Deflate) []Step {
		z := stdDeflate(payloadOf(proto.OpBinary, 1<<20))[0]
		return []Step{WriteFrames(compressedFragments(proto.OpBinary, append(z, 0xff), 64<<10, 512<<10)...)}
	}).big = true

	g = t.sub("14.2")
	for _, e := range []struct{ name, text string }{
		{"invalid_utf8_once_decompressed", "κόσμε \xff"},
		{"truncated_utf8_once_decompressed", "κόσμε \xce"},
		{"surrogate_once_decompressed", "\xed\xa0\x80"},
	} {
		z := stdDeflate([]byte(e.text))[0]
		g.fail(e.name, 1007, ws.Deflate{}, response{}, withBefore(WriteFrames(compressedMsg(proto.OpText, z))))
		g.fail(e.name+"_in_fragments_of_1B", 1007, ws.Deflate{}, response{},
			withBefore(WriteFrames(compressedFragments(proto.OpText, z, cutsEvery(len(z), 1)...)...)))
	}

	g = t.sub("14.3")
	for _, e := range []struct {
		name   string
		frames []Frame
	}{
		{"rsv1_on_a_continuation_of_a_compressed_message", func() []Frame {
			f := compressedFragments(proto.OpText, helloBlock, 3)
			f[1].Rsv = rsv1
			return f
		}()},
		{"rsv1_on_a_continuation_of_an_uncompressed_message", []Frame{Text("hel").More(), Cont([]byte("lo")).WithRsv(rsv1)}},
		{"rsv1_on_a_continuation_without_a_message", []Frame{Cont(helloBlock).WithRsv(rsv1)}},
		{"rsv1_on_a_ping", []Frame{Ping([]byte("p")).WithRsv(rsv1)}},
		{"rsv1_on_a_pong", []Frame{Pong(nil).WithRsv(rsv1)}},
		{"rsv1_on_a_close", []Frame{Close(1000, "").WithRsv(rsv1)}},
		{"rsv1_on_a_ping_between_fragments", func() []Frame {
			f := compressedFragments(proto.OpText, helloBlock, 3)
			return []Frame{f[0], Ping(nil).WithRsv(rsv1), f[1]}
		}()},
		{"rsv1_on_a_new_message_inside_a_fragmented_one", []Frame{Text("a").More(), compressedMsg(proto.OpText, helloBlock)}},
		{"rsv2", []Frame{Text("x").WithRsv(2)}},
		{"rsv3", []Frame{Binary([]byte("x")).WithRsv(1)}},
		{"rsv1_rsv2", []Frame{compressedMsg(proto.OpText, helloBlock).WithRsv(6)}},
		{"rsv1_rsv3", []Frame{compressedMsg(proto.OpText, helloBlock).WithRsv(5)}},
		{"rsv1_rsv2_rsv3", []Frame{compressedMsg(proto.OpBinary, helloBlock).WithRsv(7)}},
		{"rsv2_on_a_continuation_of_a_compressed_message", func() []Frame {
			f := compressedFragments(proto.OpText, helloBlock, 3)
			f[1].Rsv = 2
			return f
		}()},
		{"rsv1_with_reserved_opcode_3", []Frame{compressedMsg(3, helloBlock)}},
		{"rsv1_with_reserved_opcode_11", []Frame{compressedMsg(11, nil)}},
		{"rsv1_on_a_masked_frame", []Frame{compressedMsg(proto.OpText, helloBlock).WithMask([4]byte{1, 2, 3, 4})}},
	} {
		g.fail(e.name, 1002, ws.Deflate{}, response{}, withBefore(WriteFrames(e.frames...)))
	}

	g = t.sub("14.4")
	limited := func(c *deflateCase, limit int64) { c.opts = []ws.Option{ws.MaxMessageSize(limit)} }
	// bomb(k) inflates to 1+258k bytes.
	limited(g.fail("bomb_one_over_MaxMessageSize", 1009, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, bomb(254))))), 1+258*254-1)
	limited(g.ok("bomb_at_MaxMessageSize", ws.Deflate{}, response{}, withBefore(
		WriteFrames(compressedMsg(proto.OpBinary, bomb(254))), ExpectDeflated(proto.OpBinary, make([]byte, 1+258*254), true))), 1+258*254)
	limited(g.fail("text_bomb_over_MaxMessageSize_64KiB", 1009, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedMsg(proto.OpText, bomb(255))))), 64<<10)
	limited(g.fail("bomb_over_MaxMessageSize_64KiB_in_fragments_of_10B", 1009, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedFragments(proto.OpBinary, bomb(255), cutsEvery(len(bomb(255)), 10)...)...))), 64<<10)
	limited(g.fail("bomb_over_MaxMessageSize_1MiB", 1009, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, bomb(4065))))), 1<<20)
	limited(g.fail("bomb_over_MaxMessageSize_1MiB_no_context_takeover", 1009, ws.Deflate{ServerNoContextTakeover: true}, response{snct: true},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, bomb(4065))))), 1<<20)
	limited(g.fail("bomb_over_MaxMessageSize_1MiB_small_window", 1009, ws.Deflate{ServerMaxWindowBits: 8}, response{sbits: 8},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, bomb(4065))))), 1<<20)
	// Past the default limit of 32 MiB with 211 kB.
	g.fail("bomb_over_default_MaxMessageSize", 1009, ws.Deflate{}, response{},
		withBefore(WriteFrames(compressedMsg(proto.OpBinary, bomb((ws.DefaultMaxMessageSize)/258+1))))).big = true
	// Incompressible data is a little longer compressed: at the limit it
	// must still pass.
	random := binaryOf(64 << 10)
	limited(g.ok("incompressible_at_MaxMessageSize", ws.Deflate{}, response{}, withBefore(
		WriteFrames(compressedMsg(proto.OpBinary, stdDeflate(random)[0])), ExpectDeflated(proto.OpBinary, random, true))), 64<<10)
}

// cutsEvery returns the cuts of n bytes into pieces of size.
func cutsEvery(n, size int) []int {
	var cuts []int
	for c := size; c < n; c += size {
		cuts = append(cuts, c)
	}
	return cuts
}

// deflateHandshakeCases is group 15: answers RFC 7692 forbids, which fail
// Connect with a *ws.HandshakeError (sections 5 and 7): a parameter it
// does not define, one twice, an invalid value, a request of the offer
// ignored, the extension twice, another extension, a header outside the
// grammar of RFC 6455 section 9.1, an extension not offered at all. The
// client always offers client_max_window_bits, so that one cannot be
// answered unoffered.
func deflateHandshakeCases(t *deflateTable) {
	g := t.sub("15.1")
	for _, e := range []struct {
		name, header string
		want         error
	}{
		{"unknown_parameter", "permessage-deflate; foo", ws.ErrUnknownParameter},
		{"unknown_parameter_with_value", "permessage-deflate; foo=1", ws.ErrUnknownParameter},
		{"unknown_parameter_after_known_ones", "permessage-deflate; server_no_context_takeover; x-webkit=1", ws.ErrUnknownParameter},
		{"offer_only_parameter_name", "permessage-deflate; client_max_window", ws.ErrUnknownParameter},
		{"server_no_context_takeover_twice", "permessage-deflate; server_no_context_takeover; server_no_context_takeover", ws.ErrDuplicateParameter},
		{"client_no_context_takeover_twice", "permessage-deflate; client_no_context_takeover; client_no_context_takeover", ws.ErrDuplicateParameter},
		{"server_max_window_bits_twice", "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", ws.ErrDuplicateParameter},
		{"client_max_window_bits_twice", "permessage-deflate; client_max_window_bits=10; client_max_window_bits=9", ws.ErrDuplicateParameter},
		{"twice_in_another_case", "permessage-deflate; server_max_window_bits=10; Server_Max_Window_Bits=10", ws.ErrDuplicateParameter},
	} {
		g.refused(e.name, e.header, e.want)
	}
	g = t.sub("15.2")
	for _, name := range []string{"server_max_window_bits", "client_max_window_bits"} {
		for _, v := range []string{"7", "16", "0", "010", "+9", "9.0", "ten", `"7"`, "99999999999999999999"} {
			g.refused(fmt.Sprintf("%s_%s", name, v), fmt.Sprintf("permessage-deflate; %s=%s", name, v), ws.ErrInvalidValue)
		}
		g.refused(name+"_without_value", "permessage-deflate; "+name, ws.ErrInvalidValue)
	}
	g.refused("server_no_context_takeover_with_value", "permessage-deflate; server_no_context_takeover=1", ws.ErrInvalidValue)
	g.refused("client_no_context_takeover_with_quoted_value", `permessage-deflate; client_no_context_takeover="x"`, ws.ErrInvalidValue)
	g = t.sub("15.3")
	for _, e := range []struct {
		name   string
		offer  ws.Deflate
		header string
	}{
		{"server_no_context_takeover_ignored", ws.Deflate{ServerNoContextTakeover: true}, "permessage-deflate"},
		{"server_max_window_bits_ignored", ws.Deflate{ServerMaxWindowBits: 10}, "permessage-deflate"},
		{"server_max_window_bits_larger", ws.Deflate{ServerMaxWindowBits: 10}, "permessage-deflate; server_max_window_bits=11"},
		{"server_max_window_bits_8_larger", ws.Deflate{ServerMaxWindowBits: 8}, "permessage-deflate; server_max_window_bits=15"},
	} {
		g.refused(e.name, e.header, ws.ErrUnmetRequest).offer = e.offer
	}
	g = t.sub("15.4")
	for _, e := range []struct {
		name, header string
		want         error
	}{
		{"two_instances", "permessage-deflate, permessage-deflate", ws.ErrDuplicateExtension},
		{"two_instances_with_parameters", "permessage-deflate; server_no_context_takeover, permessage-deflate; client_no_context_takeover", ws.ErrDuplicateExtension},
		{"two_instances_on_two_header_lines", "permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate", ws.ErrDuplicateExtension},
		{"other_extension", "x-webkit-deflate-frame", ws.ErrUnofferedExtension},
		{"other_extension_besides", "permessage-deflate, permessage-bzip2", ws.ErrUnofferedExtension},
		{"unterminated_quoted_value", `permessage-deflate; server_max_window_bits="10`, ws.ErrExtensionSyntax},
		{"trailing_semicolon", "permessage-deflate;", ws.ErrExtensionSyntax},
		{"parameter_without_name", "permessage-deflate; =10", ws.ErrExtensionSyntax},
		{"empty_list", " , ", ws.ErrExtensionSyntax},
	} {
		g.refused(e.name, e.header, e.want)
	}
	g.refused("not_offered", "permessage-deflate", ws.ErrUnofferedExtension).noOffer = true
}
