//go:build !purego

#include "textflag.h"

// func maskBlocksSSE2(b []byte, key uint32)
//
// XORs b, whose length is a multiple of 16, with key repeated: the key in
// all four lanes of an SSE2 register (every amd64 has SSE2), 64 bytes per
// loop turn, then 16 at a time.
TEXT ·maskBlocksSSE2(SB), NOSPLIT, $0-28
	MOVQ   b_base+0(FP), SI
	MOVQ   b_len+8(FP), CX
	MOVL   key+24(FP), AX
	MOVQ   AX, X0
	PSHUFD $0, X0, X0
	CMPQ   CX, $64
	JB     tail

loop:
	MOVOU 0(SI), X1
	MOVOU 16(SI), X2
	MOVOU 32(SI), X3
	MOVOU 48(SI), X4
	PXOR  X0, X1
	PXOR  X0, X2
	PXOR  X0, X3
	PXOR  X0, X4
	MOVOU X1, 0(SI)
	MOVOU X2, 16(SI)
	MOVOU X3, 32(SI)
	MOVOU X4, 48(SI)
	ADDQ  $64, SI
	SUBQ  $64, CX
	CMPQ  CX, $64
	JAE   loop

tail:
	CMPQ  CX, $16
	JB    done
	MOVOU 0(SI), X1
	PXOR  X0, X1
	MOVOU X1, 0(SI)
	ADDQ  $16, SI
	SUBQ  $16, CX
	JMP   tail

done:
	RET

// func maskBlocksAVX2(b []byte, key uint32)
//
// The same with the key in all eight lanes of an AVX2 register, 128 bytes
// per loop turn, then 32, then a last 16. VZEROUPPER at the end spares
// the SSE code that runs next the penalty of dirty upper halves.
TEXT ·maskBlocksAVX2(SB), NOSPLIT, $0-28
	MOVQ         b_base+0(FP), SI
	MOVQ         b_len+8(FP), CX
	MOVL         key+24(FP), AX
	MOVQ         AX, X0
	VPBROADCASTD X0, Y0
	CMPQ         CX, $128
	JB           by32

by128:
	VMOVDQU 0(SI), Y1
	VMOVDQU 32(SI), Y2
	VMOVDQU 64(SI), Y3
	VMOVDQU 96(SI), Y4
	VPXOR   Y0, Y1, Y1
	VPXOR   Y0, Y2, Y2
	VPXOR   Y0, Y3, Y3
	VPXOR   Y0, Y4, Y4
	VMOVDQU Y1, 0(SI)
	VMOVDQU Y2, 32(SI)
	VMOVDQU Y3, 64(SI)
	VMOVDQU Y4, 96(SI)
	ADDQ    $128, SI
	SUBQ    $128, CX
	CMPQ    CX, $128
	JAE     by128

by32:
	CMPQ    CX, $32
	JB      by16
	VMOVDQU 0(SI), Y1
	VPXOR   Y0, Y1, Y1
	VMOVDQU Y1, 0(SI)
	ADDQ    $32, SI
	SUBQ    $32, CX
	JMP     by32

by16:
	CMPQ    CX, $16
	JB      avxdone
	VMOVDQU 0(SI), X1
	VPXOR   X0, X1, X1
	VMOVDQU X1, 0(SI)

avxdone:
	VZEROUPPER
	RET
