//go:build !purego

package utf8x

import (
	"unicode/utf8"

	"golang.org/x/sys/cpu"
)

var useAVX2 = cpu.X86.HasAVX2

// valid reports whether p is valid UTF-8, in AVX2 registers where the CPU
// and the OS allow them. Under a block, utf8.Valid is as fast: setting
// the registers up and padding the tail cost what it takes for about 20
// bytes (BenchmarkValid/mixed-16B).
func valid(p []byte) bool {
	if !useAVX2 || len(p) < blockSize {
		return utf8.Valid(p)
	}
	return validAVX2(p)
}

// validAVX2 hands the whole blocks of p to the assembly, and the rest in
// a block of its own padded with zeros: the assembly never reads past p,
// and a character cut by the end of p is cut by the padding (ASCII) too.
func validAVX2(p []byte) bool {
	n := len(p) &^ (blockSize - 1)
	var tail [blockSize]byte
	copy(tail[:], p[n:])
	return validBlocks(p[:n], &tail)
}

const blockSize = 32

// validBlocks reports whether blocks, whose length is a multiple of 32,
// followed by tail is valid UTF-8 (valid_amd64.s).
//
//go:noescape
func validBlocks(blocks []byte, tail *[blockSize]byte) bool
