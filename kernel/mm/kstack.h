/*
 * Kernel stacks: KSTACK_PAGES pages each, in their own slot of the kernel-stack
 * region, with the page below every stack left unmapped (a guard page), so an
 * overflow faults at once instead of overwriting a neighbour.
 *
 * Freed stacks are kept mapped in a small cache and handed out again first,
 * so creating and ending threads maps nothing and sends no TLB-shootdown IPIs
 * in the common case (kstack.c). Their frames are in use until kstack_trim().
 */
#ifndef ORB_MM_KSTACK_H
#define ORB_MM_KSTACK_H

#include "lib/types.h"

/* Allocates a stack; returns its top (initial stack pointer) or 0 if out of memory. */
vaddr_t kstack_alloc(void);

/* Frees a stack by its top: into the cache, or unmapped with its frames
 * returned (in batches, one TLB shootdown per batch) when the cache is full. */
void kstack_free(vaddr_t top);

/* Unmaps every cached stack and returns its frames (memory pressure, leak checks). */
void kstack_trim(void);

/* Stacks now allocated (for leak checks). */
size_t kstack_count(void);

/* Freed stacks now cached, still mapped (KSTACK_PAGES frames each). */
size_t kstack_cached(void);

#endif
