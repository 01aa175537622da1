/*
 * Kernel stack slots (see kstack.h).
 *
 * Slot i covers [KSTACK_BASE + i*SLOT, +SLOT): the first page is the guard
 * (never mapped), the rest is the stack. Freed slot numbers are kept on a free
 * list (a fixed array); new slots are taken from a
 * bump counter. kstack_lock guards the counter and the free list.
 */
#include "mm/kstack.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "lib/spinlock.h"

#define SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)
#define MAX_SLOTS (KSTACK_SIZE / SLOT_SIZE)

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t next_slot; /* guarded by kstack_lock */
#define KSTACK_FREE_MAX 8192
static uint64_t free_slots[KSTACK_FREE_MAX]; /* guarded by kstack_lock */
static size_t free_count, live;		     /* guarded by kstack_lock */

/* Unmaps the stack pages and frees their frames: one TLB shootdown for all of
 * them, and the frames go back only after every CPU has dropped them. */
static void unmap_and_free(vaddr_t base, size_t pages)
{
	paddr_t frames[KSTACK_PAGES];
	size_t n = 0;
	for (size_t i = 0; i < pages && i < KSTACK_PAGES; i++) {
		paddr_t pa;
		vaddr_t va = base + i * PAGE_SIZE;
		if (vm_query(&kernel_space, va, &pa, NULL, NULL) == 0 &&
		    vm_unmap_local(&kernel_space, va, NULL) == 0)
			frames[n++] = pa;
	}
	if (n)
		vm_flush_tlb(base, pages * PAGE_SIZE);
	for (size_t i = 0; i < n; i++)
		pmm_free(&kernel_pmm, frames[i]);
}

/* Puts a slot back on the free list (caller holds kstack_lock). The list has a
 * fixed size, so freeing never allocates and the memory a stack costs comes
 * back exactly; if it is full, only the slot's addresses are not reused. */
static void release_slot(uint64_t slot)
{
	if (free_count < ARRAY_SIZE(free_slots))
		free_slots[free_count++] = slot;
}

vaddr_t kstack_alloc(void)
{
	uint64_t slot = UINT64_MAX;
	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	if (free_count)
		slot = free_slots[--free_count];
	else if (next_slot < MAX_SLOTS)
		slot = next_slot++;
	spin_unlock_irqrestore(&kstack_lock, f);
	if (slot == UINT64_MAX)
		return 0;

	vaddr_t base = KSTACK_BASE + slot * SLOT_SIZE + PAGE_SIZE; /* above the guard */
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
	unmap_and_free(base, KSTACK_PAGES);
	f = spin_lock_irqsave(&kstack_lock);
	release_slot(slot);
	spin_unlock_irqrestore(&kstack_lock, f);
	return 0;
}

void kstack_free(vaddr_t top)
{
	vaddr_t base = top - KSTACK_PAGES * PAGE_SIZE;
	uint64_t slot = (base - PAGE_SIZE - KSTACK_BASE) / SLOT_SIZE;
	unmap_and_free(base, KSTACK_PAGES);

	irqflags_t f = spin_lock_irqsave(&kstack_lock);
	release_slot(slot);
	live--;
	spin_unlock_irqrestore(&kstack_lock, f);
}

size_t kstack_count(void)
{
	return live;
}
