/*
 * Thread contexts on x86-64: preparing a new thread's stack and FPU area, and
 * the switch itself (FPU state out, address space, TSS stack for ring 3,
 * stacks, FPU state in).
 */
#include "core/sched.h"
#include "fpu.h"
#include "gdt.h"
#include "lapic.h"
#include "mm/heap.h"
#include "mm/vm.h"

void switch_stacks(uint64_t *save_rsp, uint64_t new_rsp);
extern char thread_entry_trampoline[];

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
	 */
	uint64_t *sp = (uint64_t *)t->kstack_top;
	*--sp = 0;				   /* alignment / end of frames */
	*--sp = (uint64_t)thread_entry_trampoline; /* return address */
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->saved_rsp = (uint64_t)sp;
}

void arch_thread_switch(struct thread *prev, struct thread *next)
{
	fpu_save(prev->fpu);
	if (next->space != prev->space)
		vm_activate(next->space ? next->space : &kernel_space);
	this_cpu()->arch.tables.tss.rsp[0] = next->kstack_top;
	switch_stacks(&prev->saved_rsp, next->saved_rsp);
	/* Back on prev: restore its FPU state. */
	fpu_restore(prev->fpu);
}

void arch_resched_cpu(struct cpu *c)
{
	lapic_send_ipi(c->hw_id, VEC_IPI_RESCHED);
}
