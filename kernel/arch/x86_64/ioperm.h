/*
 * Switching the I/O permission bitmap with the running process (ioperm.c).
 */
#ifndef ORB_ARCH_IOPERM_H
#define ORB_ARCH_IOPERM_H

#include "core/cpu.h"
#include "core/process.h"

/* Copies p's bitmap (none: all ports closed) into this CPU's TSS. */
void ioperm_load(struct cpu *c, struct process *p);

/* Interrupts off. p: the process about to run (NULL: a kernel thread). The
 * common case, nothing to change, costs a comparison. */
static inline void ioperm_switch(struct cpu *c, struct process *p)
{
	const uint64_t *b = p ? (const uint64_t *)p->io_bitmap : NULL; /* ->id first */
	uint64_t id = b ? __atomic_load_n(b, __ATOMIC_RELAXED) : 0;
	if (id != c->arch.iobm_loaded)
		ioperm_load(c, p);
}

#endif
