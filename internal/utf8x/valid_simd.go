//go:build !purego && (amd64 || arm64)

package utf8x

import "unicode/utf8"

// valid reports whether p is valid UTF-8, in vector registers where the
// CPU has them. Under a block, utf8.Valid is as fast: setting the
// registers up and padding the tail cost what it takes for about 20
// bytes (BenchmarkValid/mixed-16B, AVX2).
func valid(p []byte) bool {
	if !haveSIMD || len(p) < blockSize {
		return utf8.Valid(p)
	}
	return validSIMD(p)
}

// validSIMD hands the whole blocks of p to the assembly, and the rest in
// a block of its own padded with zeros: the assembly never reads past p,
// and a character cut by the end of p is cut by the padding (ASCII) too.
func validSIMD(p []byte) bool {
	n := len(p) &^ (blockSize - 1)
	var tail [blockSize]byte
	copy(tail[:], p[n:])
	return validBlocks(p[:n], &tail)
}

// validBlocks reports whether blocks, whose length is a multiple of
// blockSize, followed by tail is valid UTF-8 (valid_amd64.s,
// valid_arm64.s).
//
//go:noescape
func validBlocks(blocks []byte, tail *[blockSize]byte) bool
