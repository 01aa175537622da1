/*
 * Memory objects and user mappings.
 *
 * A Memory object (CAP_TYPE_MEMORY) is a fixed set of zeroed frames. It can
 * be mapped, whole or in part, into any address space whose Process the caller
 * may manage, with at most the rights of the capability used (READ, WRITE,
 * EXEC; never WRITE and EXEC at once). Passing a Memory capability is how
 * large data moves between processes without copying.
 *
 * Each process keeps a list of its mappings (struct vm_mapping), each holding
 * a reference to its object, so frames stay allocated while any process maps
 * them even after every capability is gone. Unmapping part of a mapping
 * splits it. The frames are freed when the object's last reference goes.
 *
 * The mapping records and the page tables a mapping adds are charged to the
 * quota of the process mapped into (obj/quota.h), and given back when the
 * record is freed (unmap, tear-down) and when the tables are (tear-down).
 *
 * Memory the kernel hands to user space is bounded: creating objects (and
 * processes and threads, through mem_reserve_ok) fails with -ERR_NOMEM
 * rather than eat into the reserve the kernel keeps for itself.
 *
 * Locking: the process's lock guards its mapping list; the page tables have
 * their own lock (vm_space). An object's frames never change after creation.
 */
#ifndef ORB_OBJ_MEMORY_H
#define ORB_OBJ_MEMORY_H

#include "obj/cspace.h"

#define MEMORY_MAX_PAGES (256u * 1024) /* 1 GiB per object */

struct memory {
	struct kobject obj;
	bool owned;  /* the frames came from the allocator and go back to it */
	bool device; /* device memory (a screen): mapped uncached */
	size_t npages;
	paddr_t frames[]; /* npages entries, fixed at creation */
};

struct vm_mapping {
	vaddr_t va;		 /* page aligned */
	size_t npages;		 /* > 0 */
	struct memory *mo;	 /* holds a reference */
	size_t first;		 /* first page of mo mapped at va */
	unsigned prot;		 /* ORB_PROT_* now */
	unsigned max_prot;	 /* ORB_PROT_* the capability allowed */
	struct vm_mapping *next; /* sorted by va */
};

struct process;

/* True if npages more frames may go to user space and its kernel objects. */
bool mem_reserve_ok(size_t npages);

/* The bytes user space may have now: free memory less the kernel's reserve
 * (the root quota's limit). */
uint64_t mem_user_budget(void);

/* What an object of npages pages costs the quota that creates it: its frames
 * and its record. */
uint64_t memory_bytes(size_t npages);

/* Creates an object of `size` bytes (a page multiple, > 0). */
int memory_create(size_t size, struct memory **out);

/* An object over existing device memory [base, base + size) (a screen) that it
 * does not own: never freed through it, mapped uncached. */
int memory_create_phys(paddr_t base, size_t size, struct memory **out);

/* Maps pages [offset, offset + len) of mo at va in p with prot (ORB_PROT_*),
 * allowed up to max_prot. Errors: -ERR_INVAL (alignment, prot, W+X),
 * -ERR_RANGE (outside the object or user space), -ERR_EXIST (overlaps a
 * mapping), -ERR_NOMEM, -ERR_DEAD (p is not ALIVE: its tables are going or
 * gone; checked under p->lock, which its tear-down takes). Nothing is mapped
 * on error. */
int memory_map(struct process *p, struct memory *mo, vaddr_t va, uint64_t offset, uint64_t len,
	       unsigned prot, unsigned max_prot);

/* Unmaps whatever p maps in [va, va + len). -ERR_INVAL/-ERR_RANGE for bad
 * ranges, -ERR_NOMEM if a split needs memory, -ERR_DEAD if p is not ALIVE
 * (nothing changed then). IPC buffers registered in the range are dropped in
 * the same p->lock critical section that removes the mapping, so no thread
 * keeps a buffer whose frame is about to be freed. */
int memory_unmap(struct process *p, vaddr_t va, uint64_t len);

/* Changes the protection of every mapped page in [va, va + len); -ERR_PERM if
 * some mapping's capability did not allow prot, -ERR_DEAD if p is not ALIVE
 * (nothing changed then). */
int memory_protect(struct process *p, vaddr_t va, uint64_t len, unsigned prot);

/* Removes every mapping of p (process tear-down). */
void memory_unmap_all(struct process *p);

/* The frame mapped at page va with at least `prot`, or 0. The caller holds
 * p->lock and may keep the address only as long as a registration that
 * memory_unmap clears under that lock (the IPC buffer). */
paddr_t memory_lookup_locked(struct process *p, vaddr_t va, unsigned prot);

#endif
