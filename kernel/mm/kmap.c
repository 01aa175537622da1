/*
 * The kernel's own address space, replacing the boot page tables.
 *
 *  - the image: .text read+execute, .rodata and .ksyms read-only, .data and
 *    .bss read+write, never executable (W^X; NX where the CPU has it);
 *  - the direct map: every usable or ACPI region of RAM, plus the first 1 MiB
 *    (BIOS areas; the VGA window uncached), with 2 MiB pages where aligned;
 *  - the framebuffer, uncached;
 *  - nothing at address 0 and nothing in the lower half.
 * The guard pages under the stacks the image gives the boot CPU
 * (arch_boot_stack_guards) are unmapped last, so a stack overflow faults
 * instead of overwriting what lies below.
 */
#include "mm/mem_init.h"
#include "mm/phys.h"
#include "arch/init.h"
#include "arch/vm.h"
#include "console/kprintf.h"
#include "debug/panic.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];

static void map_image(vaddr_t start, vaddr_t end, unsigned flags)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	int err =
	    vm_map_range(&kernel_space, start, start - KERNEL_VIRT, end - start, flags | VM_GLOBAL);
	if (err)
		panic("kmap: cannot map kernel image at 0x%lx: error %d", start, err);
}

/* Every page of the direct map mapped so far lies below this address. */
static paddr_t direct_hi;

static void map_direct(paddr_t base, uint64_t len, unsigned extra)
{
	paddr_t start = ALIGN_DOWN(base, PAGE_SIZE);
	paddr_t end = ALIGN_UP(base + len, PAGE_SIZE);
	for (paddr_t pa = start; pa < end;) {
		vaddr_t va = DIRECT_MAP_BASE + pa;
		paddr_t cur;
		/* Above everything mapped before, nothing needs looking up: the
		 * memory map is sorted, so that is where most of RAM goes, and a
		 * lookup per 4 KiB of it was most of the time this step took. */
		bool fresh = pa >= direct_hi;
		/* Skip pages some earlier region already mapped. */
		if (!fresh && vm_query(&kernel_space, va, &cur, NULL, NULL) == 0) {
			pa += PAGE_SIZE;
			continue;
		}
		bool large = IS_ALIGNED(pa, LARGE_PAGE_SIZE) && end - pa >= LARGE_PAGE_SIZE;
		if (large && !fresh) {
			/* A 2 MiB page only if no 4 KiB page inside it exists yet. */
			for (paddr_t q = pa; q < pa + LARGE_PAGE_SIZE; q += PAGE_SIZE)
				if (vm_query(&kernel_space, DIRECT_MAP_BASE + q, NULL, NULL,
					     NULL) == 0) {
					large = false;
					break;
				}
		}
		int err = vm_map(&kernel_space, va, pa,
				 VM_READ | VM_WRITE | VM_GLOBAL | extra | (large ? VM_LARGE : 0));
		if (err)
			panic("kmap: cannot map physical 0x%lx: error %d", pa, err);
		pa += large ? LARGE_PAGE_SIZE : PAGE_SIZE;
	}
	direct_hi = MAX(direct_hi, end);
}

void *kmap_mmio(paddr_t pa, size_t len)
{
	if (pa + len < pa || pa + len > DIRECT_MAP_SIZE)
		return NULL;
	for (paddr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE) {
		if (vm_query(&kernel_space, DIRECT_MAP_BASE + p, NULL, NULL, NULL) == 0)
			continue;
		if (vm_map(&kernel_space, DIRECT_MAP_BASE + p, p,
			   VM_READ | VM_WRITE | VM_GLOBAL | VM_NOCACHE))
			return NULL;
	}
	return phys_to_virt(pa);
}

void kmap_setup(const struct boot_info *bi)
{
	if (vm_space_init(&kernel_space))
		panic("kmap: no memory for the kernel page tables");

	map_image((vaddr_t)__text_start, (vaddr_t)__text_end, VM_READ | VM_EXEC);
	map_image((vaddr_t)__rodata_start, (vaddr_t)__rodata_end, VM_READ);
	map_image((vaddr_t)__data_start, (vaddr_t)__data_end, VM_READ | VM_WRITE);
	map_image((vaddr_t)__ksyms_start, (vaddr_t)__ksyms_end, VM_READ);

	map_direct(0, 0xa0000, 0);
	map_direct(0xa0000, 0x20000, VM_NOCACHE);
	map_direct(0xc0000, 0x40000, 0);
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *m = &bi->mmap[i];
		if (m->type == BOOT_MEM_USABLE || m->type == BOOT_MEM_ACPI_RECLAIM ||
		    m->type == BOOT_MEM_ACPI_NVS)
			map_direct(m->base, m->length, 0);
	}
	if (bi->fb.type == BOOT_FB_RGB)
		map_direct(bi->fb.addr, (uint64_t)bi->fb.pitch * bi->fb.height, VM_NOCACHE);

	vm_activate(&kernel_space);

	vaddr_t guards[8];
	size_t n = arch_boot_stack_guards(guards, 8);
	for (size_t i = 0; i < n; i++)
		if (vm_unmap(&kernel_space, guards[i], NULL))
			panic("kmap: boot stack guard page 0x%lx was not mapped", guards[i]);
}
