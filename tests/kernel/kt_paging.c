/*
 * In-kernel tests of paging: that mappings work, and that the page tables
 * really enforce what they say (kernel text and rodata refuse writes, data is
 * not executable, guard pages and page 0 fault). Faults are provoked through
 * the probes, which turn them into error codes and record the details.
 */
#include "tests/kernel/ktest.h"
#include "boot/kmain.h"
#include "mm/mem_init.h"
#include "mm/phys.h"
#include "arch/vm.h"
#include "lib/string.h"
#include "x86/trap.h"

#define SCRATCH_VA	 0xffffe00000000000ull
#define SCRATCH_LARGE_VA 0xffffe00040000000ull /* its own page directory */

#define PF_PRESENT 1
#define PF_WRITE   2
#define PF_FETCH   16

extern char boot_stack_guard[];
static const uint8_t ret_insn_rodata[16] = {0xc3};
static uint8_t ret_insn_data[16] = {0xc3};

/* Expects the probe to fault with a page fault at `where` and these error bits set. */
#define EXPECT_PF(probe, where, bits)                                                              \
	do {                                                                                       \
		KT_ASSERT((probe) == -ERR_FAULT);                                                  \
		KT_ASSERT_EQ(last_recovered_fault.vector, VEC_PF);                                 \
		KT_ASSERT_EQ(last_recovered_fault.addr, (uint64_t)(where));                        \
		KT_ASSERT_EQ(last_recovered_fault.error &(bits), (bits));                          \
	} while (0)

static int kt_paging(void)
{
	paddr_t a, b;
	unsigned fl;
	size_t sz;
	paddr_t pa;
	uint8_t v;
	size_t free0 = pmm_free_count(&kernel_pmm);

	KT_ASSERT(frame_alloc_zeroed(&a) == 0 && frame_alloc_zeroed(&b) == 0);
	*(uint8_t *)phys_to_virt(a) = 0xaa;
	*(uint8_t *)phys_to_virt(b) = 0xbb;

	/* Map, read and write through the new address. */
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA, a, VM_READ | VM_WRITE) == 0);
	KT_ASSERT_EQ(*(volatile uint8_t *)SCRATCH_VA, 0xaa);
	*(volatile uint8_t *)SCRATCH_VA = 0xa1;
	KT_ASSERT_EQ(*(uint8_t *)phys_to_virt(a), 0xa1);
	KT_ASSERT(vm_query(&kernel_space, SCRATCH_VA + 5, &pa, &fl, &sz) == 0);
	KT_ASSERT_EQ(pa, a + 5);
	KT_ASSERT_EQ(sz, PAGE_SIZE);
	KT_ASSERT((fl & (VM_READ | VM_WRITE | VM_EXEC)) == (VM_READ | VM_WRITE));
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA, b, VM_READ) == -ERR_EXIST);

	/* Read-only: writes fault with "present, write". */
	KT_ASSERT(vm_protect(&kernel_space, SCRATCH_VA, VM_READ) == 0);
	EXPECT_PF(probe_write8((void *)SCRATCH_VA, 1), SCRATCH_VA, PF_PRESENT | PF_WRITE);
	KT_ASSERT(probe_read8((void *)SCRATCH_VA, &v) == 0 && v == 0xa1);

	/* Unmap: reads fault with "not present"; remap elsewhere: the TLB shows the new frame. */
	KT_ASSERT(vm_unmap(&kernel_space, SCRATCH_VA, &sz) == 0 && sz == PAGE_SIZE);
	KT_ASSERT(probe_read8((void *)SCRATCH_VA, &v) == -ERR_FAULT);
	KT_ASSERT_EQ(last_recovered_fault.error & PF_PRESENT, 0);
	KT_ASSERT(vm_unmap(&kernel_space, SCRATCH_VA, NULL) == -ERR_NOENT);
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA, b, VM_READ) == 0);
	KT_ASSERT_EQ(*(volatile uint8_t *)SCRATCH_VA, 0xbb);
	KT_ASSERT(vm_unmap(&kernel_space, SCRATCH_VA, NULL) == 0);

	/* W^X and bad arguments are refused. */
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA, a, VM_READ | VM_WRITE | VM_EXEC) == -ERR_INVAL);
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA + 1, a, VM_READ) == -ERR_INVAL);
	KT_ASSERT(vm_map(&kernel_space, 0x0000900000000000ull, a, VM_READ) == -ERR_INVAL);

	/* Execute permission: a `ret` in a non-executable page faults on fetch,
	 * in an executable read-only page it runs. */
	*(uint8_t *)phys_to_virt(a) = 0xc3;
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_VA, a, VM_READ) == 0);
	EXPECT_PF(probe_exec((void *)SCRATCH_VA), SCRATCH_VA, PF_PRESENT | PF_FETCH);
	KT_ASSERT(vm_protect(&kernel_space, SCRATCH_VA, VM_READ | VM_EXEC) == 0);
	KT_ASSERT(probe_exec((void *)SCRATCH_VA) == 0);
	KT_ASSERT(vm_unmap(&kernel_space, SCRATCH_VA, NULL) == 0);

	/* A 2 MiB page. */
	paddr_t big;
	KT_ASSERT(pmm_alloc_contig(&kernel_pmm, 512, LARGE_PAGE_SIZE, &big) == 0);
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_LARGE_VA, big, VM_READ | VM_WRITE | VM_LARGE) == 0);
	*(volatile uint32_t *)(SCRATCH_LARGE_VA + 0x123450) = 0xfeedf00d;
	KT_ASSERT_EQ(*(uint32_t *)phys_to_virt(big + 0x123450), 0xfeedf00d);
	KT_ASSERT(vm_query(&kernel_space, SCRATCH_LARGE_VA + 0x1000, &pa, &fl, &sz) == 0);
	KT_ASSERT_EQ(sz, LARGE_PAGE_SIZE);
	KT_ASSERT_EQ(pa, big + 0x1000);
	KT_ASSERT(vm_map(&kernel_space, SCRATCH_LARGE_VA + 0x1000, a, VM_READ) == -ERR_EXIST);
	KT_ASSERT(vm_protect(&kernel_space, SCRATCH_LARGE_VA, VM_READ | VM_LARGE) == 0);
	EXPECT_PF(probe_write8((void *)(SCRATCH_LARGE_VA + 0x1fffff), 1),
		  SCRATCH_LARGE_VA + 0x1fffff, PF_PRESENT | PF_WRITE);
	KT_ASSERT(vm_unmap(&kernel_space, SCRATCH_LARGE_VA, &sz) == 0 && sz == LARGE_PAGE_SIZE);
	pmm_free_contig(&kernel_pmm, big, 512);

	pmm_free(&kernel_pmm, a);
	pmm_free(&kernel_pmm, b);
	/* Page-table pages made for the scratch address stay; nothing else may leak. */
	KT_ASSERT(free0 - pmm_free_count(&kernel_pmm) <= 4);
	return 0;
}

/* The kernel's own image is protected by its page tables. */
static int kt_protect(void)
{
	uint8_t *text = (uint8_t *)kmain;
	uint8_t before = *text;
	EXPECT_PF(probe_write8(text, 0x90), text, PF_PRESENT | PF_WRITE);
	KT_ASSERT_EQ(*text, before);

	EXPECT_PF(probe_write8((void *)ret_insn_rodata, 0), ret_insn_rodata, PF_PRESENT | PF_WRITE);
	EXPECT_PF(probe_exec(ret_insn_data), ret_insn_data, PF_PRESENT | PF_FETCH);
	EXPECT_PF(probe_exec(ret_insn_rodata), ret_insn_rodata, PF_PRESENT | PF_FETCH);
	uint8_t stack_ret = 0xc3;
	EXPECT_PF(probe_exec(&stack_ret), &stack_ret, PF_PRESENT | PF_FETCH);
	EXPECT_PF(probe_exec(phys_to_virt(kernel_phys_start() + 0x100000)),
		  phys_to_virt(kernel_phys_start() + 0x100000), PF_PRESENT | PF_FETCH);

	/* Guard page under the boot stack, page 0 and the lower half: not mapped. */
	uint8_t v;
	KT_ASSERT(probe_read8(boot_stack_guard + 100, &v) == -ERR_FAULT);
	KT_ASSERT_EQ(last_recovered_fault.error & PF_PRESENT, 0);
	KT_ASSERT(probe_read8((void *)0, &v) == -ERR_FAULT);
	KT_ASSERT(probe_read8((void *)0x100000, &v) == -ERR_FAULT);
	kprintf("KTEST info: text, rodata, NX, guard and null checks all faulted as expected\n");
	return 0;
}

/* Every usable byte of RAM is reachable through the direct map (checked per 2 MiB). */
static int kt_direct_map(void)
{
	uint64_t checked = 0;
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *m = &boot_info.mmap[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		for (uint64_t off = 0; off < m->length;
		     off += MIN(LARGE_PAGE_SIZE, m->length - off)) {
			uint8_t v;
			KT_ASSERT(probe_read8(phys_to_virt(m->base + off), &v) == 0);
			checked++;
		}
		uint8_t v;
		KT_ASSERT(probe_read8(phys_to_virt(m->base + m->length - 1), &v) == 0);
	}
	kprintf("KTEST info: direct map covers %lu MiB of usable RAM\n",
		(unsigned long)(pmm_usable_count(&kernel_pmm) / 256));
	KT_ASSERT(checked > 0);
	return 0;
}

const struct ktest ktests_paging[] = {
    {"paging", kt_paging},
    {"protect", kt_protect},
    {"direct_map", kt_direct_map},
    {NULL, NULL},
};
