/*
 * Kernel stacks: KSTACK_PAGES pages each, in their own slot of the kernel-stack
 * region, with the page below every stack left unmapped (a guard page), so an
 * overflow faults at once instead of overwriting a neighbour.
 */
#ifndef ORB_MM_KSTACK_H
#define ORB_MM_KSTACK_H

#include "lib/types.h"

/* Allocates a stack; returns its top (initial stack pointer) or 0 if out of memory. */
vaddr_t kstack_alloc(void);

/* Frees a stack by its top, unmapping it and returning its frames. */
void kstack_free(vaddr_t top);

/* Stacks now allocated (for leak checks). */
size_t kstack_count(void);

#endif
