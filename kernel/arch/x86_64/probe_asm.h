/*
 * The recovery point of a probe, for assembly that may fault on purpose
 * (probe.S, usercopy.S): where struct cpu keeps it (through GS; offsets
 * checked in trap.c) and the macro that arms it. trap_dispatch() resumes a
 * faulting armed access at the recovery label with RSP restored.
 */
#ifndef ORB_X86_64_PROBE_ASM_H
#define ORB_X86_64_PROBE_ASM_H

#define PROBE_RIP    %gs:8
#define PROBE_RSP    %gs:16
#define PROBE_ACTIVE %gs:24

	/* Saves RFLAGS and disables interrupts; the recovery RSP points at the
	 * saved flags, which the code at `label` pops. Clobbers rax. */
	.macro arm label
	pushfq
	cli
	leaq \label(%rip), %rax
	movq %rax, PROBE_RIP
	movq %rsp, PROBE_RSP
	movq $1, PROBE_ACTIVE
	.endm

#endif
