/*
 * The interrupt descriptor table: one gate per vector, all pointing at the
 * stubs of trap_entry.S. #DF, NMI and #MC run on their own IST stacks, so a
 * corrupt or overflowed kernel stack still gets a report; until the boot CPU
 * has those stacks (idt_use_ist, right after the kernel's page tables are in
 * force) they run on the boot stack, which the boot page tables map without a
 * guard, so nothing can overflow it into a fault before then. Gates are interrupt
 * gates (interrupts off on entry); only the breakpoint is reachable from ring 3.
 */
#include "x86/trap.h"
#include "gdt.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

extern const uint64_t trap_vectors[256];
static struct idt_gate idt[256] __aligned(16);

static void idt_set(unsigned v, uint64_t handler, uint8_t ist, uint8_t dpl)
{
	idt[v] = (struct idt_gate){
	    .offset_lo = handler & 0xffff,
	    .selector = SEL_KCODE,
	    .ist = ist,
	    .type_attr = (uint8_t)(0x8e | (dpl << 5)), /* present, 64-bit interrupt gate */
	    .offset_mid = (handler >> 16) & 0xffff,
	    .offset_hi = (uint32_t)(handler >> 32),
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_set(v, trap_vectors[v], 0, 0);
	idt_set(VEC_BREAKPOINT, trap_vectors[VEC_BREAKPOINT], 0, 3);
}

void idt_use_ist(void)
{
	/* One byte per gate; an NMI meanwhile finds either value, both usable. */
	__atomic_store_n(&idt[VEC_NMI].ist, IST_NMI, __ATOMIC_RELEASE);
	__atomic_store_n(&idt[VEC_DOUBLE_FAULT].ist, IST_DOUBLE_FAULT, __ATOMIC_RELEASE);
	__atomic_store_n(&idt[VEC_MC].ist, IST_MACHINE_CHECK, __ATOMIC_RELEASE);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}
