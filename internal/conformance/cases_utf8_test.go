package conformance

import (
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/proto"
)

// utf8Seq is a byte sequence sent as a whole text message.
type utf8Seq struct {
	name string
	b    string
}

// utf8Classes are the sequence classes of group 6, after Markus Kuhn's
// UTF-8 decoder stress test as the Autobahn testsuite uses it. Whether a
// sequence is valid is not written here: utf8.Valid of the standard
// library says so, a judge independent of the code under test.
var utf8Classes = []struct {
	name string
	seqs []utf8Seq
}{
	{"valid text", []utf8Seq{
		{"empty", ""}, {"hello", "Hello-µ@ßöäüàá-UTF-8!!"}, {"kosme", "κόσμε"},
	}},
	{"first sequence of each length", []utf8Seq{
		{"U0000", "\x00"}, {"U0080", "\xc2\x80"}, {"U0800", "\xe0\xa0\x80"}, {"U10000", "\xf0\x90\x80\x80"},
		{"5B_U200000", "\xf8\x88\x80\x80\x80"}, {"6B_U4000000", "\xfc\x84\x80\x80\x80\x80"},
	}},
	{"last sequence of each length", []utf8Seq{
		{"U007F", "\x7f"}, {"U07FF", "\xdf\xbf"}, {"UFFFF", "\xef\xbf\xbf"}, {"4B_U1FFFFF", "\xf7\xbf\xbf\xbf"},
		{"5B_U3FFFFFF", "\xfb\xbf\xbf\xbf\xbf"}, {"6B_U7FFFFFFF", "\xfd\xbf\xbf\xbf\xbf\xbf"},
	}},
	{"other boundaries", []utf8Seq{
		{"UD7FF", "\xed\x9f\xbf"}, {"UE000", "\xee\x80\x80"}, {"UFFFD", "\xef\xbf\xbd"}, {"U10FFFF", "\xf4\x8f\xbf\xbf"},
	}},
	{"code points above U+10FFFF", []utf8Seq{
		{"U110000", "\xf4\x90\x80\x80"}, {"U13FFFF", "\xf4\xbf\xbf\xbf"}, {"U140000", "\xf5\x80\x80\x80"},
		{"U1C0000", "\xf7\x80\x80\x80"},
	}},
	{"unexpected continuation bytes", []utf8Seq{
		{"first", "\x80"}, {"last", "\xbf"}, {"2", "\x80\xbf"}, {"3", "\x80\xbf\x80"}, {"4", "\x80\xbf\x80\xbf"},
		{"5", "\x80\xbf\x80\xbf\x80"}, {"6", "\x80\xbf\x80\xbf\x80\xbf"}, {"7", "\x80\xbf\x80\xbf\x80\xbf\x80"},
		{"all_64", allBytes(0x80, 0xbf, "")},
	}},
	{"lonely start bytes", []utf8Seq{
		{"C0", "\xc0 "}, {"C1", "\xc1 "}, {"C2", "\xc2 "}, {"DF", "\xdf "}, {"E0", "\xe0 "}, {"E1", "\xe1 "},
		{"ED", "\xed "}, {"EF", "\xef "}, {"F0", "\xf0 "}, {"F4", "\xf4 "}, {"F5", "\xf5 "}, {"F7", "\xf7 "},
		{"F8", "\xf8 "}, {"FB", "\xfb "}, {"FC", "\xfc "}, {"FD", "\xfd "},
		{"all_2B_leads", allBytes(0xc0, 0xdf, " ")}, {"all_3B_leads", allBytes(0xe0, 0xef, " ")},
		{"all_4B_leads", allBytes(0xf0, 0xf7, " ")},
	}},
	{"last continuation byte missing", []utf8Seq{
		{"2B_C0", "\xc0"}, {"3B_E080", "\xe0\x80"}, {"4B_F08080", "\xf0\x80\x80"}, {"5B", "\xf8\x80\x80\x80"},
		{"6B", "\xfc\x80\x80\x80\x80"}, {"2B_DF", "\xdf"}, {"3B_EFBF", "\xef\xbf"}, {"4B_F7BFBF", "\xf7\xbf\xbf"},
		{"5B_last", "\xfb\xbf\xbf\xbf"}, {"6B_last", "\xfd\xbf\xbf\xbf\xbf"},
		{"2B_C2", "\xc2"}, {"3B_E0A0", "\xe0\xa0"}, {"3B_E180", "\xe1\x80"}, {"3B_ED9F", "\xed\x9f"},
		{"4B_F09080", "\xf0\x90\x80"}, {"4B_F48FBF", "\xf4\x8f\xbf"},
		{"inside_text", "κ\xe1\x80xμ"},
	}},
	{"incomplete sequences concatenated", []utf8Seq{
		{"all", "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf"},
		{"valid_leads", "\xc2\xe0\xa0\xf0\x90\x80"},
	}},
	{"impossible bytes", []utf8Seq{{"FE", "\xfe"}, {"FF", "\xff"}, {"FEFEFFFF", "\xfe\xfe\xff\xff"}}},
	{"overlong slash", []utf8Seq{
		{"2B", "\xc0\xaf"}, {"3B", "\xe0\x80\xaf"}, {"4B", "\xf0\x80\x80\xaf"}, {"5B", "\xf8\x80\x80\x80\xaf"},
		{"6B", "\xfc\x80\x80\x80\x80\xaf"},
	}},
	{"maximum overlong sequences", []utf8Seq{
		{"2B", "\xc1\xbf"}, {"3B", "\xe0\x9f\xbf"}, {"4B", "\xf0\x8f\xbf\xbf"}, {"5B", "\xf8\x87\xbf\xbf\xbf"},
		{"6B", "\xfc\x83\xbf\xbf\xbf\xbf"},
	}},
	{"overlong NUL", []utf8Seq{
		{"2B", "\xc0\x80"}, {"3B", "\xe0\x80\x80"}, {"4B", "\xf0\x80\x80\x80"}, {"5B", "\xf8\x80\x80\x80\x80"},
		{"6B", "\xfc\x80\x80\x80\x80\x80"},
	}},
	{"single surrogates", []utf8Seq{
		{"UD800", "\xed\xa0\x80"}, {"UDB7F", "\xed\xad\xbf"}, {"UDB80", "\xed\xae\x80"}, {"UDBFF", "\xed\xaf\xbf"},
		{"UDC00", "\xed\xb0\x80"}, {"UDF80", "\xed\xbe\x80"}, {"UDFFF", "\xed\xbf\xbf"},
	}},
	{"paired surrogates", []utf8Seq{
		{"UD800_UDC00", "\xed\xa0\x80\xed\xb0\x80"}, {"UD800_UDFFF", "\xed\xa0\x80\xed\xbf\xbf"},
		{"UDB7F_UDC00", "\xed\xad\xbf\xed\xb0\x80"}, {"UDBFF_UDFFF", "\xed\xaf\xbf\xed\xbf\xbf"},
	}},
	{"noncharacters", []utf8Seq{
		{"UFFFE", "\xef\xbf\xbe"}, {"U2FFFE", "\xf0\xaf\xbf\xbe"}, {"UFDD0", "\xef\xb7\x90"}, {"UFDEF", "\xef\xb7\xaf"},
		{"U1FFFE", "\xf0\x9f\xbf\xbe"}, {"U1FFFF", "\xf0\x9f\xbf\xbf"}, {"U10FFFE", "\xf4\x8f\xbf\xbe"},
		{"BOM_UFEFF", "\xef\xbb\xbf"},
	}},
	{"invalid inside longer text", []utf8Seq{
		{"above_max", "κόσμε\xf4\x90\x80\x80-edited"}, {"surrogate", "κόσμε\xed\xa0\x80-edited"},
		{"overlong", "κόσμε\xc0\xaf-edited"}, {"continuation", "κόσμε\x80-edited"},
	}},
}

// allBytes returns every byte from lo to hi, each followed by sep.
func allBytes(lo, hi byte, sep string) string {
	var b []byte
	for c := int(lo); c <= int(hi); c++ {
		b = append(b, byte(c))
		b = append(b, sep...)
	}
	return string(b)
}

// extensible reports whether some bytes appended to p can make it valid
// UTF-8. Only the byte after a lead is restricted beyond 80-BF (RFC 3629
// section 4), so trying each continuation byte there, then 80s, settles
// it.
func extensible(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	for c := 0x80; c <= 0xbf; c++ {
		q := append(p[:len(p):len(p)], byte(c))
		for range 3 {
			if utf8.Valid(q) {
				return true
			}
			q = append(q, 0x80)
		}
	}
	return false
}

// failPoint returns how many bytes of an invalid text prove it invalid: a
// client that checks as bytes arrive fails once it has them, without the
// rest (RFC 6455 section 8.1). A text that is only cut short proves it at
// its end. It returns -1 for valid text.
func failPoint(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	// b[:i] is valid: the proof lies in what starts at i.
	for n := i + 1; n < len(b); n++ {
		if !extensible(b[i:n]) {
			return n
		}
	}
	return len(b)
}

// utf8Delivery is one way of sending a sequence: in frames, written whole
// or a byte at a time.
type utf8Delivery struct {
	name   string
	frames []Frame
	bytes  bool
}

// utf8Cases is group 6: a text message that is not valid UTF-8 fails the
// connection with 1007 (RFC 6455 sections 5.6 and 8.1) and valid text is
// delivered exactly, however the text is cut in frames and writes. Each
// sequence is sent in one frame, in two fragments cut at each byte, in
// fragments of one byte, and in one frame written a byte at a time.
// Invalid text is sent only up to the byte that proves it invalid: the
// client must fail without the rest of the message.
func utf8Cases(t *table) {
	for i, class := range utf8Classes {
		g := t.sub(fmt.Sprintf("6.%d", i+1))
		for _, s := range class.seqs {
			b := []byte(s.b)
			name := s.name
			if len(b) > 0 && len(b) <= 6 {
				name += "_" + hex.EncodeToString(b)
			}
			fail := failPoint(b)
			// Cuts past the failing byte change only the length in the
			// header of a fragment the client fails inside.
			last := len(b) - 1
			if fail >= 0 {
				last = min(last, fail)
			}
			ds := []utf8Delivery{{"one_frame", []Frame{Msg(proto.OpText, b)}, false}}
			for cut := 1; cut <= last; cut++ {
				ds = append(ds, utf8Delivery{fmt.Sprintf("cut_at_%d", cut), Fragments(proto.OpText, b, cut), false})
			}
			if len(b) > 1 {
				ds = append(ds, utf8Delivery{"1B_fragments", FragmentsOf(proto.OpText, b, 1), false})
			}
			ds = append(ds, utf8Delivery{"bytewise", []Frame{Msg(proto.OpText, b)}, true})
			for _, d := range ds {
				if fail < 0 {
					g.ok(name+"_"+d.name, deliver(Wire(d.frames...), d.bytes), ExpectMessage(proto.OpText, b))
				} else {
					g.fail(name+"_"+d.name, 1007, deliver(WireUntil(d.frames, fail), d.bytes))
				}
			}
		}
	}
	largeUTF8Cases(t.sub(fmt.Sprintf("6.%d", len(utf8Classes)+1)))
}

// largeUTF8Cases checks text in payloads large enough that the client
// reads them in many pieces, straight into the message: characters cut
// between writes far into a frame, and invalid text that fails the
// connection before the rest of a large frame is sent.
func largeUTF8Cases(g *subgroup) {
	const at = 100 << 10 // where the character goes
	with := func(seq string, total int) []byte {
		p := append(textOf(at), seq...)
		return append(p, textOf(total-len(p))...)
	}
	// A 4-byte character cut between writes at each of its bytes.
	valid := with("𝄞", 256<<10)
	w := Wire(Msg(proto.OpText, valid))
	hdr := len(w) - len(valid)
	for k := 1; k <= 3; k++ {
		g.ok(fmt.Sprintf("4B_character_after_100KiB_cut_between_writes_at_%d", k),
			Split(w, splitPause, hdr+at+k), ExpectMessage(proto.OpText, valid))
	}
	for _, e := range []struct{ name, seq string }{
		{"invalid_byte", "\xff"}, {"surrogate", "\xed\xa0\x80"}, {"above_max", "\xf4\x90\x80\x80"}, {"overlong", "\xe0\x80\xaf"},
	} {
		p := with(e.seq, 1<<20)
		fail := failPoint(p)
		one := []Frame{Msg(proto.OpText, p)}
		g.fail(e.name+"_after_100KiB_of_a_1MiB_frame", 1007, Write(WireUntil(one, fail)))
		cut := len(one[0].Bytes()) - len(p) + at + 1
		g.fail(e.name+"_after_100KiB_of_a_1MiB_frame_cut_between_writes", 1007, Split(WireUntil(one, fail), splitPause, cut))
		two := Fragments(proto.OpText, p, at-10)
		g.fail(e.name+"_10B_into_the_second_fragment", 1007, Write(WireUntil(two, fail)))
	}
	truncated := append(textOf(1<<20-2), "\xe1\x80"...)
	g.fail("1MiB_frame_ending_inside_a_character", 1007, WriteFrames(Msg(proto.OpText, truncated)))
}
