//go:build !purego

package proto

import "golang.org/x/sys/cpu"

// maskBlocks XORs b, whose length is a multiple of 16, with key repeated,
// in AVX2 registers where the CPU and the OS allow them, else in SSE2
// ones (mask_amd64.s).
func maskBlocks(b []byte, key uint32) {
	if useAVX2 {
		maskBlocksAVX2(b, key)
	} else {
		maskBlocksSSE2(b, key)
	}
}

var useAVX2 = cpu.X86.HasAVX2

//go:noescape
func maskBlocksSSE2(b []byte, key uint32)

//go:noescape
func maskBlocksAVX2(b []byte, key uint32)
