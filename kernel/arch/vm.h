/*
 * Address spaces: mapping virtual pages to physical frames. Every
 * architecture implements this interface with its own page tables (x86-64:
 * 4-level tables in kernel/arch/x86_64/paging.c, user spaces in uspace.c);
 * portable code (mm/, obj/memory.c, processes) maps and unmaps through it and
 * never touches a page table.
 *
 * A mapping is 4 KiB, or 2 MiB with VM_LARGE. Rights are
 * VM_READ/VM_WRITE/VM_EXEC (+VM_USER for user pages); a mapping that is both
 * writable and executable is refused (W^X). Page-table pages come from
 * kernel_pmm and are reached through the direct map. The *_local variants
 * update only this CPU's TLB and leave the others to vm_flush_tlb(). The lock
 * of the vm_space guards its tables.
 */
#ifndef ORB_ARCH_VM_H
#define ORB_ARCH_VM_H

#include "lib/types.h"
#include "base/spinlock.h"

#define VM_READ	   0x01
#define VM_WRITE   0x02
#define VM_EXEC	   0x04
#define VM_USER	   0x08
#define VM_GLOBAL  0x10
#define VM_NOCACHE 0x20 /* device memory: caching off */
#define VM_LARGE   0x40 /* a 2 MiB page */

struct vm_space {
	struct spinlock lock;
	paddr_t root;	/* top-level table; guarded by lock */
	size_t ntables; /* lock: tables allocated below the root (quotas pay for them) */
};

extern struct vm_space kernel_space;

/* Creates an empty space (root table allocated and zeroed). */
int vm_space_init(struct vm_space *s);

/* Maps one page (4 KiB, or 2 MiB with VM_LARGE) at va to pa. Errors:
 * -ERR_INVAL (misaligned, W+X, non-canonical), -ERR_EXIST (already mapped,
 * or a 2 MiB page covers it), -ERR_NOMEM. */
int vm_map(struct vm_space *s, vaddr_t va, paddr_t pa, unsigned flags);

/* Maps [va, va+len) to [pa, pa+len), with 2 MiB pages where both are aligned. */
int vm_map_range(struct vm_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned flags);

/* Removes the page containing va; returns its size through *size if non-NULL.
 * -ERR_NOENT if nothing is mapped. */
int vm_unmap(struct vm_space *s, vaddr_t va, size_t *size);

/* Like vm_unmap, but only this CPU's TLB is updated: unmapping many pages, call
 * vm_flush_tlb() once for the whole range before reusing the frames. */
int vm_unmap_local(struct vm_space *s, vaddr_t va, size_t *size);

/* Drops [va, va+len) from every other CPU's TLB and waits for them. */
void vm_flush_tlb(vaddr_t va, size_t len);

/* Changes the rights of the page containing va (same W^X rule). */
int vm_protect(struct vm_space *s, vaddr_t va, unsigned flags);

/* Like vm_protect, but only this CPU's TLB is updated (as vm_unmap_local):
 * call vm_flush_tlb() for the range afterwards, with no spinlock held. */
int vm_protect_local(struct vm_space *s, vaddr_t va, unsigned flags, size_t *size);

/* Looks up the page containing va: physical address of va, flags, page size. */
int vm_query(struct vm_space *s, vaddr_t va, paddr_t *pa, unsigned *flags, size_t *size);

/* --- User address spaces --- */

/* Gives the kernel half its permanent top-level entries; once, before any
 * user space exists. */
void vm_kernel_half_prepare(void);

/* Creates an address space whose kernel half is the kernel's (shared). */
int vm_space_create_user(struct vm_space *s);

/* Frees the user half's page tables and the root (not the mapped frames).
 * No CPU may be running s. Returns the number of frames freed. */
size_t vm_space_destroy_user(struct vm_space *s);

/* Makes s the running address space. */
void vm_activate(struct vm_space *s);

#endif
