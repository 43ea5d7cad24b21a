package proto

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// maskBytewise is RFC 6455 section 5.3 taken literally: octet i of the
// payload is XORed with octet i MOD 4 of the key. It is also the baseline
// of BenchmarkMaskBytewise, hence &3 (the same for a position >= 0).
func maskBytewise(key [4]byte, pos int, b []byte) int {
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
	return (pos + len(b)) & 3
}

var maskKeys = [][4]byte{
	{0, 0, 0, 0},
	{0x37, 0xfa, 0x21, 0x3d}, // RFC 6455 section 5.7
	{1, 2, 3, 4},
	{0xFF, 0xFF, 0xFF, 0xFF},
	{0x80, 0x00, 0x7F, 0x01},
}

// randomBytes returns n bytes from a fixed seed: deterministic, but no
// pattern that a key could cancel out.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestMaskMatchesBytewise(t *testing.T) {
	lengths := make([]int, 0, 110)
	for n := 0; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 127, 128, 129, 255, 256, 1000, 4099)
	for _, key := range maskKeys {
		for _, n := range lengths {
			for pos := range 8 {
				// Offsets move b's start off any word boundary.
				for _, off := range []int{0, 1, 3} {
					src := randomBytes(uint64(n), n+off)[off:]
					got, want := bytes.Clone(src), bytes.Clone(src)
					gotPos := Mask(key, pos, got)
					wantPos := maskBytewise(key, pos, want)
					if !bytes.Equal(got, want) || gotPos != wantPos {
						t.Fatalf("key % x, len %d, pos %d, offset %d: Mask = % x, %d; want % x, %d", key, n, pos, off, got, gotPos, want, wantPos)
					}
					if Mask(key, pos, got); !bytes.Equal(got, src) {
						t.Fatalf("key % x, len %d, pos %d: masking twice does not restore the input", key, n, pos)
					}
				}
			}
		}
	}
}

// maskPieces masks b in the pieces that cuts (ascending offsets) mark,
// carrying the position from each call to the next as a frame writer does.
func maskPieces(key [4]byte, b []byte, cuts []int) {
	pos, start := 0, 0
	for _, c := range append(cuts, len(b)) {
		pos = Mask(key, pos, b[start:c])
		start = c
	}
}

func TestMaskInPieces(t *testing.T) {
	for _, key := range maskKeys[1:] {
		for n := 0; n <= 100; n++ {
			src := randomBytes(uint64(n), n)
			whole := bytes.Clone(src)
			Mask(key, 0, whole)
			for i := 0; i <= n; i++ {
				for j := i; j <= n; j++ {
					got := bytes.Clone(src)
					maskPieces(key, got, []int{i, j})
					if !bytes.Equal(got, whole) {
						t.Fatalf("key % x, len %d, split at %d and %d: % x, want % x", key, n, i, j, got, whole)
					}
				}
			}
		}
	}
	// Long payloads in many random pieces, as a writer's chunks and a
	// reader's short reads cut them.
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1000, 4096, 65537} {
		src := randomBytes(uint64(n), n)
		whole := bytes.Clone(src)
		Mask(maskKeys[1], 0, whole)
		for range 50 {
			var cuts []int
			for c := r.IntN(40); c < n; c += 1 + r.IntN(300) {
				cuts = append(cuts, c)
			}
			got := bytes.Clone(src)
			maskPieces(maskKeys[1], got, cuts)
			if !bytes.Equal(got, whole) {
				t.Fatalf("len %d, cuts %v: result differs from masking whole", n, cuts)
			}
		}
	}
}
