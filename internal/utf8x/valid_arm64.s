//go:build !purego

#include "textflag.h"

// The lookup method of Keiser and Lemire in NEON registers, 16 bytes at a
// time: valid_amd64.s explains it and what each bit of the tables means;
// the tables are the same. Two things differ from AVX2: TBL and EXT work
// on the whole register, so neither the tables nor the shifted bytes need
// a second lane; and Go's assembler has no UQSUB (saturating subtract),
// so x-k saturated is UMAX then SUB: max(x, k) - k.

// byte1High is indexed by the high nibble of the first byte of a pair.
DATA byte1High<>+0(SB)/8, $0x0202020202020202
DATA byte1High<>+8(SB)/8, $0x4915012180808080
GLOBL byte1High<>(SB), RODATA|NOPTR, $16

// byte1Low is indexed by its low nibble.
DATA byte1Low<>+0(SB)/8, $0xCBCBCB8B8383A3E7
DATA byte1Low<>+8(SB)/8, $0xCBCBDBCBCBCBCBCB
GLOBL byte1Low<>(SB), RODATA|NOPTR, $16

// byte2High is indexed by the high nibble of the second byte.
DATA byte2High<>+0(SB)/8, $0x0101010101010101
DATA byte2High<>+8(SB)/8, $0x01010101BABAAEE6
GLOBL byte2High<>(SB), RODATA|NOPTR, $16

// incomplete holds, for the last three bytes of a block, the largest byte
// that does not start a character needing more bytes than the block has
// left: what exceeds it is a character the next block must finish.
DATA incomplete<>+0(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incomplete<>+8(SB)/8, $0xBFDFEFFFFFFFFFFF
GLOBL incomplete<>(SB), RODATA|NOPTR, $16

// CHECK ORs into V0 the errors of the block in, whose previous block is
// prev. V20-V22 are scratch: V20 holds first the byte before each of in
// (prev1), then the byte two before (prev2), V22 the byte three before
// (prev3); saturated, prev2-0x60 has bit 7 set after E0-FF and prev3-0x70
// after F0-FF, where a byte must be a continuation. EXT $15, in, prev
// takes prev's last byte, then in's first 15.
#define CHECK(in, prev) \
	VEXT  $15, in, prev, V20.B16 \
	VUSHR $4, V20.B16, V21.B16 \
	VTBL  V21.B16, [V3.B16], V21.B16 \
	VAND  V6.B16, V20.B16, V22.B16 \
	VTBL  V22.B16, [V4.B16], V22.B16 \
	VAND  V22.B16, V21.B16, V21.B16 \
	VUSHR $4, in, V22.B16 \
	VTBL  V22.B16, [V5.B16], V22.B16 \
	VAND  V22.B16, V21.B16, V21.B16 \
	VEXT  $14, in, prev, V20.B16 \
	VEXT  $13, in, prev, V22.B16 \
	VUMAX V7.B16, V20.B16, V20.B16 \
	VSUB  V7.B16, V20.B16, V20.B16 \
	VUMAX V8.B16, V22.B16, V22.B16 \
	VSUB  V8.B16, V22.B16, V22.B16 \
	VORR  V22.B16, V20.B16, V20.B16 \
	VAND  V9.B16, V20.B16, V20.B16 \
	VEOR  V20.B16, V21.B16, V21.B16 \
	VORR  V21.B16, V0.B16, V0.B16

// LAST makes in the previous block, and leaves in V2 its unfinished
// character at the end, if any: in-incomplete, saturated.
#define LAST(in) \
	VUMAX V10.B16, in, V2.B16 \
	VSUB  V10.B16, V2.B16, V2.B16 \
	VMOV  in, V1.B16

// ASCII ends a block made of ASCII only, as in takes no lookup: all it
// can prove wrong is a character the previous block left unfinished.
#define ASCII \
	VORR V2.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16

// ANYHIGH sets the flags to NE if a byte of v has its high bit set: NEON
// has no mask of high bits (PMOVMSKB), so the two halves go to R4, R5.
#define ANYHIGH(v) \
	VMOV v.D[0], R4 \
	VMOV v.D[1], R5 \
	ORR  R4, R5, R5 \
	TST  $0x8080808080808080, R5

// func validBlocks(blocks []byte, tail *[16]byte) bool
TEXT ·validBlocks(SB), NOSPLIT, $0-33
	MOVD blocks_base+0(FP), R0
	MOVD blocks_len+8(FP), R1
	MOVD tail+24(FP), R2

	VEOR  V0.B16, V0.B16, V0.B16 // the errors found
	VEOR  V1.B16, V1.B16, V1.B16 // the previous block: none, as if ASCII
	VEOR  V2.B16, V2.B16, V2.B16 // what it left unfinished
	MOVD  $byte1High<>(SB), R3
	VLD1  (R3), [V3.B16]
	MOVD  $byte1Low<>(SB), R3
	VLD1  (R3), [V4.B16]
	MOVD  $byte2High<>(SB), R3
	VLD1  (R3), [V5.B16]
	VMOVI $0x0F, V6.B16
	VMOVI $0x60, V7.B16          // 0xE0 - 0x80
	VMOVI $0x70, V8.B16          // 0xF0 - 0x80
	VMOVI $0x80, V9.B16
	MOVD  $incomplete<>(SB), R3
	VLD1  (R3), [V10.B16]

	// Four blocks at a time while there are, skipping the lookups when
	// all four are ASCII.
loop64:
	CMP    $64, R1
	BLO    loop16
	VLD1.P 64(R0), [V16.B16, V17.B16, V18.B16, V19.B16]
	SUB    $64, R1
	VORR   V16.B16, V17.B16, V20.B16
	VORR   V18.B16, V19.B16, V21.B16
	VORR   V20.B16, V21.B16, V20.B16
	ANYHIGH(V20)
	BNE    lookup64
	ASCII
	B      loop64

lookup64:
	CHECK(V16.B16, V1.B16)
	CHECK(V17.B16, V16.B16)
	CHECK(V18.B16, V17.B16)
	CHECK(V19.B16, V18.B16)
	LAST(V19.B16)
	B loop64

loop16:
	CBZ    R1, tail
	VLD1.P 16(R0), [V16.B16]
	SUB    $16, R1
	ANYHIGH(V16)
	BNE    lookup16
	ASCII
	B      loop16

lookup16:
	CHECK(V16.B16, V1.B16)
	LAST(V16.B16)
	B loop16

	// The tail block ends in at least one byte of padding, ASCII: the
	// lookups find there any character cut by the end.
tail:
	VLD1 (R2), [V16.B16]
	CHECK(V16.B16, V1.B16)
	VMOV V0.D[0], R4
	VMOV V0.D[1], R5
	ORR  R4, R5, R5
	CMP  $0, R5
	CSET EQ, R4
	MOVB R4, ret+32(FP)
	RET
