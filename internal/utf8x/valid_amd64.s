//go:build !purego

#include "textflag.h"

// The lookup method of Keiser and Lemire ("Validating UTF-8 In Less Than
// One Instruction Per Byte", Software: Practice and Experience, 2021).
// Every error of UTF-8 (RFC 3629 section 4) shows in a pair of adjacent
// bytes, but for a third or fourth byte that should be a continuation
// and is not. For each pair, three table lookups on the high nibble of
// the first byte, its low nibble, and the high nibble of the second byte
// give each a set of the errors it could take part in, one bit per kind;
// their intersection is the errors the pair makes:
//
//	bit 0  too short: a lead byte followed by ASCII or another lead
//	bit 1  too long: ASCII followed by a continuation byte
//	bit 2  overlong 3-byte form: E0 followed by 80-9F
//	bit 3  above U+10FFFF: F4 followed by 90-BF, or F5-FF
//	bit 4  surrogate: ED followed by A0-BF
//	bit 5  overlong 2-byte form: C0 or C1
//	bit 6  overlong 4-byte form (F0 followed by 80-8F), or F5-FF followed by 80-8F
//	bit 7  two continuation bytes in a row
//
// Bit 7 is also what a byte two or three places after a 3- or 4-byte
// lead must make: XORing in "must be a continuation" there clears it
// where it is one and sets it where it is not. Any bit left is an error.

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
DATA incomplete<>+8(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incomplete<>+16(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incomplete<>+24(SB)/8, $0xBFDFEFFFFFFFFFFF
GLOBL incomplete<>(SB), RODATA|NOPTR, $32

// CHECK ORs into Y0 the errors of the block in, whose previous block is
// in Y1, then makes in the previous block and leaves in Y2 its
// unfinished character at the end, if any. Y12-Y15 are scratch: Y13
// holds first the byte before each of in (prev1), then the byte two
// before (prev2), Y15 the byte three before (prev3); VPSUBUSB sets bit 7
// after E0-FF in prev2 and after F0-FF in prev3, where a byte must be a
// continuation.
//
// VPSHUFB looks up in each 128-bit lane apart, so the tables are in both
// lanes; VPALIGNR shifts each lane apart, so the bytes shifted in come
// from VPERM2I128: the previous block's high lane, then in's low lane.
#define CHECK(in) \
	VPERM2I128 $0x21, in, Y1, Y12 \
	VPALIGNR   $15, Y12, in, Y13 \
	VPSRLW     $4, Y13, Y14 \
	VPAND      Y6, Y14, Y14 \
	VPSHUFB    Y14, Y3, Y14 \
	VPAND      Y6, Y13, Y15 \
	VPSHUFB    Y15, Y4, Y15 \
	VPAND      Y15, Y14, Y14 \
	VPSRLW     $4, in, Y15 \
	VPAND      Y6, Y15, Y15 \
	VPSHUFB    Y15, Y5, Y15 \
	VPAND      Y15, Y14, Y14 \
	VPALIGNR   $14, Y12, in, Y13 \
	VPALIGNR   $13, Y12, in, Y15 \
	VPSUBUSB   Y7, Y13, Y13 \
	VPSUBUSB   Y8, Y15, Y15 \
	VPOR       Y15, Y13, Y13 \
	VPAND      Y9, Y13, Y13 \
	VPXOR      Y13, Y14, Y14 \
	VPOR       Y14, Y0, Y0 \
	VPSUBUSB   Y10, in, Y2 \
	VMOVDQU    in, Y1

// ASCII ends a block made of ASCII only, as in takes no lookup: all it
// can prove wrong is a character the previous block left unfinished.
#define ASCII \
	VPOR  Y2, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2

// func validBlocks(blocks []byte, tail *[32]byte) bool
TEXT ·validBlocks(SB), NOSPLIT, $0-33
	MOVQ blocks_base+0(FP), SI
	MOVQ blocks_len+8(FP), CX
	MOVQ tail+24(FP), DX

	VPXOR          Y0, Y0, Y0 // the errors found
	VPXOR          Y1, Y1, Y1 // the previous block: none, as if ASCII
	VPXOR          Y2, Y2, Y2 // what it left unfinished
	VBROADCASTI128 byte1High<>(SB), Y3
	VBROADCASTI128 byte1Low<>(SB), Y4
	VBROADCASTI128 byte2High<>(SB), Y5
	MOVL           $0x0F, AX
	VMOVD          AX, X6
	VPBROADCASTB   X6, Y6
	MOVL           $0x60, AX // 0xE0 - 0x80
	VMOVD          AX, X7
	VPBROADCASTB   X7, Y7
	MOVL           $0x70, AX // 0xF0 - 0x80
	VMOVD          AX, X8
	VPBROADCASTB   X8, Y8
	MOVL           $0x80, AX
	VMOVD          AX, X9
	VPBROADCASTB   X9, Y9
	VMOVDQU        incomplete<>(SB), Y10

	// Four blocks at a time while there are, skipping the lookups when
	// all four are ASCII.
loop128:
	CMPQ      CX, $128
	JB        loop32
	VMOVDQU   0(SI), Y11
	VPOR      32(SI), Y11, Y12
	VPOR      64(SI), Y12, Y12
	VPOR      96(SI), Y12, Y12
	VPMOVMSKB Y12, AX
	TESTL     AX, AX
	JNZ       lookup128
	ASCII
	ADDQ      $128, SI
	SUBQ      $128, CX
	JMP       loop128

lookup128:
	CHECK(Y11)
	VMOVDQU 32(SI), Y11
	CHECK(Y11)
	VMOVDQU 64(SI), Y11
	CHECK(Y11)
	VMOVDQU 96(SI), Y11
	CHECK(Y11)
	ADDQ    $128, SI
	SUBQ    $128, CX
	JMP     loop128

loop32:
	CMPQ      CX, $32
	JB        tail
	VMOVDQU   0(SI), Y11
	VPMOVMSKB Y11, AX
	TESTL     AX, AX
	JNZ       lookup32
	ASCII
	ADDQ      $32, SI
	SUBQ      $32, CX
	JMP       loop32

lookup32:
	CHECK(Y11)
	ADDQ $32, SI
	SUBQ $32, CX
	JMP  loop32

	// The tail block ends in at least one byte of padding, ASCII: the
	// lookups find there any character cut by the end.
tail:
	VMOVDQU 0(DX), Y11
	CHECK(Y11)
	VPTEST  Y0, Y0
	SETEQ   ret+32(FP)
	VZEROUPPER
	RET
