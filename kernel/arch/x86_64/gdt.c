/*
 * GDT and TSS setup (see gdt.h). The tables live in the CPU's struct cpu
 * (sched/cpu.c: the boot CPU's in the image, the others allocated before they
 * start); the IST stacks come from the kernel-stack allocator, each with its
 * guard page (the boot CPU's once that allocator works, arch_cpu_init_stacks;
 * an AP's before it starts, smp.c).
 */
#include "gdt.h"
#include "lib/string.h"

static uint64_t seg_desc(uint32_t flags_access)
{
	/* base 0, limit 0xfffff; flags_access = (flags << 20) | (access << 8) as in bits 40..55 */
	return 0x000f00000000ffffull | ((uint64_t)flags_access << 32);
}

void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT])
{
	memset(t, 0, sizeof(*t));
	t->gdt[0] = 0;
	t->gdt[1] = seg_desc(0x00a09a00); /* kernel code: L=1, P, DPL0, code exec/read */
	t->gdt[2] = seg_desc(0x00c09200); /* kernel data: P, DPL0, data read/write */
	t->gdt[3] = seg_desc(0x00c0fa00); /* 32-bit user code (placeholder for STAR layout) */
	t->gdt[4] = seg_desc(0x00c0f200); /* user data: DPL3 */
	t->gdt[5] = seg_desc(0x00a0fa00); /* user code: L=1, DPL3 */

	if (ist_tops)
		gdt_set_ist(t, ist_tops);
	/* The I/O bitmap follows the TSS; all ones: every port faults in ring 3
	 * until a process is given some (ioperm.c). */
	t->tss.iomap_base = sizeof(struct tss);
	memset(t->iobm, 0xff, sizeof(t->iobm));
	_Static_assert(offsetof(struct cpu_tables, iobm) ==
			   offsetof(struct cpu_tables, tss) + sizeof(struct tss),
		       "the I/O bitmap must follow the TSS");

	uint64_t base = (uint64_t)&t->tss;
	uint64_t limit = sizeof(struct tss) + IOBM_BYTES; /* bitmap and its 0xff end byte */
	t->gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	t->gdt[7] = base >> 32;

	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = {sizeof(t->gdt) - 1, (uint64_t)t->gdt};

	/* SAFETY: loads descriptors this function just built; the far return
	 * reloads CS with the new kernel code selector, the moves the data ones. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3\n\t"
			 :
			 : "m"(gdtr), "i"(SEL_KCODE), "r"((uint64_t)SEL_KDATA),
			   "r"((uint64_t)SEL_TSS)
			 : "rax", "memory");
}

void gdt_set_ist(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT])
{
	for (int i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = ist_tops[i];
}
