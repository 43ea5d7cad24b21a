package proto

import (
	"encoding/binary"
	"math/bits"
)

// Mask XORs b in place with the masking key as RFC 6455 section 5.3
// defines it, b's first byte being byte pos of the payload. It returns the
// position after b, so that a payload can be masked in pieces.
//
// The key is applied eight bytes at a time, then 32 at a time in the
// unrolled loop; BenchmarkMask keeps the figures.
func Mask(key [4]byte, pos int, b []byte) int {
	if len(b) < 16 {
		for i := range b {
			b[i] ^= key[(pos+i)&3]
		}
		return (pos + len(b)) & 3
	}
	// Rotate the key so that its first byte lines up with b[0].
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	k64 := uint64(k32)<<32 | uint64(k32)
	for len(b) >= 32 {
		v := b[:32]
		binary.LittleEndian.PutUint64(v[0:], binary.LittleEndian.Uint64(v[0:])^k64)
		binary.LittleEndian.PutUint64(v[8:], binary.LittleEndian.Uint64(v[8:])^k64)
		binary.LittleEndian.PutUint64(v[16:], binary.LittleEndian.Uint64(v[16:])^k64)
		binary.LittleEndian.PutUint64(v[24:], binary.LittleEndian.Uint64(v[24:])^k64)
		b = b[32:]
		pos += 32
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
		pos += 8
	}
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
	return (pos + len(b)) & 3
}
