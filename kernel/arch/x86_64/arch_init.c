/*
 * x86-64 start-up steps (see <arch/init.h>).
 */
#include "core/syscall.h"
#include <arch/init.h>
#include <arch/io.h>
#include <arch/x86.h>
#include "core/sched.h"
#include "fpu.h"
#include "gdt.h"
#include "serial.h"
#include "smp.h"
#include "trap.h"

void arch_console_init(void)
{
	/* The boot CPU's struct cpu, through GS, before anything can fault:
	 * probes and panics use it. */
	cpus[0].self = &cpus[0];
	wrmsr(MSR_GS_BASE, (uint64_t)&cpus[0]);
	serial_init(COM1_PORT);
}

void arch_cpu_init(void)
{
	struct cpu *c = &cpus[0];
	cpu_detect_features();
	gdt_init_boot_cpu(&c->arch.tables);
	idt_init();
	idt_load();
	if (cpu_features.pge)
		write_cr4(read_cr4() | CR4_PGE);
	fpu_init_cpu(true);
	syscall_init_cpu();
}

void arch_stop_other_cpus(void)
{
	smp_stop_others();
}

const char *arch_cpu_name(void)
{
	const char *b = cpu_features.brand;
	while (*b == ' ')
		b++;
	return *b ? b : cpu_features.vendor;
}

void arch_emulator_exit(uint8_t code)
{
	/* QEMU's isa-debug-exit device (iobase 0xf4) exits with status (code << 1) | 1.
	 * Without the device, the write goes nowhere and we return. */
	outb(0xf4, code);
}

void arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
