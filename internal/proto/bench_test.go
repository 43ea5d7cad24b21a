package proto

import (
	"fmt"
	"strings"
	"testing"
)

var maskSizes = []int{7, 15, 16, 128, 1 << 10, 16 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func benchMask(b *testing.B, mask func([4]byte, int, []byte) int) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for _, n := range maskSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			buf := randomBytes(1, n)
			b.SetBytes(int64(n))
			// Starting at position 1 makes the key rotation part of the work.
			for b.Loop() {
				mask(key, 1, buf)
			}
		})
	}
}

func BenchmarkMask(b *testing.B) { benchMask(b, Mask) }

// BenchmarkMaskBytewise is the byte-at-a-time baseline for BenchmarkMask.
func BenchmarkMaskBytewise(b *testing.B) { benchMask(b, maskBytewise) }

func BenchmarkReader(b *testing.B) {
	repeat := func(n int, f fspec) []fspec {
		fs := make([]fspec, n)
		for i := range fs {
			fs[i] = f
		}
		return fs
	}
	small, large := strings.Repeat("x", 16), utf8Text(256<<10)
	streams := []struct {
		name   string
		server bool
		in     []fspec
	}{
		{"small-binary", false, repeat(1024, msg(OpBinary, small))},
		{"small-text", false, repeat(1024, msg(OpText, small))},
		{"small-text-masked", true, repeat(1024, msg(OpText, small))},
		{"large-binary", false, repeat(4, msg(OpBinary, large))},
		{"large-text", false, repeat(4, msg(OpText, large))},
		{"large-text-masked", true, repeat(4, msg(OpText, large))},
	}
	for _, s := range streams {
		b.Run(s.name, func(b *testing.B) {
			wire := encode(s.server, s.in...)
			// The limits a Conn runs with by default (32 MiB), under which
			// a message in one frame gets its buffer in one allocation.
			r := Reader{Server: s.server, MaxFrame: 32 << 20, MaxMessage: 32 << 20}
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				count := 0
				for in := wire; len(in) > 0; {
					n, _, ok, err := r.Next(in)
					if err != nil {
						b.Fatal(err)
					}
					if ok {
						count++
					}
					in = in[n:]
				}
				if count != len(s.in) {
					b.Fatalf("%d messages, want %d", count, len(s.in))
				}
			}
		})
	}
}

func BenchmarkAppendHeader(b *testing.B) {
	headers := []struct {
		name string
		h    Header
	}{
		{"7-bit", Header{Fin: true, Op: OpText, Length: 100}},
		{"16-bit-masked", Header{Fin: true, Op: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 1000}},
		{"64-bit-masked", Header{Fin: true, Op: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 1 << 20}},
	}
	for _, hh := range headers {
		b.Run(hh.name, func(b *testing.B) {
			buf := make([]byte, 0, MaxHeaderSize)
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendHeader(buf[:0], hh.h)
			}
		})
	}
}

func BenchmarkParseHeader(b *testing.B) {
	for _, h := range []Header{
		{Fin: true, Op: OpText, Length: 16},
		{Fin: true, Op: OpBinary, Length: 60000, Masked: true, Key: [4]byte{1, 2, 3, 4}},
		{Fin: true, Op: OpBinary, Length: 1 << 20},
	} {
		wire := AppendHeader(nil, h)
		b.Run(fmt.Sprint(h.Length), func(b *testing.B) {
			for b.Loop() {
				if _, n, err := ParseHeader(wire); n != len(wire) || err != nil {
					b.Fatal(n, err)
				}
			}
		})
	}
}
