package proto

import (
	"encoding/binary"
	"math/bits"
)

// Mask XORs b in place with the masking key as RFC 6455 section 5.3
// defines it, b's first byte being byte pos of the payload. It returns the
// position after b, modulo 4, so that a payload can be masked in pieces.
//
// The key, rotated to b's position, is applied to whole 16-byte blocks by
// maskBlocks (AVX2 or SSE2 on amd64, where it is about twice the best
// scalar loop from 1 KiB up, level with gobwas/ws's; 8-byte words
// elsewhere), then to what is left a word at a time. BenchmarkMask here
// and in bench/ keep the figures.
func Mask(key [4]byte, pos int, b []byte) int {
	if len(b) < 8 {
		for i := range b {
			b[i] ^= key[(pos+i)&3]
		}
		return (pos + len(b)) & 3
	}
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	if len(b) >= 64 { // below, the call costs more than it saves
		n := len(b) &^ 15
		maskBlocks(b[:n], k32)
		b, pos = b[n:], pos+n
	}
	for k64 := uint64(k32)<<32 | uint64(k32); len(b) >= 8; {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b, pos = b[8:], pos+8
	}
	if len(b) >= 4 {
		binary.LittleEndian.PutUint32(b, binary.LittleEndian.Uint32(b)^k32)
		b, pos = b[4:], pos+4
	}
	// Whole words leave the key where it was: byte i takes k32's byte i.
	for i := range b {
		b[i] ^= byte(k32 >> (8 * i))
	}
	return (pos + len(b)) & 3
}
