/*
 * Entry stubs for all 256 vectors. The CPU pushes an error code for some
 * exceptions only; the stubs push a zero for the others so every trap frame has
 * the same layout (struct trap_frame in trap.h), then the vector number, then
 * jump to trap_common, which saves the general registers, switches GS when the
 * trap came from user mode, and calls trap_dispatch(frame).
 *
 * trap_vectors is a table of the 256 stub addresses for idt.c.
 */
#include "trap_asm.h"

	.text

	.altmacro
/* Vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30. */
	.macro stub v
	.balign 16
trap_stub_\v:
	.if !((\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endm

	.set i, 0
	.rept 256
	stub %i
	.set i, i + 1
	.endr

trap_common:
	SAVE_GPRS
	cld
	testb $3, 18*8(%rsp) /* frame->cs: from user mode? */
	jz 1f
	swapgs
1:	movq %rsp, %rdi
	/* Make the trapped code's frame the caller of trap_dispatch, so the
	 * backtrace goes on into the interrupted function. */
	pushq 17*8(%rsp) /* rip */
	pushq 8*8+8(%rsp) /* rbp */
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
	testb $3, 18*8(%rsp)
	jz 2f
	swapgs
2:	RESTORE_GPRS
	addq $16, %rsp /* vector, error */
	iretq

	.section .rodata
	.balign 8
	.globl trap_vectors
trap_vectors:
	.set i, 0
	.macro vecaddr v
	.quad trap_stub_\v
	.endm
	.rept 256
	vecaddr %i
	.set i, i + 1
	.endr
