/*
 * The context switch: save the callee-saved registers of the running thread
 * on its stack, store its stack pointer, load the next thread's, and pop its
 * registers. The caller-saved registers are already saved by the C compiler
 * around the call; FPU state and CR3 are handled in C (context.c).
 *
 *   void switch_stacks(uint64_t *save_rsp, uint64_t new_rsp);
 *
 * A new thread's stack is prepared (context.c) so that this returns into
 * thread_entry_trampoline, with its FPU area in rbx: the trampoline restores
 * that first (the registers still hold the previous thread's state), then
 * calls thread_start().
 */
	.text
	.globl switch_stacks
switch_stacks:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl thread_entry_trampoline
thread_entry_trampoline:
	xorl %ebp, %ebp /* end of backtraces */
	andq $-16, %rsp
	movq %rbx, %rdi /* the new thread's FPU area (context.c) */
	call fpu_restore
	call thread_start
	ud2
