/*
 * Memory objects and each process's mapping list (see memory.h).
 */
#include "obj/memory.h"
#include "obj/process.h"
#include "ipc/ipc.h"
#include "obj/quota.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "lib/string.h"
#include <orbital/errors.h>
#include <orbital/proc.h>
#include <orbital/syscall.h>

#define RESERVE_MIN_PAGES 1024u /* 4 MiB always left to the kernel */

bool mem_reserve_ok(size_t npages)
{
	size_t free = pmm_free_count(&kernel_pmm);
	size_t reserve = pmm_usable_count(&kernel_pmm) / 8;
	if (reserve < RESERVE_MIN_PAGES)
		reserve = RESERVE_MIN_PAGES;
	return free > reserve && free - reserve >= npages;
}

uint64_t memory_bytes(size_t npages)
{
	return quota_heap_bytes(sizeof(struct memory) + npages * sizeof(paddr_t)) +
	       (uint64_t)npages * PAGE_SIZE;
}

/* What one mapping record costs its process's quota. */
static uint64_t map_record_bytes(void)
{
	return quota_heap_bytes(sizeof(struct vm_mapping));
}

/* The most page tables mapping [va, va + len) can add: one per 2 MiB, 1 GiB
 * and 512 GiB region the range touches (the root exists already). */
static uint64_t map_tables_max(vaddr_t va, uint64_t len)
{
	vaddr_t last = va + len - 1;
	uint64_t n = 0;
	for (int shift = 21; shift <= 39; shift += 9)
		n += (last >> shift) - (va >> shift) + 1;
	return n;
}

uint64_t mem_user_budget(void)
{
	size_t free = pmm_free_count(&kernel_pmm);
	size_t reserve = pmm_usable_count(&kernel_pmm) / 8;
	if (reserve < RESERVE_MIN_PAGES)
		reserve = RESERVE_MIN_PAGES;
	return free > reserve ? (uint64_t)(free - reserve) * PAGE_SIZE : 0;
}

static void memory_destroy(struct kobject *obj)
{
	struct memory *mo = container_of(obj, struct memory, obj);
	for (size_t i = 0; mo->owned && i < mo->npages; i++)
		pmm_free(&kernel_pmm, mo->frames[i]);
	kfree(mo);
}

int memory_create(size_t size, struct memory **out)
{
	if (size == 0 || size % PAGE_SIZE)
		return -ERR_INVAL;
	size_t npages = size / PAGE_SIZE;
	if (npages > MEMORY_MAX_PAGES)
		return -ERR_RANGE;
	if (!mem_reserve_ok(npages + npages / 512 + 1))
		return -ERR_NOMEM;
	struct memory *mo = kmalloc(sizeof(*mo) + npages * sizeof(paddr_t));
	if (!mo)
		return -ERR_NOMEM;
	for (size_t i = 0; i < npages; i++) {
		if (frame_alloc_zeroed(&mo->frames[i])) {
			while (i--)
				pmm_free(&kernel_pmm, mo->frames[i]);
			kfree(mo);
			return -ERR_NOMEM;
		}
	}
	mo->npages = npages;
	mo->owned = true;
	mo->device = false;
	kobject_init(&mo->obj, CAP_TYPE_MEMORY, memory_destroy);
	*out = mo;
	return 0;
}

int memory_create_phys(paddr_t base, size_t size, struct memory **out)
{
	if (base % PAGE_SIZE || size == 0 || size % PAGE_SIZE ||
	    size / PAGE_SIZE > MEMORY_MAX_PAGES)
		return -ERR_INVAL;
	size_t npages = size / PAGE_SIZE;
	struct memory *mo = kmalloc(sizeof(*mo) + npages * sizeof(paddr_t));
	if (!mo)
		return -ERR_NOMEM;
	for (size_t i = 0; i < npages; i++)
		mo->frames[i] = base + i * PAGE_SIZE;
	mo->npages = npages;
	mo->owned = false;
	mo->device = true;
	kobject_init(&mo->obj, CAP_TYPE_MEMORY, memory_destroy);
	*out = mo;
	return 0;
}

static unsigned vm_flags(unsigned prot)
{
	unsigned f = VM_USER;
	if (prot & ORB_PROT_READ)
		f |= VM_READ;
	if (prot & ORB_PROT_WRITE)
		f |= VM_READ | VM_WRITE;
	if (prot & ORB_PROT_EXEC)
		f |= VM_READ | VM_EXEC;
	return f;
}

static bool range_ok(vaddr_t va, uint64_t len)
{
	return len && va % PAGE_SIZE == 0 && len % PAGE_SIZE == 0 && va >= ORB_USER_MIN &&
	       va < ORB_USER_TOP && len <= ORB_USER_TOP - va;
}

/* Unmaps pages [va, va + n pages) of p's tables; the caller flushes other TLBs. */
static void unmap_pages(struct process *p, vaddr_t va, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vm_unmap_local(&p->space, va + i * PAGE_SIZE, NULL);
}

/* memory_map's argument checks, in order; no side effect. */
static int map_check(const struct memory *mo, vaddr_t va, uint64_t offset, uint64_t len,
		     unsigned prot, unsigned max_prot)
{
	if (!range_ok(va, len) || offset % PAGE_SIZE)
		return -ERR_INVAL;
	if (prot & ~(ORB_PROT_READ | ORB_PROT_WRITE | ORB_PROT_EXEC) || prot == 0)
		return -ERR_INVAL;
	if ((prot & ORB_PROT_WRITE) && (prot & ORB_PROT_EXEC))
		return -ERR_INVAL;
	if ((prot & max_prot) != prot)
		return -ERR_PERM;
	if (offset / PAGE_SIZE > mo->npages || len / PAGE_SIZE > mo->npages - offset / PAGE_SIZE)
		return -ERR_RANGE;
	return 0;
}

int memory_map(struct process *p, struct memory *mo, vaddr_t va, uint64_t offset, uint64_t len,
	       unsigned prot, unsigned max_prot)
{
	/* Decode. */
	int cerr = map_check(mo, va, offset, len, prot, max_prot);
	if (cerr)
		return cerr;
	/* The record and the most page tables it can need are charged to p's
	 * quota first; what the tables did not take is given back below. */
	uint64_t tables_max = map_tables_max(va, len);
	uint64_t charge = map_record_bytes() + tables_max * PAGE_SIZE;
	int qerr = quota_charge(p->quota, charge);
	if (qerr)
		return qerr;
	struct vm_mapping *m = kmalloc(sizeof(*m));
	if (!m) {
		quota_uncharge(p->quota, charge);
		return -ERR_NOMEM;
	}
	*m = (struct vm_mapping){.va = va,
				 .npages = len / PAGE_SIZE,
				 .mo = mo,
				 .first = offset / PAGE_SIZE,
				 .prot = prot,
				 .max_prot = max_prot};

	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct vm_mapping **pp = &p->maps;
	while (*pp && (*pp)->va + (*pp)->npages * PAGE_SIZE <= va)
		pp = &(*pp)->next;
	if (p->state != PROC_ALIVE || (*pp && (*pp)->va < va + len)) {
		int err = p->state != PROC_ALIVE ? -ERR_DEAD : -ERR_EXIST;
		spin_unlock_irqrestore(&p->lock, f);
		quota_uncharge(p->quota, charge);
		kfree(m);
		return err;
	}
	/* Invoke: the page tables may still run out of memory; undo then. The
	 * tables stay until tear-down (and stay charged): p->lock serializes
	 * every change to p's tables that can add one. */
	size_t tables_before = p->space.ntables;
	unsigned flags = vm_flags(prot) | (mo->device ? VM_NOCACHE : 0);
	for (size_t i = 0; i < m->npages; i++) {
		int err = vm_map(&p->space, va + i * PAGE_SIZE, mo->frames[m->first + i], flags);
		if (err) {
			unmap_pages(p, va, i);
			uint64_t added = p->space.ntables - tables_before;
			spin_unlock_irqrestore(&p->lock, f);
			quota_uncharge(p->quota, charge - added * PAGE_SIZE);
			vm_flush_tlb(va, i * PAGE_SIZE);
			kfree(m);
			return err == -ERR_EXIST ? -ERR_EXIST : -ERR_NOMEM;
		}
	}
	uint64_t added = p->space.ntables - tables_before;
	quota_uncharge(p->quota, (tables_max - added) * PAGE_SIZE);
	kobject_get(&mo->obj);
	m->next = *pp;
	*pp = m;
	spin_unlock_irqrestore(&p->lock, f);
	return 0;
}

/* True if a mapping of p strictly contains [va, end) (p->lock held). */
static bool splits(struct process *p, vaddr_t va, vaddr_t end)
{
	for (struct vm_mapping *m = p->maps; m; m = m->next)
		if (m->va < va && m->va + m->npages * PAGE_SIZE > end)
			return true;
	return false;
}

/*
 * Takes [va, end) out of p's mappings and tables (p->lock held; the caller
 * flushes the TLBs). A mapping strictly containing the range splits in two,
 * its second half in *spare (which must be there then; taken: set to NULL).
 * Returns the records removed whole, for the caller to free after the lock.
 */
static struct vm_mapping *unmap_range_locked(struct process *p, vaddr_t va, vaddr_t end,
					     struct vm_mapping **spare_io)
{
	struct vm_mapping *removed = NULL, *spare = *spare_io;
	for (struct vm_mapping **pp = &p->maps; *pp;) {
		struct vm_mapping *m = *pp;
		vaddr_t ms = m->va, me = m->va + m->npages * PAGE_SIZE;
		if (me <= va || ms >= end) {
			pp = &m->next;
			continue;
		}
		vaddr_t cs = ms > va ? ms : va, ce = me < end ? me : end;
		unmap_pages(p, cs, (ce - cs) / PAGE_SIZE);
		if (cs == ms && ce == me) { /* all of it */
			*pp = m->next;
			m->next = removed;
			removed = m;
		} else if (cs > ms && ce < me) { /* a hole in the middle */
			*spare = *m;
			spare->va = ce;
			spare->first = m->first + (ce - ms) / PAGE_SIZE;
			spare->npages = (me - ce) / PAGE_SIZE;
			m->npages = (cs - ms) / PAGE_SIZE;
			m->next = spare;
			kobject_get(&m->mo->obj);
			spare = NULL;
			*spare_io = NULL;
			pp = &m->next->next;
		} else if (cs == ms) { /* the front */
			m->first += (ce - ms) / PAGE_SIZE;
			m->npages -= (ce - ms) / PAGE_SIZE;
			m->va = ce;
			pp = &m->next;
		} else { /* the back */
			m->npages = (cs - ms) / PAGE_SIZE;
			pp = &m->next;
		}
	}
	return removed;
}

int memory_unmap(struct process *p, vaddr_t va, uint64_t len)
{
	if (!range_ok(va, len))
		return -ERR_INVAL;
	vaddr_t end = va + len;
	/* A mapping strictly containing the range splits in two (only one can):
	 * have the second half ready (and charged) before changing anything. A
	 * process out of quota or memory can still unmap whatever needs no split. */
	int spare_err = quota_charge(p->quota, map_record_bytes());
	struct vm_mapping *spare = spare_err ? NULL : kmalloc(sizeof(*spare));
	if (!spare_err && !spare) {
		quota_uncharge(p->quota, map_record_bytes());
		spare_err = -ERR_NOMEM;
	}
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (p->state != PROC_ALIVE || (!spare && splits(p, va, end))) {
		/* (dead: its mappings are going or gone with it) */
		int err = p->state != PROC_ALIVE ? -ERR_DEAD : spare_err;
		spin_unlock_irqrestore(&p->lock, f);
		if (spare) {
			kfree(spare);
			quota_uncharge(p->quota, map_record_bytes());
		}
		return err;
	}
	struct vm_mapping *removed = unmap_range_locked(p, va, end, &spare);
	/* In the same critical section: an IPC buffer registered in the range
	 * must not outlive its mapping (its frame may be freed below). */
	ipc_buffer_unmapped_locked(p, va, end);
	spin_unlock_irqrestore(&p->lock, f);
	vm_flush_tlb(va, len);
	while (removed) {
		struct vm_mapping *m = removed;
		removed = m->next;
		kobject_put(&m->mo->obj);
		kfree(m);
		quota_uncharge(p->quota, map_record_bytes());
	}
	if (spare) { /* no split: the spare record was not needed */
		kfree(spare);
		quota_uncharge(p->quota, map_record_bytes());
	}
	return 0;
}

int memory_protect(struct process *p, vaddr_t va, uint64_t len, unsigned prot)
{
	if (!range_ok(va, len) || prot == 0 ||
	    prot & ~(ORB_PROT_READ | ORB_PROT_WRITE | ORB_PROT_EXEC))
		return -ERR_INVAL;
	if ((prot & ORB_PROT_WRITE) && (prot & ORB_PROT_EXEC))
		return -ERR_INVAL;
	vaddr_t end = va + len;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (p->state != PROC_ALIVE) {
		spin_unlock_irqrestore(&p->lock, f);
		return -ERR_DEAD; /* its page tables may be gone */
	}
	for (struct vm_mapping *m = p->maps; m; m = m->next) {
		vaddr_t me = m->va + m->npages * PAGE_SIZE;
		if (me > va && m->va < end && (prot & m->max_prot) != prot) {
			spin_unlock_irqrestore(&p->lock, f);
			return -ERR_PERM;
		}
	}
	for (struct vm_mapping *m = p->maps; m; m = m->next) {
		vaddr_t ms = m->va, me = m->va + m->npages * PAGE_SIZE;
		if (me <= va || ms >= end)
			continue;
		vaddr_t cs = ms > va ? ms : va, ce = me < end ? me : end;
		/* This CPU's TLB only: a shootdown here, with p->lock held and interrupts
		 * off, would wait forever for a CPU spinning on p->lock with its own
		 * interrupts off. The range is flushed everywhere below, unlocked. */
		for (vaddr_t a = cs; a < ce; a += PAGE_SIZE)
			vm_protect_local(&p->space, a, vm_flags(prot), NULL);
		if (cs == ms && ce == me)
			m->prot = prot; /* (partial changes leave m->prot as a summary) */
	}
	spin_unlock_irqrestore(&p->lock, f);
	vm_flush_tlb(va, len);
	return 0;
}

void memory_unmap_all(struct process *p)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct vm_mapping *all = p->maps;
	p->maps = NULL;
	for (struct vm_mapping *m = all; m; m = m->next)
		unmap_pages(p, m->va, m->npages);
	spin_unlock_irqrestore(&p->lock, f);
	while (all) {
		struct vm_mapping *m = all;
		all = m->next;
		kobject_put(&m->mo->obj);
		kfree(m);
		quota_uncharge(p->quota, map_record_bytes());
	}
}

paddr_t memory_lookup_locked(struct process *p, vaddr_t va, unsigned prot)
{
	for (struct vm_mapping *m = p->maps; m; m = m->next) {
		if (va >= m->va && va < m->va + m->npages * PAGE_SIZE)
			return (m->prot & prot) == prot
				   ? m->mo->frames[m->first + (va - m->va) / PAGE_SIZE]
				   : 0;
	}
	return 0;
}
