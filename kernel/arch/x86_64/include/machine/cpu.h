/*
 * x86-64's half of arch/cpu.h: the inline CPU primitives (interrupt flag,
 * spin-loop hint, halt, time-stamp counter). Only arch/cpu.h includes this;
 * it lists the names and what they promise. The host build of portable code
 * (tests/host) has its own machine/cpu.h with the same names.
 */
#ifndef ORB_MACHINE_CPU_H
#define ORB_MACHINE_CPU_H

#include <stdint.h>
#include <stdbool.h>

typedef uint64_t irqflags_t;

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Disables interrupts; returns RFLAGS so arch_irq_restore() can put IF back. */
static inline irqflags_t arch_irq_save(void)
{
	irqflags_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f;
}

static inline void arch_irq_restore(irqflags_t f)
{
	if (f & (1u << 9))
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline bool arch_irq_enabled(void)
{
	irqflags_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return (f & (1u << 9)) != 0;
}

/* Stops this CPU for good (interrupts off, hlt in a loop). */
static inline __attribute__((__noreturn__)) void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Reads the time-stamp counter. */
static inline uint64_t arch_read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
