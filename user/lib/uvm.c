/*
 * The library's part of the address space (see uvm.h).
 */
#include "uvm.h"

#include <orb/spawn.h>

static uint64_t uvm_next = UVM_BASE; /* next free address; only ever grows */

uintptr_t uvm_reserve(size_t size)
{
	size_t span = uvm_round(size) + UVM_PAGE;
	if (size == 0 || span < size || span > UVM_TOP - UVM_BASE)
		return 0;
	uint64_t at = __atomic_fetch_add(&uvm_next, span, __ATOMIC_RELAXED);
	if (at > UVM_TOP - span)
		return 0; /* exhausted; uvm_next stays past the end */
	return (uintptr_t)at;
}

long uvm_map_new(size_t size, unsigned prot, void **addr, cap_handle_t *mem)
{
	size = uvm_round(size);
	uintptr_t va = uvm_reserve(size);
	if (!va)
		return -ERR_NOSPACE;
	long h = orb_mem_create(size);
	if (h < 0)
		return h;
	long rc = orb_mem_map(orb_self(), (cap_handle_t)h, va, 0, size, prot);
	if (rc < 0) {
		orb_cap_delete((cap_handle_t)h);
		return rc;
	}
	*addr = (void *)va;
	*mem = (cap_handle_t)h;
	return 0;
}

void uvm_unmap_delete(void *addr, size_t size, cap_handle_t mem)
{
	orb_mem_unmap(orb_self(), (uintptr_t)addr, uvm_round(size));
	orb_cap_delete(mem);
}
