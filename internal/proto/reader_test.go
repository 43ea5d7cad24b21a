package proto

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
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
	// headerOnly frames declare length but carry no payload: whatever the
	// Reader decides about them, it decides from the header alone.
	headerOnly bool
	length     int64
	// raw bytes go on the wire as they are.
	raw []byte
}

func msg(op Opcode, p string) fspec   { return fspec{fin: true, op: op, payload: p} }
func first(op Opcode, p string) fspec { return fspec{op: op, payload: p} }
func more(p string) fspec             { return fspec{op: OpContinuation, payload: p} }
func last(p string) fspec             { return fspec{fin: true, op: OpContinuation, payload: p} }
func header(fin bool, op Opcode, length int64) fspec {
	return fspec{fin: fin, op: op, headerOnly: true, length: length}
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
		if f.headerOnly {
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
	left   int // bytes left unconsumed at the end: a partial header
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
				res.err = v
				res.left = len(buf)
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
	out := [][][]byte{{in}, {}}
	for i := range in {
		out[1] = append(out[1], in[i:i+1])
	}
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
	for !utf8ValidString(s[:n]) {
		n--
	}
	return s[:n]
}

func utf8ValidString(s string) bool { return ValidUTF8([]byte(s)) }

func TestReaderValidStreams(t *testing.T) {
	binary := func(n int) string { return string(randomBytes(uint64(n), n)) }
	text70k := utf8Text(70000)
	tests := []struct {
		name       string
		maxFrame   int64
		maxMessage int64
		in         []fspec
		want       []Frame
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
		{name: "close with the longest reason", in: []fspec{msg(OpClose, "\x0f\xa0" + strings.Repeat("€", 41))},
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
				if !sameResult(got, result{frames: tt.want}) {
					t.Errorf("got  %v\nwant %v", got, result{frames: tt.want})
				}
			})
		}
	}
}
