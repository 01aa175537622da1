/*
 * The library's part of the address space (see uvm.h).
 */
#include "uvm.h"
#include "ulib.h"
#include "vaspace.h"

#include <orb/spawn.h>

static struct ulib_lock uvm_lock;
static struct vaspace uvm_space = {
    .base = UVM_BASE, .top = UVM_TOP, .next = UVM_BASE}; /* uvm_lock */

/* A reservation of size bytes spans its pages and a guard page; 0 if too big. */
static uint64_t uvm_span(size_t size)
{
	size_t span = uvm_round(size) + UVM_PAGE;
	if (size == 0 || span < size || span > UVM_TOP - UVM_BASE)
		return 0;
	return span;
}

uintptr_t uvm_reserve(size_t size)
{
	uint64_t span = uvm_span(size);
	if (!span)
		return 0;
	ulib_lock(&uvm_lock);
	uint64_t at = vaspace_take(&uvm_space, span);
	ulib_unlock(&uvm_lock);
	return (uintptr_t)at;
}

void uvm_release(uintptr_t va, size_t size)
{
	uint64_t span = uvm_span(size);
	if (!span || !va)
		return;
	ulib_lock(&uvm_lock);
	vaspace_give(&uvm_space, va, span);
	ulib_unlock(&uvm_lock);
}

long uvm_unmap(void *addr, size_t size)
{
	long rc = orb_mem_unmap(orb_self(), (uintptr_t)addr, uvm_round(size));
	if (rc == 0)
		uvm_release((uintptr_t)addr, size); /* nothing mapped there any more */
	return rc;
}

long uvm_map_new(size_t size, unsigned prot, void **addr, cap_handle_t *mem)
{
	size = uvm_round(size);
	uintptr_t va = uvm_reserve(size);
	if (!va)
		return -ERR_NOSPACE;
	long h = orb_mem_create(size);
	if (h < 0) {
		uvm_release(va, size);
		return h;
	}
	long rc = orb_mem_map(orb_self(), (cap_handle_t)h, va, 0, size, prot);
	if (rc < 0) {
		orb_cap_delete((cap_handle_t)h);
		uvm_release(va, size);
		return rc;
	}
	*addr = (void *)va;
	*mem = (cap_handle_t)h;
	return 0;
}

void uvm_unmap_delete(void *addr, size_t size, cap_handle_t mem)
{
	uvm_unmap(addr, size);
	orb_cap_delete(mem);
}
