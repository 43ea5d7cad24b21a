//go:build !purego

package utf8x

// haveSIMD is true: Advanced SIMD (NEON) is part of every ARMv8-A CPU,
// and Go's own arm64 code (internal/bytealg) uses it without a check.
const haveSIMD = true

// blockSize is the width of a NEON register.
const blockSize = 16
