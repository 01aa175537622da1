/*
 * Kernel stack slots (see kstack.h).
 *
 * Slot i covers [KSTACK_BASE + i*SLOT, +SLOT): the first page is the guard
 * (never mapped), the rest is the stack. A slot is in one of four states:
 *  - never used: at or above the bump counter next_slot;
 *  - free: on free_slots, nothing mapped;
 *  - cached: on cached_slots, still mapped with its frames (a freed stack
 *    kept for the next kstack_alloc, which then maps nothing and needs no
 *    TLB shootdown);
 *  - live: handed out.
 * kstack_lock guards the counter, both lists and the counts.
 *
 * Why the cache: unmapping a stack needs a TLB shootdown (an IPI to every
 * other CPU, waited for), so a thread's exit used to cost a round of IPIs and
 * its creation four page mappings. Stacks freed while the cache is full are
 * unmapped in batches of KSTACK_EVICT, one shootdown for the whole batch.
 * kstack_trim() empties the cache (memory pressure, leak checks). A cached
 * stack keeps its old contents: it only ever held this kernel's own data.
 *
 * Lock order: kstack_lock is a leaf; it is never held across vm_* or pmm_*
 * calls, and no TLB shootdown runs with it held (docs/locking.md).
 */
#include "mm/kstack.h"
#include "mm/phys.h"
#include "arch/vm.h"
#include "base/spinlock.h"

#define SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)
#define MAX_SLOTS (KSTACK_SIZE / SLOT_SIZE)

#define KSTACK_CACHE_MAX 64 /* mapped stacks kept for reuse: 1 MiB at most */
#define KSTACK_EVICT	 16 /* cached stacks unmapped together when it is full */

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t next_slot; /* guarded by kstack_lock */
#define KSTACK_FREE_MAX 8192
/* Slot numbers fit in 32 bits (1 TiB of 20 KiB slots), which halves the list. */
_Static_assert(MAX_SLOTS <= UINT32_MAX, "kernel-stack slot numbers must fit in 32 bits");
static uint32_t free_slots[KSTACK_FREE_MAX];	/* guarded by kstack_lock */
static uint64_t cached_slots[KSTACK_CACHE_MAX]; /* guarded by kstack_lock; LIFO */
static size_t free_count, cached_count, live;	/* guarded by kstack_lock */

static vaddr_t slot_base(uint64_t slot) /* lowest stack page, above the guard */
{
	return KSTACK_BASE + slot * SLOT_SIZE + PAGE_SIZE;
}

/* Puts a slot back on the free list (caller holds kstack_lock). The list has a
 * fixed size, so freeing never allocates and the memory a stack costs comes
 * back exactly; if it is full, only the slot's addresses are not reused. */
static void release_slot(uint64_t slot)
{
	if (free_count < ARRAY_SIZE(free_slots))
		free_slots[free_count++] = (uint32_t)slot;
}

/* Unmaps the stacks of n slots (this CPU's TLB), drops them from every other
 * CPU's TLB with ONE shootdown over the span they cover, and only then frees
 * their frames and slots: no CPU can still reach a frame that is reused. */
static void unmap_slots(const uint64_t *slots, size_t n)
{
	paddr_t frames[KSTACK_EVICT * KSTACK_PAGES];
	size_t nframes = 0;
	vaddr_t lo = ~(vaddr_t)0, hi = 0;
	for (size_t s = 0; s < n; s++) {
		vaddr_t base = slot_base(slots[s]);
		for (size_t i = 0; i < KSTACK_PAGES; i++) {
			paddr_t pa;
			vaddr_t va = base + i * PAGE_SIZE;
			if (vm_query(&kernel_space, va, &pa, NULL, NULL) == 0 &&
			    vm_unmap_local(&kernel_space, va, NULL) == 0 &&
			    nframes < ARRAY_SIZE(frames)) {
				frames[nframes++] = pa;
				lo = MIN(lo, va);
				hi = MAX(hi, va + PAGE_SIZE);
			}
		}
	}
	if (nframes)
		vm_flush_tlb(lo, hi - lo);
	for (size_t i = 0; i < nframes; i++)
		pmm_free(&kernel_pmm, frames[i]);
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	for (size_t s = 0; s < n; s++)
		release_slot(slots[s]);
	spin_unlock_irqrestore(&kstack_lock, f);
}

vaddr_t kstack_alloc(void)
{
	uint64_t slot = UINT64_MAX;
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	if (cached_count) {
		slot = cached_slots[--cached_count];
		live++;
		spin_unlock_irqrestore(&kstack_lock, f);
		return slot_base(slot) + KSTACK_PAGES * PAGE_SIZE;
	}
	if (free_count)
		slot = free_slots[--free_count];
	else if (next_slot < MAX_SLOTS)
		slot = next_slot++;
	spin_unlock_irqrestore(&kstack_lock, f);
	if (slot == UINT64_MAX)
		return 0;

	vaddr_t base = slot_base(slot);
	for (size_t i = 0; i < KSTACK_PAGES; i++) {
		paddr_t pa;
		if (pmm_alloc(&kernel_pmm, &pa))
			goto fail;
		if (vm_map(&kernel_space, base + i * PAGE_SIZE, pa,
			   VM_READ | VM_WRITE | VM_GLOBAL)) {
			pmm_free(&kernel_pmm, pa);
			goto fail;
		}
	}
	f = spin_lock_irqsave(&kstack_lock);
	live++;
	spin_unlock_irqrestore(&kstack_lock, f);
	return base + KSTACK_PAGES * PAGE_SIZE;

fail:
	unmap_slots(&slot, 1);
	return 0;
}

void kstack_free(vaddr_t top)
{
	vaddr_t base = top - KSTACK_PAGES * PAGE_SIZE;
	uint64_t slot = (base - PAGE_SIZE - KSTACK_BASE) / SLOT_SIZE;
	uint64_t evict[KSTACK_EVICT];
	size_t n = 0;

	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	live--;
	if (cached_count == KSTACK_CACHE_MAX) {
		/* Full: the oldest KSTACK_EVICT go (the bottom of the LIFO). */
		n = KSTACK_EVICT;
		for (size_t i = 0; i < n; i++)
			evict[i] = cached_slots[i];
		for (size_t i = n; i < cached_count; i++)
			cached_slots[i - n] = cached_slots[i];
		cached_count -= n;
	}
	cached_slots[cached_count++] = slot;
	spin_unlock_irqrestore(&kstack_lock, f);
	if (n)
		unmap_slots(evict, n);
}

void kstack_trim(void)
{
	for (;;) {
		uint64_t evict[KSTACK_EVICT];
		size_t n = 0;
		irqflags_t f = spin_lock_irqsave(&kstack_lock);
		while (n < KSTACK_EVICT && cached_count)
			evict[n++] = cached_slots[--cached_count];
		spin_unlock_irqrestore(&kstack_lock, f);
		if (!n)
			return;
		unmap_slots(evict, n);
	}
}

size_t kstack_count(void)
{
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	size_t n = live;
	spin_unlock_irqrestore(&kstack_lock, f);
	return n;
}

size_t kstack_cached(void)
{
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	size_t n = cached_count;
	spin_unlock_irqrestore(&kstack_lock, f);
	return n;
}
