/*
 * Hosted stand-in for <arch/cpu.h>: the same names as the kernel's x86-64
 * header, implemented for a Linux process so portable kernel code can be
 * unit-tested. Interrupts do not exist here; the flag helpers are no-ops.
 */
#ifndef ORB_ARCH_CPU_H
#define ORB_ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

typedef uint64_t irqflags_t;

static inline void arch_cpu_relax(void)
{
}
static inline irqflags_t arch_irq_save(void)
{
	return 0;
}
static inline void arch_irq_restore(irqflags_t f)
{
	(void)f;
}
static inline void arch_irq_enable(void)
{
}
static inline void arch_irq_disable(void)
{
}
static inline bool arch_irq_enabled(void)
{
	return false;
}
static inline __attribute__((__noreturn__)) void arch_halt_forever(void)
{
	abort();
}
static inline uint64_t arch_read_tsc(void)
{
	return 0;
}

#endif
