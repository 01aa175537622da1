/*
 * Reaching physical memory: every byte of RAM is mapped at DIRECT_MAP_BASE +
 * its physical address (kmap.c builds the mapping; boot.S maps the first
 * 4 GiB there before that). The frame allocator used by the whole kernel is
 * kernel_pmm.
 */
#ifndef ORB_MM_PHYS_H
#define ORB_MM_PHYS_H

#include "lib/types.h"
#include "mm/pmm.h"
#include "arch/layout.h"

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

static inline paddr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v >= KERNEL_VIRT)
		return v - KERNEL_VIRT;
	return v - DIRECT_MAP_BASE;
}

extern struct pmm kernel_pmm;

/* Allocates one zeroed frame; returns 0 and sets *out, or -ERR_NOMEM. */
int frame_alloc_zeroed(paddr_t *out);

#endif
