/*
 * Thread contexts on x86-64: preparing a new thread's stack and FPU area, and
 * the switch itself (FPU state out, address space, TSS stack for ring 3,
 * stacks, FPU state in).
 *
 * What a switch skips when it has not changed: CR3 when both threads share
 * an address space; the ring-3 entry stacks (TSS rsp0 and the syscall entry's
 * stack) when the next thread never enters the kernel from user mode (a
 * kernel thread, space NULL: interrupts in ring 0 stay on the current stack);
 * the I/O permission bitmap unless the next thread's process differs and its
 * bitmap is not the one loaded (ioperm.h). FPU state is saved with XSAVEOPT
 * where the CPU has it (only what changed is written) and is always restored,
 * a new thread's included (thread_entry_trampoline), so no thread ever runs
 * with registers another left.
 */
#include "sched/sched.h"
#include "fpu.h"
#include "gdt.h"
#include "x86/lapic.h"
#include "mm/heap.h"
#include "arch/vm.h"
#include "x86/trap.h"
#include "ioperm.h"
#include "x86/x86.h"
#include "ipc/ipc.h"
#include "api/syscall.h"
#include "arch/context.h"
#include "arch/smp.h"

void switch_stacks(uint64_t *save_rsp, uint64_t new_rsp);
extern char thread_entry_trampoline[], user_resume_trampoline[];

void arch_thread_setup(struct thread *t, bool fresh_stack)
{
	t->fpu_alloc = kmalloc(fpu_area_size() + 64);
	if (!t->fpu_alloc)
		return;
	t->fpu = (void *)ALIGN_UP((uintptr_t)t->fpu_alloc, 64);
	fpu_init_area(t->fpu);
	if (!fresh_stack)
		return; /* a CPU is already running on this stack */

	/* The stack switch_stacks() pops: r15 r14 r13 r12 rbx rbp, then returns to the trampoline.
	 * The top of every stack stays reserved for the user trap frame (machine/context.h). */
	uint64_t *top = (uint64_t *)uctx_entry_rsp(t); /* the resume frame (machine/context.h) */
	top[0] = (uint64_t)uctx_frame(t);	       /* r15 */
	for (int i = 1; i < 6; i++)
		top[i] = 0; /* r14 r13 r12 rbx rbp */
	top[6] = (uint64_t)user_resume_trampoline;
	top[7] = 0;
	uint64_t *sp = (uint64_t *)uctx_frame(t);
	*--sp = 0;				   /* alignment / end of frames */
	*--sp = (uint64_t)thread_entry_trampoline; /* return address */
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	sp[4] = (uint64_t)t->fpu; /* rbx: the trampoline restores it before anything runs */
	t->saved_sp = (uint64_t)sp;
}

void arch_thread_switch(struct thread *prev, struct thread *next)
{
	fpu_save_inline(prev->fpu);
	if (next->space != prev->space)
		vm_activate(next->space ? next->space : &kernel_space);
	if (next->space) { /* it may enter the kernel from user mode */
		struct cpu *c = this_cpu();
		uint64_t top = uctx_entry_rsp(next);
		c->arch.tables.tss.rsp[0] = top;
		c->arch_fixed.syscall_rsp = top;
		if (next->proc != prev->proc)
			ioperm_switch(c, next->proc);
	}
	switch_stacks(&prev->saved_sp, next->saved_sp);
	/* Back on prev: restore its FPU state. */
	fpu_restore_inline(prev->fpu);
}

void arch_resched_cpu(struct cpu *c)
{
	lapic_send_ipi(c->hw_id, VEC_IPI_RESCHED);
}

noreturn void fastpath_leave(uint32_t *prev_on_cpu, struct trap_frame *next);

/* fastpath=c: the fast path's switch in C (syscall_entry.S has the assembly
 * one, fastpath_switch_asm, which does the same). */
bool arch_fastpath_c;

noreturn void arch_fastpath_switch_c(struct thread *prev, struct thread *next)
{
	if (next->space != prev->space)
		write_cr3(next->space->root); /* both are user threads */
	struct cpu *c = this_cpu();
	uint64_t top = uctx_entry_rsp(next); /* next is a user thread: it needs them */
	c->arch.tables.tss.rsp[0] = top;
	c->arch_fixed.syscall_rsp = top;
	ioperm_switch(c, next->proc); /* nothing when its bitmap (or none) is loaded */
	fpu_switch(prev->fpu, next->fpu);
	fastpath_leave(&prev->on_cpu, uctx_frame(next));
}

/* fastpath_switch_asm, switching to a thread of process p: its I/O bitmap. */
void fastpath_ioperm_switch(struct process *p);
void fastpath_ioperm_switch(struct process *p)
{
	ioperm_switch(this_cpu(), p);
}

/* What fastpath_switch_asm reads (syscall_entry.S has the same numbers). */
_Static_assert(offsetof(struct thread, on_cpu) == 0x70, "syscall_entry.S T_ON_CPU");
_Static_assert(offsetof(struct thread, kstack_top) == 0x78, "syscall_entry.S T_KSTACK_TOP");
_Static_assert(offsetof(struct thread, space) == 0x80, "syscall_entry.S T_SPACE");
_Static_assert(offsetof(struct thread, fpu) == 0x88, "syscall_entry.S T_FPU");
_Static_assert(offsetof(struct thread, proc) == 0xb8, "syscall_entry.S T_PROC");
_Static_assert(offsetof(struct vm_space, root) == 0x10, "syscall_entry.S VM_ROOT");
_Static_assert(offsetof(struct process, io_bitmap) == 0xf0, "syscall_entry.S P_IO_BITMAP");
_Static_assert(UCTX_RESUME_BYTES == 64 && FPU_XSAVEOPT == 2, "syscall_entry.S constants");

/* Where a thread set up by arch_thread_resume_user() starts running again. */
void user_resumed(void)
{
	struct thread *t = thread_current();
	sched_finish_switch();
	fpu_restore(t->fpu); /* first: it may block again below, saving its state */
	ipc_resume_blocked();
	syscall_exit_checks();
}
