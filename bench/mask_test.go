package main

import (
	"fmt"
	"testing"

	gobwas "github.com/gobwas/ws"
	"github.com/hackney-go/ws/internal/proto"
)

// BenchmarkMask compares ws's masking with gobwas/ws's Cipher, the only
// peer that exports its masking function (gorilla's, coder's and gws's
// are unexported or internal).
func BenchmarkMask(b *testing.B) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	for _, size := range []int{16, 128, 1 << 10, 16 << 10, 1 << 20} {
		buf := make([]byte, size)
		b.Run(fmt.Sprintf("ws/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				proto.Mask(key, 0, buf)
			}
		})
		b.Run(fmt.Sprintf("gobwas/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				gobwas.Cipher(buf, key, 0)
			}
		})
	}
}
