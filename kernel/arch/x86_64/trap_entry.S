/*
 * Entry stubs for all 256 vectors. The CPU pushes an error code for some
 * exceptions only; the stubs push a zero for the others so every trap frame has
 * the same layout (struct trap_frame in x86/trap.h), then the vector number, then
 * jump to trap_common, which saves the general registers, switches GS when the
 * trap came from user mode, and calls trap_dispatch(frame).
 *
 * Which GS base is loaded is not always what the trapped CS says: at the first
 * instruction of syscall_entry, and from the swapgs to the sysretq/iretq of a
 * return to user mode, the kernel runs with the user's. A trap there (an NMI,
 * or the #GP of a return instruction refusing its frame) must swap too, or the
 * kernel would use the user's GS base and fault until the machine resets. So a
 * trap from kernel mode reads the GS base MSR: the kernel's is its per-CPU
 * block (a kernel-half address, sign bit set); user space cannot set one
 * there (no WRGSBASE, no system call for it). Whatever the entry swapped, the
 * exit swaps back (rbx: callee-saved across trap_dispatch, restored from the
 * frame at the end).
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
	xorl %ebx, %ebx		/* 1: GS swapped at entry */
	testb $3, 18*8(%rsp)	/* frame->cs: from user mode? */
	jnz 3f
	movl $0xc0000101, %ecx	/* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx
	js 1f			/* the kernel's GS base already */
3:	swapgs
	movl $1, %ebx
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
	cli
	jmp user_return_iret	/* checks the frame's RIP, swaps GS back, iretq */
2:	testl %ebx, %ebx
	jz 4f
	swapgs			/* back to the user's: the trap came from a return path */
4:	RESTORE_GPRS
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
