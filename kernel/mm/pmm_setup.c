/*
 * Feeding the frame allocator from the boot memory map.
 *
 * The bitmap needs (highest usable address / 4 KiB) bits; it is placed in
 * the first usable stretch that is big enough, above 1 MiB, below 4 GiB (the
 * part of RAM the boot page tables map) and clear of the kernel image and the
 * boot modules. Then every usable region is added, and everything the kernel
 * must not hand out is reserved again: the first 1 MiB (BIOS data, EBDA, the
 * future SMP trampoline), the kernel image, the modules and the bitmap.
 */
#include "mm/mem_init.h"
#include "mm/phys.h"
#include "console/kprintf.h"
#include "debug/panic.h"
#include "lib/string.h"

struct pmm kernel_pmm;

extern char __kernel_end[];

paddr_t kernel_phys_start(void)
{
	return KERNEL_PHYS;
}

paddr_t kernel_phys_end(void)
{
	return (paddr_t)((uintptr_t)__kernel_end - KERNEL_VIRT);
}

static bool overlaps(paddr_t a, uint64_t alen, paddr_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool clear_of_boot_data(const struct boot_info *bi, paddr_t at, uint64_t len)
{
	if (overlaps(at, len, kernel_phys_start(), kernel_phys_end() - kernel_phys_start()))
		return false;
	for (size_t i = 0; i < bi->module_count; i++)
		if (overlaps(at, len, bi->modules[i].start,
			     bi->modules[i].end - bi->modules[i].start))
			return false;
	return true;
}

static paddr_t place_bitmap(const struct boot_info *bi, uint64_t len)
{
	for (size_t r = 0; r < bi->mmap_count; r++) {
		const struct boot_mem_region *m = &bi->mmap[r];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		/* Candidates: the region start, and just past each thing that may be in the way. */
		paddr_t cand[2 + BOOT_MODULES_MAX];
		size_t n = 0;
		cand[n++] = m->base;
		cand[n++] = kernel_phys_end();
		for (size_t i = 0; i < bi->module_count; i++)
			cand[n++] = bi->modules[i].end;
		for (size_t c = 0; c < n; c++) {
			paddr_t at = ALIGN_UP(MAX(cand[c], (paddr_t)MiB(1)), PAGE_SIZE);
			if (at < m->base || at + len > m->base + m->length || at + len > GiB(4))
				continue;
			if (clear_of_boot_data(bi, at, len))
				return at;
		}
	}
	return 0;
}

void pmm_setup(const struct boot_info *bi)
{
	paddr_t top = bootinfo_max_usable(bi);
	size_t nframes = top / PAGE_SIZE;
	size_t bytes = ALIGN_UP(pmm_bitmap_bytes(nframes), PAGE_SIZE);
	paddr_t at = place_bitmap(bi, bytes);
	if (!at)
		panic("memory: no room below 4 GiB for the frame bitmap (%zu KiB)", bytes / 1024);

	pmm_init(&kernel_pmm, phys_to_virt(at), nframes);
	for (size_t r = 0; r < bi->mmap_count; r++)
		if (bi->mmap[r].type == BOOT_MEM_USABLE)
			pmm_add_range(&kernel_pmm, bi->mmap[r].base, bi->mmap[r].length);

	pmm_reserve_range(&kernel_pmm, 0, MiB(1));
	pmm_reserve_range(&kernel_pmm, kernel_phys_start(),
			  kernel_phys_end() - kernel_phys_start());
	for (size_t i = 0; i < bi->module_count; i++)
		pmm_reserve_range(&kernel_pmm, bi->modules[i].start,
				  bi->modules[i].end - bi->modules[i].start);
	pmm_reserve_range(&kernel_pmm, at, bytes);
	/* The loader's own boot information stays as it was (a page or two): the
	 * boot tests parse it again, damaged on purpose, and a debugger can read it. */
	if (bi->raw_size && !overlaps(bi->raw_addr, bi->raw_size, at, bytes))
		pmm_reserve_range(&kernel_pmm, bi->raw_addr, bi->raw_size);

	if (pmm_free_count(&kernel_pmm) == 0)
		panic("memory: no free RAM left after the kernel and modules");
}

int frame_alloc_zeroed(paddr_t *out)
{
	int err = pmm_alloc(&kernel_pmm, out);
	if (err)
		return err;
	memset(phys_to_virt(*out), 0, PAGE_SIZE);
	return 0;
}

void mem_print_summary(void)
{
	size_t usable = pmm_usable_count(&kernel_pmm), freef = pmm_free_count(&kernel_pmm);
	kprintf("Memory: %zu KiB usable, %zu KiB free, %zu KiB used (kernel image %lu KiB)\n",
		usable * 4, freef * 4, (usable - freef) * 4,
		(unsigned long)((kernel_phys_end() - kernel_phys_start()) / 1024));
}
