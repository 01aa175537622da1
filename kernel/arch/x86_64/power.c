/*
 * Rebooting and powering off the machine (SYS_POWER).
 *
 * Reboot: the keyboard controller's reset line (command 0xfe to port 0x64),
 * and if the machine is still running, a triple fault (an empty IDT and an
 * exception). Halt: every other CPU is stopped, then ACPI soft-off (S5)
 * through the PM1 control ports named by the FADT (or, on a hardware-reduced
 * ACPI machine such as orbvm, its sleep control register), with SLP_TYP from
 * the DSDT's \_S5 (boot/acpi_sleep.c); where that is unknown or does not take,
 * the CPUs halt with interrupts off ("System halted").
 */
#include "boot/acpi.h"
#include "console/kprintf.h"
#include "debug/panic_stop.h"
#include "mm/mem_init.h"
#include "arch/power.h"
#include "arch/smp.h"
#include "x86/io.h"
#include "power.h"

extern struct acpi_info platform_acpi;
extern bool platform_acpi_ok;

static struct acpi_s5 s5;

static const void *read_firmware(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (len == 0 || pa + len < pa || len > (4u << 20))
		return NULL;
	return kmap_mmio(pa, len);
}

void power_init(void)
{
	const struct acpi_table_ref *fadt =
	    platform_acpi_ok ? acpi_find_table(&platform_acpi, "FACP") : NULL;
	const uint8_t *p = fadt ? read_firmware(NULL, fadt->paddr, fadt->length) : NULL;
	if (!p || acpi_parse_s5(p, fadt->length, read_firmware, NULL, &s5) != 0) {
		kinfo("power: no ACPI soft-off found; halt stops the CPUs only\n");
		return;
	}
	if (s5.sleep_ctl)
		kinfo(
		    "power: ACPI S5 through the sleep control register at port 0x%x, SLP_TYP %u\n",
		    s5.sleep_ctl, s5.slp_typa);
	else
		kinfo("power: ACPI S5 through port 0x%x, SLP_TYP %u\n", s5.pm1a_cnt, s5.slp_typa);
}

static noreturn void halt_here(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

noreturn void arch_power(int op)
{
	if (op == POWER_REBOOT) {
		kprintf("power: rebooting\n");
		__asm__ volatile("cli");
		for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
			io_wait();
		outb(0x64, 0xfe); /* pulse the reset line */
		for (int i = 0; i < 1000000; i++)
			io_wait();
		/* Still here: an exception with no IDT triple-faults the CPU. */
		struct {
			uint16_t limit;
			uint64_t base;
		} __packed empty = {0, 0};
		__asm__ volatile("lidt %0; int3" ::"m"(empty));
		halt_here();
	}
	kprintf("power: halting\n");
	/* Claim the machine as a panic does, so the other CPUs take the stop
	 * NMI as an order to halt (and nothing else claims it meanwhile). */
	if (!panic_enter())
		halt_here();
	arch_stop_other_cpus();
	if (s5.found && s5.sleep_ctl) {
		/* The sleep control register: SLP_TYP in bits 2-4, SLP_EN bit 5. */
		outb((uint16_t)s5.sleep_ctl, (uint8_t)((s5.slp_typa & 7) << 2 | 1u << 5));
		for (int i = 0; i < 1000000; i++)
			io_wait();
	} else if (s5.found) {
		outw((uint16_t)s5.pm1a_cnt, (uint16_t)(s5.slp_typa << 10 | 1u << 13));
		if (s5.pm1b_cnt)
			outw((uint16_t)s5.pm1b_cnt, (uint16_t)(s5.slp_typb << 10 | 1u << 13));
		for (int i = 0; i < 1000000; i++)
			io_wait();
	}
	kprintf("System halted.\n");
	halt_here();
}
