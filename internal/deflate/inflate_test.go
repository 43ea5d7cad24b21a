package deflate

import (
	"bytes"
	stdflate "compress/flate"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
	"github.com/klauspost/compress/flate"
)

// dynamicBlock writes a dynamic block header (RFC 1951 section 3.2.7)
// whose literal/length code gives 'a' one bit, end-of-block and length 3
// (257) two bits each, and whose distance code has the given lengths. The
// code lengths are sent with a code length code of 18 (a run of zeros) in
// one bit, 1 and 2 in two bits.
func dynamicBlock(w *bitWriter, dist ...uint8) *bitWriter {
	w.bits(4, 3)                   // BFINAL 0, BTYPE 10
	w.bits(1, 5)                   // HLIT: 258 codes, up to symbol 257
	w.bits(uint32(len(dist)-1), 5) // HDIST
	w.bits(14, 4)                  // HCLEN: 18 code length code lengths
	// In codeLenOrder: 18 gets 1 bit, 2 and 1 get 2 bits, the rest none.
	for _, sym := range codeLenOrder[:18] {
		switch sym {
		case 18:
			w.bits(1, 3)
		case 1, 2:
			w.bits(2, 3)
		default:
			w.bits(0, 3)
		}
	}
	// Canonical codes: 18 is 0, 1 is 10, 2 is 11.
	zeros := func(n uint32) { w.code(0, 1).bits(n-11, 7) }
	length := func(l uint8) { w.code(uint32(l)+1, 2) } // 1 or 2
	zeros(97)                                          // 0 to 96
	length(1)                                          // 'a'
	zeros(138)                                         // 98 to 235
	zeros(20)                                          // 236 to 255
	length(2)                                          // 256
	length(2)                                          // 257
	for _, l := range dist {
		length(l)
	}
	return w
}

// Literal/length codes of the block above: 'a' 0, end-of-block 10,
// length 3 is 11.
func (w *bitWriter) a() *bitWriter    { return w.code(0, 1) }
func (w *bitWriter) eob() *bitWriter  { return w.code(2, 2) }
func (w *bitWriter) len3() *bitWriter { return w.code(3, 2) }

// syncFlush ends the data as section 7.2.1 leaves it: the header bits of
// an empty stored block, padded to the byte.
func (w *bitWriter) syncFlush() []byte { return w.bits(0, 3).b }

// A distance code of a single one-bit code is incomplete but allowed
// (RFC 1951 section 3.2.7: "If only one distance code is used, it is
// encoded using one bit, not zero bits"); the bit pattern it leaves
// unused is an error.
func TestDecompressSingleDistanceCode(t *testing.T) {
	w := dynamicBlock(new(bitWriter), 1)
	payload := w.a().a().len3().code(0, 1).eob().syncFlush()
	got, err := decompress(NewDecompressor(takeover, 0), payload)
	if err != nil || string(got) != "aaaaa" {
		t.Fatalf("got %q, %v; want aaaaa", got, err)
	}

	w = dynamicBlock(new(bitWriter), 1)
	payload = w.a().len3().code(1, 1).eob().syncFlush()
	_, err = decompress(NewDecompressor(takeover, 0), payload)
	wantViolation(t, err, proto.CloseProtocolError, "invalid distance code")
}

// Codes that are incomplete (other than a single one-bit code) or
// over-subscribed are refused.
func TestDecompressBadCodes(t *testing.T) {
	for name, dist := range map[string][]uint8{
		"incomplete":      {2},
		"over-subscribed": {1, 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			w := dynamicBlock(new(bitWriter), dist...)
			_, err := decompress(NewDecompressor(takeover, 0), w.a().eob().syncFlush())
			wantViolation(t, err, proto.CloseProtocolError, "invalid literal/length or distance code")
		})
	}
}

// samples are messages of the kinds compression meets: text, JSON,
// random bytes, long runs, and mixtures, of sizes up to 200 KiB.
func samples(r *rand.Rand, n int) [][]byte {
	var out [][]byte
	for i := range n {
		size := r.IntN(1 << (4 + i%14))
		var m []byte
		switch i % 5 {
		case 0:
			m = randomText(r, size)
		case 1:
			m = jsonDoc(r, size)
		case 2:
			m = make([]byte, size)
			for j := range m {
				m[j] = byte(r.Uint32())
			}
		case 3:
			m = bytes.Repeat([]byte{byte(r.Uint32())}, size)
		default:
			m = append(randomText(r, size/2), jsonDoc(r, size/2)...)
			for j := 0; j < len(m); j += 1 + r.IntN(64) {
				m[j] = byte(r.Uint32())
			}
		}
		out = append(out, m)
	}
	return out
}

func randomText(r *rand.Rand, n int) []byte {
	words := []string{"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "and ", "a ", "websocket ", "message\n"}
	var b []byte
	for len(b) < n {
		b = append(b, words[r.IntN(len(words))]...)
	}
	return b[:n]
}

// Every block type and code the encoders in use produce decompresses to
// the original, whether the data comes whole or in pieces: the standard
// library at every level (stored, Huffman only, fixed and dynamic blocks)
// and klauspost/compress.
func TestDecompressEncoders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type encoder struct {
		name string
		new  func(io.Writer) interface {
			io.Writer
			Flush() error
		}
	}
	var encoders []encoder
	for _, level := range []int{stdflate.HuffmanOnly, stdflate.NoCompression, stdflate.BestSpeed, 5, stdflate.BestCompression} {
		encoders = append(encoders, encoder{"std", func(w io.Writer) interface {
			io.Writer
			Flush() error
		} {
			fw, _ := stdflate.NewWriter(w, level)
			return fw
		}})
	}
	for _, level := range []int{flate.HuffmanOnly, 1, 4, 9} {
		encoders = append(encoders, encoder{"klauspost", func(w io.Writer) interface {
			io.Writer
			Flush() error
		} {
			fw, _ := flate.NewWriter(w, level)
			return fw
		}})
	}
	msgs := samples(r, 24)
	for i, enc := range encoders {
		var stream bytes.Buffer
		fw := enc.new(&stream)
		d := NewDecompressor(takeover, 0)
		for j, m := range msgs {
			start := stream.Len()
			fw.Write(m)
			fw.Flush()
			payload := stream.Bytes()[start : stream.Len()-4]
			got, err := decompress(d, pieces(r, payload)...)
			if err != nil || !bytes.Equal(got, m) {
				t.Fatalf("encoder %d (%s), message %d of %d bytes: got %d bytes, %v", i, enc.name, j, len(m), len(got), err)
			}
		}
	}
}

// pieces cuts p at random points, sometimes into single bytes.
func pieces(r *rand.Rand, p []byte) [][]byte {
	var out [][]byte
	for len(p) > 0 {
		n := 1 + r.IntN(len(p))
		if r.IntN(4) == 0 {
			n = min(len(p), 1+r.IntN(9))
		}
		out = append(out, p[:n])
		p = p[n:]
	}
	return out
}

// TestStoredBlockAfterHuffmanBlock: a stored block right after a
// Huffman-coded block, in one Write, so that the decoder's 8-byte load
// has read into the stored bytes (found by the conformance suite).
func TestStoredBlockAfterHuffmanBlock(t *testing.T) {
	payload, _ := hex.DecodeString("f200000600f9ff575757575757520400")
	d := NewDecompressor(Settings{WindowBits: 15}, 0)
	defer d.Release()
	if err := d.Write(payload); err != nil {
		t.Fatal(err)
	}
	got, err := d.Finish(nil)
	if err != nil || string(got) != "HWWWWWW!" {
		t.Fatalf("got %q, %v; want \"HWWWWWW!\"", got, err)
	}
}
