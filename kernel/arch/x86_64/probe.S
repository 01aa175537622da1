/*
 * Probes: single memory accesses that are allowed to fault. Each arms the
 * recovery point (probe_recover_rip/rsp) before the access; if the access
 * faults, trap_dispatch() resumes at the recovery label with RSP restored,
 * and the probe returns -ERR_FAULT instead of the kernel panicking.
 *
 * Used by tests (does the kernel's own text really refuse writes?) and by the
 * backtrace walker, which must not fault on a corrupt frame pointer. One
 * recovery point per CPU is enough because probes do not nest; it lives in
 * struct cpu (sched/cpu.h), reached through GS. Interrupts are off from arming
 * to disarming, so the thread cannot be preempted and moved to another CPU in
 * between (which would leave this CPU armed with a stale recovery point).
 */
#include "probe_asm.h"
#include <orbital/errors.h>

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
	movq $0, PROBE_ACTIVE
	popfq
	popq %rbp
	xorl %eax, %eax
	ret
7:	movq $0, PROBE_ACTIVE
	popfq
	popq %rbp
	movl $-ERR_FAULT, %eax
	ret

8:	movq $0, PROBE_ACTIVE
	popfq
	xorl %eax, %eax
	ret
9:	movq $0, PROBE_ACTIVE
	popfq
	movl $-ERR_FAULT, %eax
	ret

