package deflate

import (
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/flate"
)

// benchModes are the settings the benchmarks compare: the default (full
// window, context takeover), no takeover, and a small window.
var benchModes = []Settings{
	{WindowBits: 15},
	{WindowBits: 15, NoContextTakeover: true},
	{WindowBits: 10},
	{WindowBits: 10, NoContextTakeover: true},
}

func modeName(s Settings) string {
	if s.NoContextTakeover {
		return fmt.Sprintf("bits=%d/no_takeover", s.WindowBits)
	}
	return fmt.Sprintf("bits=%d/takeover", s.WindowBits)
}

// benchMessages returns different JSON messages of the size, enough of
// them to fill twice the largest window, so that context takeover finds
// what it would in a stream of similar messages, never the same message
// again.
func benchMessages(size int) [][]byte {
	r := rand.New(rand.NewPCG(8, 9))
	msgs := make([][]byte, max(16, 2<<MaxWindowBits/size))
	for i := range msgs {
		msgs[i] = jsonDoc(r, size)
	}
	return msgs
}

var benchSizes = []int{1 << 10, 64 << 10}

func BenchmarkCompress(b *testing.B) {
	for _, size := range benchSizes {
		msgs := benchMessages(size)
		for _, s := range benchModes {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, modeName(s)), func(b *testing.B) {
				c := NewCompressor(s)
				defer c.Release()
				buf := make([]byte, 0, 2*size)
				var out int
				b.SetBytes(int64(size))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					out += len(c.Append(buf[:0], msgs[i%len(msgs)], true))
					i++
				}
				b.ReportMetric(float64(out)/float64(i)/float64(size), "ratio")
			})
		}
	}
}

// compressedStream compresses the messages in order with s, for a
// Decompressor to read in the same order from a fresh start.
func compressedStream(s Settings, msgs [][]byte) [][]byte {
	c := NewCompressor(s)
	defer c.Release()
	payloads := make([][]byte, len(msgs))
	for i, m := range msgs {
		payloads[i] = c.Append(nil, m, true)
	}
	return payloads
}

func BenchmarkDecompress(b *testing.B) {
	for _, size := range benchSizes {
		msgs := benchMessages(size)
		for _, s := range benchModes {
			payloads := compressedStream(s, msgs)
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, modeName(s)), func(b *testing.B) {
				d := NewDecompressor(s, 0)
				defer d.Release()
				b.SetBytes(int64(size))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i%len(payloads) == 0 && d.hist != nil {
						// Back to the first message: back to the window it
						// was compressed with, an empty one.
						d.hist.n, d.hist.end = 0, 0
					}
					d.Write(payloads[i%len(payloads)])
					if _, err := d.Finish(nil); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkDecompressReference decodes the same payloads, without context
// takeover, with the decoders of klauspost/compress and of the standard
// library, each reading a whole message into a reused buffer: what this
// package's decoder gives up for reading input in pieces and bounding its
// output as it goes. (It also allocates each message anew, for the
// caller to keep.)
func BenchmarkDecompressReference(b *testing.B) {
	for _, size := range benchSizes {
		msgs := benchMessages(size)
		payloads := compressedStream(Settings{WindowBits: 15, NoContextTakeover: true}, msgs)
		for i := range payloads {
			payloads[i] = append(payloads[i], tail...)
		}
		for _, dec := range []struct {
			name string
			r    io.ReadCloser
		}{
			{"klauspost", flate.NewReader(nil)},
			{"stdlib", stdflate.NewReader(nil)},
		} {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, dec.name), func(b *testing.B) {
				var in bytes.Reader
				out := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					in.Reset(payloads[i%len(payloads)])
					dec.r.(flate.Resetter).Reset(&in, nil)
					if _, err := io.ReadFull(dec.r, out); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}
