/*
 * User address spaces on x86-64.
 *
 * Every process has its own top-level table (PML4). Its lower half (entries
 * 0..255) holds the process's mappings; its upper half is a copy of the
 * kernel's entries 256..511. So that a copy made once stays right forever,
 * vm_kernel_half_prepare() gives each of the kernel's 256 upper entries a
 * table at start-up (before any process exists); later kernel mappings only
 * fill those shared tables, never the PML4 itself.
 *
 * Tear-down frees the lower half's page-table pages (never the frames the
 * leaves point to: those belong to Memory objects, obj/memory.c) and the
 * PML4. The caller has removed every mapping first, or does not care about
 * the TLB because no CPU runs the space any more (see process.c).
 */
#include "arch/vm.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "debug/panic.h"
#include <orbital/errors.h>

#define PTE_P	 (1ull << 0)
#define PTE_RW	 (1ull << 1)
#define PTE_PS	 (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

void vm_kernel_half_prepare(void)
{
	uint64_t *pml4 = phys_to_virt(kernel_space.root);
	irqflags_t f = spin_lock_irqsave(&kernel_space.lock);
	for (int i = 256; i < 512; i++) {
		if (pml4[i] & PTE_P)
			continue;
		paddr_t pa;
		if (frame_alloc_zeroed(&pa))
			panic("uspace: no memory for the kernel's shared page tables");
		pml4[i] = pa | PTE_P | PTE_RW; /* no US: the kernel half is never user */
	}
	spin_unlock_irqrestore(&kernel_space.lock, f);
}

int vm_space_create_user(struct vm_space *s)
{
	int err = vm_space_init(s);
	if (err)
		return err;
	uint64_t *pml4 = phys_to_virt(s->root);
	const uint64_t *kpml4 = phys_to_virt(kernel_space.root);
	memcpy(pml4 + 256, kpml4 + 256, 256 * sizeof(uint64_t));
	return 0;
}

/* Frees the tables below entry e of a table at `level` (3 = PML4 ... 1 = PD). */
static void free_tables(uint64_t e, int level)
{
	if (!(e & PTE_P) || (level < 3 && (e & PTE_PS)))
		return; /* not present, or a large page: no table below */
	uint64_t *t = phys_to_virt(e & PTE_ADDR);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			free_tables(t[i], level - 1);
	pmm_free(&kernel_pmm, e & PTE_ADDR);
}

size_t vm_space_destroy_user(struct vm_space *s)
{
	uint64_t *pml4 = phys_to_virt(s->root);
	size_t before = pmm_free_count(&kernel_pmm);
	for (int i = 0; i < 256; i++) {
		free_tables(pml4[i], 3);
		pml4[i] = 0;
	}
	pmm_free(&kernel_pmm, s->root);
	s->root = 0;
	s->ntables = 0;
	return pmm_free_count(&kernel_pmm) - before;
}
