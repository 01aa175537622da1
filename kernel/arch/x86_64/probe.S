/*
 * Probes: single memory accesses that are allowed to fault. Each arms the
 * recovery point (probe_recover_rip/rsp) before the access; if the access
 * faults, trap_dispatch() resumes at the recovery label with RSP restored,
 * and the probe returns -ERR_FAULT instead of the kernel panicking.
 *
 * Used by tests (does the kernel's own text really refuse writes?) and by the
 * backtrace walker, which must not fault on a corrupt frame pointer. One
 * recovery point per CPU is enough because probes do not nest; until the
 * per-CPU block exists (SMP issue) it is a single global, used by the boot CPU.
 */
#include <orbital/errors.h>

	.macro arm label
	leaq \label(%rip), %rax
	movq %rax, probe_recover_rip(%rip)
	movq %rsp, probe_recover_rsp(%rip)
	movb $1, probe_active(%rip)
	.endm

	.text
	.globl probe_read8
probe_read8: /* (addr, uint8_t *out) */
	arm 9f
	movb (%rdi), %al
	movb %al, (%rsi)
	jmp 8f

	.globl probe_read64
probe_read64: /* (addr, uint64_t *out) */
	arm 9f
	movq (%rdi), %rax
	movq %rax, (%rsi)
	jmp 8f

	.globl probe_write8
probe_write8: /* (addr, value) */
	arm 9f
	movb %sil, (%rdi)
	jmp 8f

	.globl probe_exec
probe_exec: /* (addr): call it; it must return */
	pushq %rbp
	movq %rsp, %rbp
	arm 7f
	call *%rdi
	popq %rbp
	jmp 8f
7:	popq %rbp
	jmp 9f

8:	movb $0, probe_active(%rip)
	xorl %eax, %eax
	ret
9:	movb $0, probe_active(%rip)
	movl $-ERR_FAULT, %eax
	ret

	.bss
	.globl probe_recover_rip, probe_recover_rsp, probe_active
	.balign 8
probe_recover_rip:
	.quad 0
probe_recover_rsp:
	.quad 0
probe_active:
	.byte 0
