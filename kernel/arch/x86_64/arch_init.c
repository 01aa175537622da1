/*
 * x86-64 start-up steps (arch/init.h) and the small machine services that
 * have no other home: the CPU's name and idle wait (arch/cpu.h), stopping the
 * other CPUs (arch/smp.h), leaving the emulator (arch/power.h).
 */
#include "arch/cpu.h"
#include "arch/init.h"
#include "arch/power.h"
#include "arch/smp.h"
#include "syscall.h"
#include "x86/io.h"
#include "x86/x86.h"
#include "sched/sched.h"
#include "fpu.h"
#include "gdt.h"
#include "serial.h"
#include "smp.h"
#include "x86/trap.h"
#include "mm/kstack.h"
#include "debug/panic.h"

void arch_console_init(void)
{
	/* The boot CPU's struct cpu (in the image: sched/cpu.c), through GS,
	 * before anything can fault: probes and panics use it. */
	struct cpu *c = cpu_by_id(0);
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	serial_init(COM1_PORT);
}

void arch_cpu_init(void)
{
	struct cpu *c = cpu_by_id(0);
	cpu_detect_features();
	gdt_init_cpu(&c->arch.tables, NULL); /* IST stacks: arch_cpu_init_stacks */
	idt_init();
	idt_load();
	if (cpu_features.pge)
		write_cr4(read_cr4() | CR4_PGE);
	fpu_init_cpu(true);
	syscall_init_cpu();
}

void arch_cpu_init_stacks(void)
{
	/* Kernel stacks: each has an unmapped guard page below it, so an
	 * overflow of one is a page fault, not a silent write. */
	struct cpu *c = cpu_by_id(0);
	for (int i = 1; i <= IST_COUNT; i++) {
		c->arch.kstack_tops[i] = kstack_alloc();
		if (!c->arch.kstack_tops[i])
			panic("cpu: no memory for the exception stacks");
	}
	gdt_set_ist(&c->arch.tables, c->arch.kstack_tops + 1);
	idt_use_ist();
}

extern char boot_stack_guard[];

size_t arch_boot_stack_guards(vaddr_t *va, size_t max)
{
	/* The boot stack (boot.S); the IST stacks have their own guards. */
	size_t n = 0;
	if (n < max)
		va[n++] = (vaddr_t)boot_stack_guard;
	return n;
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
