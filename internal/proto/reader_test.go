package proto

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// fspec describes one frame of a test stream. The stream is encoded for a
// role: frames to a server are masked, frames to a client are not, unless
// wrongMask says otherwise.
type fspec struct {
	fin       bool
	rsv       uint8
	op        Opcode
	payload   string
	wrongMask bool
	// length, when not zero, is the payload length the header declares
	// in place of len(payload): the rest of the payload never comes, and
	// whatever the Reader decides, it decides from what came.
	length int64
	// raw bytes go on the wire as they are.
	raw []byte
}

func msg(op Opcode, p string) fspec   { return fspec{fin: true, op: op, payload: p} }
func first(op Opcode, p string) fspec { return fspec{op: op, payload: p} }
func more(p string) fspec             { return fspec{op: OpContinuation, payload: p} }
func last(p string) fspec             { return fspec{fin: true, op: OpContinuation, payload: p} }
func header(fin bool, op Opcode, length int64) fspec {
	return fspec{fin: fin, op: op, length: length}
}

// encode builds the wire form of frames as a peer of a client (server
// false) or of a server (server true) sends them. Each frame gets its own
// key, so that a Reader that carries the key or the key position from one
// frame to the next fails.
func encode(server bool, frames ...fspec) []byte {
	var b []byte
	for i, f := range frames {
		if f.raw != nil {
			b = append(b, f.raw...)
			continue
		}
		h := Header{Fin: f.fin, Rsv: f.rsv, Op: f.op, Masked: server != f.wrongMask, Length: int64(len(f.payload))}
		if f.length != 0 {
			h.Length = f.length
		}
		if h.Masked {
			h.Key = [4]byte{0x37 + byte(i), 0xFA, 0x21 ^ byte(3*i), 0x3D}
		}
		b = AppendHeader(b, h)
		start := len(b)
		b = append(b, f.payload...)
		if h.Masked {
			// The reference loop, so that a fault in Mask cannot cancel
			// out between writing and reading.
			maskBytewise(h.Key, 0, b[start:])
		}
	}
	return b
}

// result is what a Reader makes of a whole stream.
type result struct {
	frames []Frame
	err    *Violation
	left   int // bytes left unconsumed at the end (a partial header)
}

func (r result) String() string {
	var s strings.Builder
	for _, f := range r.frames {
		fmt.Fprintf(&s, "%v %q; ", f.Op, abbrev(f.Payload))
	}
	if r.err != nil {
		fmt.Fprintf(&s, "violation %d %q (limit %d size %d); ", r.err.Code, r.err.Reason, r.err.Limit, r.err.Size)
	}
	fmt.Fprintf(&s, "%d bytes left", r.left)
	return s.String()
}

func abbrev(p []byte) string {
	if len(p) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", p[:40], len(p))
	}
	return string(p)
}

func sameResult(a, b result) bool {
	if len(a.frames) != len(b.frames) || a.left != b.left || (a.err == nil) != (b.err == nil) {
		return false
	}
	if a.err != nil && *a.err != *b.err {
		return false
	}
	for i := range a.frames {
		if a.frames[i].Op != b.frames[i].Op || !bytes.Equal(a.frames[i].Payload, b.frames[i].Payload) {
			return false
		}
	}
	return true
}

// drive feeds pieces to r the way a connection's read loop does: the bytes
// Next leaves unconsumed are kept, the next read is appended to them, and
// Next is called until it wants more. It checks Next's contract on the way.
func drive(t testing.TB, r *Reader, pieces [][]byte) result {
	t.Helper()
	var buf []byte
	var res result
	for _, p := range pieces {
		buf = append(buf, p...)
		for {
			n, f, ok, err := r.Next(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("Next consumed %d of %d bytes", n, len(buf))
			}
			// The caller reuses its read buffer: a returned payload that
			// aliased it would change here.
			for i := range buf[:n] {
				buf[i] = 0xEE
			}
			buf = buf[n:]
			if err != nil {
				v, isViolation := err.(*Violation)
				if !isViolation || ok {
					t.Fatalf("Next returned ok=%t, error %T %v; want a *Violation and ok false", ok, err, err)
				}
				// A dead Reader stays dead, whatever comes next.
				more := append(bytes.Clone(buf), encode(r.Server, msg(OpBinary, "after"))...)
				if n, _, ok, again := r.Next(more); n != 0 || ok || again != err {
					t.Fatalf("after a Violation, Next = %d, %t, %v; want 0, false and the same Violation", n, ok, again)
				}
				// What is left after a violation depends on the cut, and
				// nothing reads it: res.left stays 0.
				res.err = v
				return res
			}
			if ok {
				res.frames = append(res.frames, f)
				continue
			}
			// Without a frame or an error, Next must have taken every byte
			// but a partial header.
			if _, hn, herr := ParseHeader(buf); hn != 0 || herr != nil || len(buf) >= MaxHeaderSize {
				t.Fatalf("Next stopped with %d bytes left that are not a partial header: % x", len(buf), buf[:min(len(buf), 16)])
			}
			break
		}
	}
	res.left = len(buf)
	return res
}

// splits returns ways to cut in into reads: whole, byte by byte, in two at
// every position (sampled for long input) and in three at random points.
func splits(in []byte) [][][]byte {
	out := [][][]byte{{in}, oneByOne(in)}
	cuts := make([]int, 0, len(in)+1)
	if len(in) <= 2048 {
		for i := 0; i <= len(in); i++ {
			cuts = append(cuts, i)
		}
	} else {
		r := rand.New(rand.NewPCG(uint64(len(in)), 7))
		for i := 0; i <= 64; i++ {
			cuts = append(cuts, i, len(in)-i)
		}
		for range 64 {
			cuts = append(cuts, r.IntN(len(in)+1))
		}
	}
	for _, c := range cuts {
		out = append(out, [][]byte{in[:c], in[c:]})
	}
	r := rand.New(rand.NewPCG(uint64(len(in)), 11))
	for range 32 {
		i := r.IntN(len(in) + 1)
		j := i + r.IntN(len(in)-i+1)
		out = append(out, [][]byte{in[:i], in[i:j], in[j:]})
	}
	return out
}

func oneByOne(in []byte) [][]byte {
	pieces := make([][]byte, len(in))
	for i := range in {
		pieces[i] = in[i : i+1]
	}
	return pieces
}

// readAll runs a fresh Reader (made by newReader) over in, cut every way
// splits knows, and fails unless every cut gives the same result as the
// whole; it returns that result.
func readAll(t *testing.T, newReader func() *Reader, in []byte) result {
	t.Helper()
	want := drive(t, newReader(), [][]byte{in})
	for _, pieces := range splits(in) {
		got := drive(t, newReader(), pieces)
		if !sameResult(got, want) {
			lens := make([]int, len(pieces))
			for i, p := range pieces {
				lens[i] = len(p)
			}
			if len(lens) > 8 {
				lens = lens[:8]
			}
			t.Fatalf("input cut into pieces of %v bytes:\n got %v\nwant %v (as read whole)", lens, got, want)
		}
	}
	return want
}

type role struct {
	name   string
	server bool
}

var roles = []role{{"client", false}, {"server", true}}

func frames(fs ...Frame) []Frame { return fs }

func fr(op Opcode, p string) Frame { return Frame{Op: op, Payload: []byte(p)} }

// utf8Text is valid text of n bytes with characters of every length, cut
// so that it ends on a whole character.
func utf8Text(n int) string {
	s := strings.Repeat("aé€𝄞", n/10+1)
	for !utf8.ValidString(s[:n]) {
		n--
	}
	return s[:n]
}

func TestReaderValidStreams(t *testing.T) {
	binary := func(n int) string { return string(randomBytes(uint64(n), n)) }
	text70k := utf8Text(70000)
	tests := []struct {
		name       string
		maxFrame   int64
		maxMessage int64
		in         []fspec
		want       []Frame
		left       int // a partial header at the end, left for the next read
	}{
		{name: "text", in: []fspec{msg(OpText, "Hello")}, want: frames(fr(OpText, "Hello"))},
		{name: "binary", in: []fspec{msg(OpBinary, "\x00\xFF\xED\xA0\x80")}, want: frames(fr(OpBinary, "\x00\xFF\xED\xA0\x80"))},
		{name: "empty text", in: []fspec{msg(OpText, "")}, want: frames(fr(OpText, ""))},
		{name: "empty binary", in: []fspec{msg(OpBinary, "")}, want: frames(fr(OpBinary, ""))},
		{name: "several messages", in: []fspec{msg(OpText, "one"), msg(OpBinary, "two"), msg(OpText, "three")},
			want: frames(fr(OpText, "one"), fr(OpBinary, "two"), fr(OpText, "three"))},
		{name: "fragmented text", in: []fspec{first(OpText, "Hel"), more("l"), last("o")}, want: frames(fr(OpText, "Hello"))},
		{name: "fragmented binary", in: []fspec{first(OpBinary, "ab"), last("cd")}, want: frames(fr(OpBinary, "abcd"))},
		{name: "control frames between fragments",
			in:   []fspec{first(OpText, "Hel"), msg(OpPing, "p1"), more("l"), msg(OpPong, "p2"), msg(OpPing, ""), last("o"), msg(OpPong, "")},
			want: frames(fr(OpPing, "p1"), fr(OpPong, "p2"), fr(OpPing, ""), fr(OpText, "Hello"), fr(OpPong, ""))},
		{name: "close between fragments", in: []fspec{first(OpBinary, "a"), msg(OpClose, "\x03\xe8bye")},
			want: frames(fr(OpClose, "\x03\xe8bye"))},
		{name: "zero-length fragments", in: []fspec{first(OpText, ""), more("abc"), more(""), last("")}, want: frames(fr(OpText, "abc"))},
		{name: "message of empty fragments", in: []fspec{first(OpBinary, ""), more(""), last("")}, want: frames(fr(OpBinary, ""))},
		{name: "characters split across fragments", in: []fspec{first(OpText, "\xE2"), more("\x82"), more("\xAC\xF0\x9D"), last("\x84\x9E")},
			want: frames(fr(OpText, "€𝄞"))},
		{name: "ping", in: []fspec{msg(OpPing, "are you there")}, want: frames(fr(OpPing, "are you there"))},
		{name: "ping of 125 bytes", in: []fspec{msg(OpPing, binary(125))}, want: frames(fr(OpPing, binary(125)))},
		{name: "ping payload not UTF-8", in: []fspec{msg(OpPing, "\xFF")}, want: frames(fr(OpPing, "\xFF"))},
		{name: "pongs keep their own payloads", in: []fspec{msg(OpPong, "aaaa"), msg(OpPong, "bb")},
			want: frames(fr(OpPong, "aaaa"), fr(OpPong, "bb"))},
		{name: "empty close", in: []fspec{msg(OpClose, "")}, want: frames(fr(OpClose, ""))},
		{name: "close with code", in: []fspec{msg(OpClose, "\x03\xe8")}, want: frames(fr(OpClose, "\x03\xe8"))},
		{name: "close with the longest reason", in: []fspec{msg(OpClose, "\x0f\xa0"+strings.Repeat("€", 41))},
			want: frames(fr(OpClose, "\x0f\xa0"+strings.Repeat("€", 41)))},
		{name: "7-bit length 125", in: []fspec{msg(OpBinary, binary(125))}, want: frames(fr(OpBinary, binary(125)))},
		{name: "16-bit length 126", in: []fspec{msg(OpBinary, binary(126))}, want: frames(fr(OpBinary, binary(126)))},
		{name: "16-bit length 65535", in: []fspec{msg(OpBinary, binary(65535))}, want: frames(fr(OpBinary, binary(65535)))},
		{name: "64-bit length 65536", in: []fspec{msg(OpBinary, binary(65536))}, want: frames(fr(OpBinary, binary(65536)))},
		{name: "long text of every character length", in: []fspec{msg(OpText, text70k)}, want: frames(fr(OpText, text70k))},
		{name: "long text in fragments cut inside characters",
			in:   []fspec{first(OpText, text70k[:1001]), more(text70k[1001:40002]), last(text70k[40002:])},
			want: frames(fr(OpText, text70k))},
		{name: "frame at MaxFrame", maxFrame: 10, in: []fspec{msg(OpBinary, "0123456789")}, want: frames(fr(OpBinary, "0123456789"))},
		{name: "message at MaxMessage in fragments", maxFrame: 4, maxMessage: 10,
			in:   []fspec{first(OpText, "0123"), msg(OpPing, "ping may exceed both"), more("4567"), last("89")},
			want: frames(fr(OpPing, "ping may exceed both"), fr(OpText, "0123456789"))},
		{name: "messages at MaxMessage one after another", maxMessage: 4,
			in:   []fspec{first(OpBinary, "01"), last("23"), msg(OpBinary, "4567")},
			want: frames(fr(OpBinary, "0123"), fr(OpBinary, "4567"))},
		{name: "partial header at the end", in: []fspec{msg(OpText, "a"), {raw: []byte{0x82, 0x7E, 0x01}}},
			want: frames(fr(OpText, "a")), left: 3},
		{name: "partial 64-bit length at the end", in: []fspec{{raw: []byte{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0}}}, left: 9},
		// No limit: a header declaring an enormous payload must not make
		// the Reader allocate it before the bytes come.
		{name: "huge frame without limits", in: []fspec{header(true, OpBinary, 1<<62)}},
		{name: "huge fragment without limits", in: []fspec{first(OpBinary, "x"), header(true, OpContinuation, 1<<62)}},
	}
	for _, tt := range tests {
		for _, rl := range roles {
			t.Run(tt.name+"/"+rl.name, func(t *testing.T) {
				newReader := func() *Reader {
					return &Reader{Server: rl.server, MaxFrame: tt.maxFrame, MaxMessage: tt.maxMessage}
				}
				got := readAll(t, newReader, encode(rl.server, tt.in...))
				if want := (result{frames: tt.want, left: tt.left}); !sameResult(got, want) {
					t.Errorf("got  %v\nwant %v", got, want)
				}
			})
		}
	}
}

func TestReaderViolations(t *testing.T) {
	const (
		protocol = CloseProtocolError
		payload  = CloseInvalidPayload
		tooBig   = CloseMessageTooBig
	)
	type violationCase struct {
		name       string
		maxFrame   int64
		maxMessage int64
		in         []fspec
		before     []Frame // delivered before the violation
		code       uint16
		limit      int64 // for 1009: the limit and size reported
		size       int64
	}
	tests := []violationCase{
		// Section 5.1: a server masks nothing, a client masks everything.
		{name: "data frame masked the wrong way", in: []fspec{{fin: true, op: OpText, payload: "hi", wrongMask: true}}, code: protocol},
		{name: "empty frame masked the wrong way", in: []fspec{{fin: true, op: OpBinary, wrongMask: true}}, code: protocol},
		{name: "control frame masked the wrong way", in: []fspec{{fin: true, op: OpPing, wrongMask: true}}, code: protocol},
		{name: "second fragment masked the wrong way", in: []fspec{first(OpText, "a"), {fin: true, op: OpContinuation, payload: "b", wrongMask: true}}, code: protocol},
		// Section 5.2: no extension is negotiated, so no RSV bit may be set.
		{name: "RSV1", in: []fspec{{fin: true, rsv: 4, op: OpText, payload: "x"}}, code: protocol},
		{name: "RSV2", in: []fspec{{fin: true, rsv: 2, op: OpText, payload: "x"}}, code: protocol},
		{name: "RSV3", in: []fspec{{fin: true, rsv: 1, op: OpBinary}}, code: protocol},
		{name: "RSV on a ping", in: []fspec{{fin: true, rsv: 4, op: OpPing}}, code: protocol},
		{name: "RSV on a continuation", in: []fspec{first(OpText, "a"), {fin: true, rsv: 2, op: OpContinuation, payload: "b"}}, code: protocol},
		// Section 5.5: control frames are whole and short.
		{name: "fragmented ping", in: []fspec{{op: OpPing, payload: "x"}}, code: protocol},
		{name: "fragmented pong", in: []fspec{{op: OpPong}}, code: protocol},
		{name: "fragmented close", in: []fspec{{op: OpClose, payload: "\x03\xe8"}}, code: protocol},
		{name: "ping of 126 bytes", in: []fspec{header(true, OpPing, 126)}, code: protocol},
		{name: "close of 126 bytes", in: []fspec{header(true, OpClose, 126)}, code: protocol},
		{name: "pong with a 64-bit length", in: []fspec{header(true, OpPong, 70000)}, code: protocol},
		{name: "oversized ping inside a message", in: []fspec{first(OpText, "a"), header(true, OpPing, 200)}, code: protocol},
		// Section 5.4: fragments come in order, one message at a time.
		{name: "continuation without a message", in: []fspec{last("x")}, code: protocol},
		{name: "unfinished continuation without a message", in: []fspec{more("")}, code: protocol},
		{name: "continuation after a finished message", in: []fspec{msg(OpText, "a"), last("b")}, before: frames(fr(OpText, "a")), code: protocol},
		{name: "text inside a text message", in: []fspec{first(OpText, "a"), msg(OpText, "b")}, code: protocol},
		{name: "binary inside a text message", in: []fspec{first(OpText, "a"), first(OpBinary, "b")}, code: protocol},
		{name: "new message after a ping inside one", in: []fspec{first(OpBinary, "a"), msg(OpPing, "p"), msg(OpBinary, "b")},
			before: frames(fr(OpPing, "p")), code: protocol},
		// Section 5.5.1 and 7.4: the close payload.
		{name: "close of 1 byte", in: []fspec{msg(OpClose, "\x03")}, code: protocol},
		{name: "close with 1005", in: []fspec{msg(OpClose, "\x03\xed")}, code: protocol},
		{name: "close with 1006", in: []fspec{msg(OpClose, "\x03\xee")}, code: protocol},
		{name: "close with 999", in: []fspec{msg(OpClose, "\x03\xe7")}, code: protocol},
		{name: "close with 2999", in: []fspec{msg(OpClose, "\x0b\xb7")}, code: protocol},
		{name: "close with 5000", in: []fspec{msg(OpClose, "\x13\x88")}, code: protocol},
		{name: "close reason not UTF-8", in: []fspec{msg(OpClose, "\x03\xe8\xFF")}, code: CloseInvalidPayload},
		{name: "close reason cut inside a character", in: []fspec{msg(OpClose, "\x03\xe8\xE2\x82")}, code: CloseInvalidPayload},
		// Section 5.2: the reserved opcodes.
		{name: "non-minimal 16-bit length", in: []fspec{{raw: []byte{0x82, 0x7E, 0x00, 0x05}}}, code: protocol},
		{name: "non-minimal 64-bit length", in: []fspec{{raw: []byte{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}}}, code: protocol},
		{name: "64-bit length with the MSB set", in: []fspec{{raw: []byte{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}}}, code: protocol},
		// Section 8.1: text is UTF-8, checked as it comes.
		{name: "invalid text", in: []fspec{msg(OpText, "\xFF")}, code: payload},
		{name: "surrogate in text", in: []fspec{msg(OpText, "ok\xED\xA0\x80")}, code: payload},
		{name: "text ending inside a character", in: []fspec{msg(OpText, "\xE2\x82")}, code: payload},
		{name: "invalid sequence across fragments", in: []fspec{first(OpText, "\xED"), last("\xA0\x80")}, code: payload},
		{name: "above U+10FFFF across three fragments", in: []fspec{first(OpText, "a\xF4"), more(""), last("\x90\x80\x80")}, code: payload},
		{name: "fragmented text ending inside a character", in: []fspec{first(OpText, "\xE2"), last("\x82")}, code: payload},
		{name: "fragmented text ending inside a character after an empty fragment", in: []fspec{first(OpText, "\xF0\x9F\x98"), last("")}, code: payload},
		// Fail fast: the message has not ended, yet the Reader knows.
		{name: "invalid first fragment, message unfinished", in: []fspec{first(OpText, "abc\xFF")}, code: payload},
		{name: "invalid fragment after a ping", in: []fspec{first(OpText, "a"), msg(OpPing, "p"), more("\xC0\x80")},
			before: frames(fr(OpPing, "p")), code: payload},
		{name: "invalid byte in a frame whose rest never comes", in: []fspec{{fin: true, op: OpText, payload: "ab\xC0", length: 100}},
			code: payload},
		// Limits, judged from the header before any payload byte comes.
		{name: "frame over MaxFrame", maxFrame: 100, in: []fspec{header(true, OpBinary, 101)}, code: tooBig, limit: 100, size: 101},
		{name: "text frame over MaxFrame", maxFrame: 100, in: []fspec{header(true, OpText, 1<<40)}, code: tooBig, limit: 100, size: 1 << 40},
		{name: "fragment over MaxFrame", maxFrame: 100, in: []fspec{first(OpBinary, "a"), header(false, OpContinuation, 101)},
			code: tooBig, limit: 100, size: 101},
		{name: "frame over MaxMessage", maxMessage: 100, in: []fspec{header(true, OpBinary, 101)}, code: tooBig, limit: 100, size: 101},
		{name: "fragments summed over MaxMessage", maxFrame: 100, maxMessage: 100,
			in:   []fspec{first(OpBinary, strings.Repeat("a", 40)), more(strings.Repeat("b", 40)), header(true, OpContinuation, 21)},
			code: tooBig, limit: 100, size: 101},
		{name: "fragments summed over MaxMessage with pings between", maxMessage: 10,
			in:     []fspec{first(OpText, "01234"), msg(OpPing, "0123456789"), header(false, OpContinuation, 6)},
			before: frames(fr(OpPing, "0123456789")), code: tooBig, limit: 10, size: 11},
		{name: "largest length over MaxMessage", maxMessage: 100, in: []fspec{header(true, OpBinary, 1<<63-1)}, code: tooBig, limit: 100, size: 1<<63 - 1},
		// The sum of the message so far and the next fragment's length
		// must not overflow past the limit.
		{name: "fragment length that overflows the message size", maxMessage: 100,
			in:   []fspec{first(OpBinary, "0123456789"), header(true, OpContinuation, 1<<63-5)},
			code: tooBig, limit: 100, size: 1<<63 - 1},
	}
	for _, op := range []Opcode{3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF} {
		tests = append(tests,
			violationCase{name: fmt.Sprintf("opcode %#x", uint8(op)), in: []fspec{msg(op, "")}, code: protocol},
			violationCase{name: fmt.Sprintf("opcode %#x inside a message", uint8(op)), in: []fspec{first(OpBinary, "a"), msg(op, "x")}, code: protocol})
	}
	for _, tt := range tests {
		for _, rl := range roles {
			t.Run(tt.name+"/"+rl.name, func(t *testing.T) {
				newReader := func() *Reader {
					return &Reader{Server: rl.server, MaxFrame: tt.maxFrame, MaxMessage: tt.maxMessage}
				}
				got := readAll(t, newReader, encode(rl.server, tt.in...))
				if got.err == nil || got.err.Code != tt.code || !sameResult(result{frames: got.frames}, result{frames: tt.before}) {
					t.Fatalf("got %v\nwant %v, then a violation with code %d", got, result{frames: tt.before}, tt.code)
				}
				if tt.code == tooBig && (got.err.Limit != tt.limit || got.err.Size != tt.size) {
					t.Errorf("limit %d, size %d; want %d, %d", got.err.Limit, got.err.Size, tt.limit, tt.size)
				}
				if got.err.Reason == "" {
					t.Error("violation without a reason")
				}
			})
		}
	}
}

// The examples of RFC 6455 section 5.7, byte for byte.
func TestReaderRFCExamples(t *testing.T) {
	tests := []struct {
		name   string
		server bool
		wire   []byte
		want   []Frame
	}{
		{"unmasked text", false, []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, frames(fr(OpText, "Hello"))},
		{"masked text", true, []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, frames(fr(OpText, "Hello"))},
		{"fragmented text", false, []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}, frames(fr(OpText, "Hello"))},
		{"unmasked ping", false, []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, frames(fr(OpPing, "Hello"))},
		{"masked pong", true, []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, frames(fr(OpPong, "Hello"))},
		{"256 bytes binary", false, append([]byte{0x82, 0x7E, 0x01, 0x00}, make([]byte, 256)...), frames(Frame{Op: OpBinary, Payload: make([]byte, 256)})},
		{"64 KiB binary", false, append([]byte{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0}, make([]byte, 65536)...), frames(Frame{Op: OpBinary, Payload: make([]byte, 65536)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, func() *Reader { return &Reader{Server: tt.server} }, tt.wire)
			if !sameResult(got, result{frames: tt.want}) {
				t.Errorf("got %v, want %v", got, result{frames: tt.want})
			}
		})
	}
}

func TestReaderPartialInput(t *testing.T) {
	var r Reader
	if n, _, ok, err := r.Next(nil); n != 0 || ok || err != nil {
		t.Fatalf("Next(nil) = %d, %t, %v", n, ok, err)
	}
	// A header's first byte alone is left for the next call.
	if n, _, ok, err := r.Next([]byte{0x81}); n != 0 || ok || err != nil {
		t.Fatalf("Next(1 byte) = %d, %t, %v", n, ok, err)
	}
	// A whole header and part of the payload are consumed.
	if n, _, ok, err := r.Next([]byte{0x81, 0x05, 'H', 'e'}); n != 4 || ok || err != nil {
		t.Fatalf("Next(header and 2 bytes) = %d, %t, %v; want 4, false, nil", n, ok, err)
	}
	// The rest, with the start of the next frame behind it.
	n, f, ok, err := r.Next([]byte{'l', 'l', 'o', 0x82, 0x00})
	if n != 3 || !ok || err != nil || f.Op != OpText || string(f.Payload) != "Hello" {
		t.Fatalf("Next(rest) = %d, %v %q, %t, %v; want 3, text \"Hello\", true, nil", n, f.Op, f.Payload, ok, err)
	}
}
