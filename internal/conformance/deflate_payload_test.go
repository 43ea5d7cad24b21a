package conformance

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/proto"
)

// probeDistances are the distances at which a stream repeats itself: the
// edges of every window size of RFC 7692 section 7.1.2 (one under, at and
// one over 1<<bits), between them, and short ones. A compressor sees
// matches there; a decompressor with too small a window, or without the
// window of the messages before under context takeover, gets them wrong.
var probeDistances = []int{
	1, 2, 3, 4, 7, 16, 31, 100,
	255, 256, 257, 300, 511, 512, 513, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 3000,
	4095, 4096, 4097, 6000, 8191, 8192, 8193, 10000, 16383, 16384, 16385, 20000, 32767, 32768,
}

// stream makes the messages of a case: one sequence of bytes cut into
// messages, repeating itself at probeDistances, across messages too, so
// that context takeover matters. Text is valid UTF-8 with characters of
// one to four bytes, each message on its own.
type stream struct {
	r    *rand.Rand
	text bool
	hist []byte // every message so far, in order
}

func newStream(op proto.Opcode, seed uint64) *stream {
	return &stream{r: rand.New(rand.NewPCG(seed, uint64(op))), text: op == proto.OpText}
}

// textRunes are what literal text is made of: mostly ASCII.
var textRunes = []rune("abcdefghijklmnopqrstuvwxyz      ,.ABCDEFéüßκόσμε日本語𝄞")

// next returns the stream's next n bytes.
func (s *stream) next(n int) []byte {
	start := len(s.hist)
	for len(s.hist) < start+n {
		if len(s.hist) < 8 || s.r.IntN(3) == 0 {
			for range 1 + s.r.IntN(24) {
				if s.text {
					s.hist = utf8.AppendRune(s.hist, textRunes[s.r.IntN(len(textRunes))])
				} else {
					s.hist = append(s.hist, byte(s.r.Uint32()))
				}
			}
			continue
		}
		d := probeDistances[s.r.IntN(len(probeDistances))]
		if d > len(s.hist) {
			d = 1 + s.r.IntN(len(s.hist))
		}
		from := len(s.hist) - d
		for s.text && !utf8.RuneStart(s.hist[from]) {
			from--
		}
		// Byte by byte, as LZ77 copies: a run longer than the distance
		// repeats it.
		for i := range 3 + s.r.IntN(120) {
			s.hist = append(s.hist, s.hist[from+i])
		}
		if s.text {
			s.hist = trimRune(s.hist)
		}
	}
	s.hist = s.hist[:start+n]
	if s.text {
		// A character cut at the end is replaced with dots.
		for i := len(trimRune(s.hist)); i < len(s.hist); i++ {
			s.hist[i] = '.'
		}
	}
	return s.hist[start:len(s.hist):len(s.hist)]
}

// trimRune drops a character cut at the end of b.
func trimRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// bitWriter packs DEFLATE bits (RFC 1951 section 3.1.1): values from the
// least significant bit, Huffman codes from the most.
type bitWriter struct {
	b     []byte
	nbits uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	for range n {
		if w.nbits%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v&1) << (w.nbits % 8)
		v >>= 1
		w.nbits++
	}
}

func (w *bitWriter) code(c uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(c>>i, 1)
	}
}

// bomb returns the payload of a compressed message that inflates to
// 1+258*k zero bytes: one block of the fixed code (RFC 1951 section
// 3.2.6) holding a literal 0 and k matches of length 258 at distance 1,
// 13 bits each, about the most DEFLATE can inflate from a byte; then the
// empty stored block of a flush, its 00 00 ff ff removed (RFC 7692
// section 7.2.1).
func bomb(k int) []byte {
	var w bitWriter
	w.bits(0, 1)    // BFINAL
	w.bits(1, 2)    // BTYPE 01: the fixed code
	w.code(0x30, 8) // literal 0: codes 0-143 are 00110000 up, 8 bits
	for range k {
		w.code(0xC5, 8) // symbol 285, length 258: codes 280-287 are 11000000 up
		w.code(0, 5)    // distance code 0: distance 1
	}
	w.code(0, 7) // end of block, symbol 256: 0000000
	w.bits(0, 3) // BFINAL 0, BTYPE 00: the empty stored block
	return w.b
}

// stdInflate decompresses a message's payload with the standard library,
// an empty final block appended so that the stream ends.
func stdInflate(z []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(z), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}))))
}

// TestDeflateFixtures holds the hand-made payloads of the cases to what
// they claim, with the standard library's decoder as the judge: a bomb
// inflates to its size, the broken data does not inflate, the RFC's
// examples are "Hello"; and the streams are as long as asked, text valid
// UTF-8, the same for the same seed.
func TestDeflateFixtures(t *testing.T) {
	for _, k := range []int{0, 1, 254, 4065} {
		p, err := stdInflate(bomb(k))
		if err != nil || len(p) != 1+258*k || bytes.Count(p, []byte{0}) != len(p) {
			t.Errorf("bomb(%d): %d bytes, %v; want %d zeros", k, len(p), err, 1+258*k)
		}
	}
	for _, b := range brokenData {
		if _, err := stdInflate(b.z); b.stdlibJudges && err == nil {
			t.Errorf("%s: %x inflates", b.name, b.z)
		}
	}
	for _, z := range [][]byte{helloBlock, helloStored, helloFinal[:7], helloTwo, append(bytes.Clone(helloFlushed), emptyDeflated...)} {
		if p, err := stdInflate(z); err != nil || string(p) != "Hello" {
			t.Errorf("%x: %q, %v", z, p, err)
		}
	}
	if p, err := stdInflate(huffmanThenStored); err != nil || string(p) != "HWWWWWW!" {
		t.Errorf("%x: %q, %v", huffmanThenStored, p, err)
	}
	for _, op := range []proto.Opcode{proto.OpText, proto.OpBinary} {
		a, b := newStream(op, 7), newStream(op, 7)
		for _, n := range []int{0, 1, 2, 3, 5, 16, 1000, 34 << 10, 1 << 20} {
			m := a.next(n)
			if len(m) != n || !bytes.Equal(m, b.next(n)) || op == proto.OpText && !utf8.Valid(m) {
				t.Fatalf("%v stream: message of %d bytes (want %d), valid UTF-8: %t", op, len(m), n, utf8.Valid(m))
			}
		}
		// It compresses well: it repeats itself.
		z := stdDeflate(a.next(64 << 10))[0]
		if len(z) > 48<<10 {
			t.Errorf("%v stream: 64 KiB compress to %d bytes", op, len(z))
		}
	}
}
