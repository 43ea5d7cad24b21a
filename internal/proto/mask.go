package proto

import (
	"encoding/binary"
	"math/bits"
)

// Mask XORs b in place with the masking key as RFC 6455 section 5.3
// defines it, b's first byte being byte pos of the payload. It returns the
// position after b, modulo 4, so that a payload can be masked in pieces.
//
// The key, rotated to b's position, is applied eight bytes at a time, 64
// bytes per loop turn: the compiler makes each step one XOR to memory, and
// the turn is long enough for the loop's own instructions not to hold back
// the stores (32 bytes per turn was 1.3-2x slower from 128 bytes up).
// That is close to two 8-byte stores per cycle on the machine measured,
// the ceiling for scalar code; beyond it lies SIMD, which Go offers only
// behind GOEXPERIMENT=simd. A last 4-byte step keeps the byte loop to at
// most 3 bytes. BenchmarkMask keeps the figures.
func Mask(key [4]byte, pos int, b []byte) int {
	if len(b) < 8 {
		for i := range b {
			b[i] ^= key[(pos+i)&3]
		}
		return (pos + len(b)) & 3
	}
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	k64 := uint64(k32)<<32 | uint64(k32)
	for len(b) >= 64 {
		v := b[:64]
		binary.LittleEndian.PutUint64(v[0:], binary.LittleEndian.Uint64(v[0:])^k64)
		binary.LittleEndian.PutUint64(v[8:], binary.LittleEndian.Uint64(v[8:])^k64)
		binary.LittleEndian.PutUint64(v[16:], binary.LittleEndian.Uint64(v[16:])^k64)
		binary.LittleEndian.PutUint64(v[24:], binary.LittleEndian.Uint64(v[24:])^k64)
		binary.LittleEndian.PutUint64(v[32:], binary.LittleEndian.Uint64(v[32:])^k64)
		binary.LittleEndian.PutUint64(v[40:], binary.LittleEndian.Uint64(v[40:])^k64)
		binary.LittleEndian.PutUint64(v[48:], binary.LittleEndian.Uint64(v[48:])^k64)
		binary.LittleEndian.PutUint64(v[56:], binary.LittleEndian.Uint64(v[56:])^k64)
		b, pos = b[64:], pos+64
	}
	for len(b) >= 8 {
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
