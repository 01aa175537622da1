/*
 * Switching the I/O permission bitmap with the running process (ioperm.c).
 */
#ifndef ORB_X86_64_IOPERM_H
#define ORB_X86_64_IOPERM_H

#include "sched/cpu.h"
#include "obj/process.h"

struct io_bitmap;

/* Copies bitmap b, whose id was read as `id` (NULL: all ports closed), into
 * this CPU's TSS. */
void ioperm_load(struct cpu *c, const struct io_bitmap *b, uint64_t id);

/* Interrupts off. p: the process about to run (NULL: a kernel thread). The
 * common case, nothing to change, costs a comparison. The bitmap pointer
 * and its id are read once, with acquire (ioperm.c says why that is enough). */
static inline void ioperm_switch(struct cpu *c, struct process *p)
{
	struct io_bitmap *b = p ? __atomic_load_n(&p->io_bitmap, __ATOMIC_ACQUIRE) : NULL;
	uint64_t id =
	    b ? __atomic_load_n((const uint64_t *)b, __ATOMIC_ACQUIRE) : 0; /* ->id first */
	if (id != c->arch.iobm_loaded)
		ioperm_load(c, b, id);
}

#endif
