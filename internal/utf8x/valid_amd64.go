//go:build !purego

package utf8x

import "golang.org/x/sys/cpu"

// haveSIMD reports whether the CPU and the OS allow the AVX2 registers.
var haveSIMD = cpu.X86.HasAVX2

// blockSize is the width of an AVX2 register.
const blockSize = 32
