/*
 * Assembly helpers shared by the interrupt and system call entries: saving
 * and restoring the general registers in the order of struct trap_frame
 * (x86/trap.h), and the offsets of the frame's fields.
 */
#ifndef ORB_X86_64_TRAP_ASM_H
#define ORB_X86_64_TRAP_ASM_H

/* Offsets in struct trap_frame. */
#define FRAME_R15    0
#define FRAME_R11    32
#define FRAME_RCX    96
#define FRAME_RAX    112
#define FRAME_VECTOR 120
#define FRAME_RIP    136
#define FRAME_CS     144
#define FRAME_RFLAGS 152
#define FRAME_RSP    160
#define FRAME_SS     168
#define FRAME_SIZE   176

	.macro SAVE_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro RESTORE_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm

	/* As RESTORE_GPRS, but rcx and r11 (which sysret loads) are skipped, and
	 * read in place (rsp stays at the frame): no stack pointer adjustments. */
	.macro LOAD_GPRS_BUT_RCX_R11
	movq 0(%rsp), %r15
	movq 8(%rsp), %r14
	movq 16(%rsp), %r13
	movq 24(%rsp), %r12
	movq 40(%rsp), %r10
	movq 48(%rsp), %r9
	movq 56(%rsp), %r8
	movq 64(%rsp), %rbp
	movq 72(%rsp), %rdi
	movq 80(%rsp), %rsi
	movq 88(%rsp), %rdx
	movq 104(%rsp), %rbx
	movq FRAME_RAX(%rsp), %rax
	.endm

#endif
