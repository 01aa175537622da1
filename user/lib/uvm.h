/*
 * The process's own address space as the library manages it: where its
 * mappings go (malloc's regions, thread stacks, the spawner's temporary
 * windows onto a child's memory).
 *
 * Layout of every process (user/README.md): the program at ORB_USER_LINK;
 * in init the info page at ORB_INIT_INFO and the boot archive at
 * ORB_BOOTFS_BASE; the library's mappings in [UVM_BASE, UVM_TOP), each
 * followed by an unmapped guard page, handed out by a vaspace (vaspace.h)
 * under a lock: ranges unmapped are reused, so a long-lived spawner (init
 * restarting services, the shell) keeps using the same addresses and the
 * page tables the kernel made for them;
 * the main thread's stack below ORB_STACK_TOP and, in spawned processes, the
 * start area at ORB_START_AREA.
 */
#ifndef ORB_ULIB_UVM_H
#define ORB_ULIB_UVM_H

#include <stddef.h>
#include <stdint.h>
#include <orb/sys.h>

#define UVM_BASE 0x0000200000000000ull
#define UVM_TOP	 0x0000400000000000ull
#define UVM_PAGE 4096ull

static inline size_t uvm_round(size_t n)
{
	return (n + UVM_PAGE - 1) & ~(size_t)(UVM_PAGE - 1);
}

/* Reserves size bytes (rounded up to pages) plus a guard page; 0 when exhausted. */
uintptr_t uvm_reserve(size_t size);

/* Gives back a reservation of size bytes at va; nothing may be mapped there. */
void uvm_release(uintptr_t va, size_t size);

/* Unmaps [addr, addr + size) from this process and gives the range back. */
long uvm_unmap(void *addr, size_t size);

/*
 * Creates a Memory object of size bytes (rounded up to pages; zeroed) and maps
 * it into this process with prot at a fresh address. Returns 0, the address
 * and the Memory handle, or -ERR_* with nothing left behind.
 */
long uvm_map_new(size_t size, unsigned prot, void **addr, cap_handle_t *mem);

/* Unmaps [addr, addr + size) from this process and deletes the handle mem. */
void uvm_unmap_delete(void *addr, size_t size, cap_handle_t mem);

#endif
