/*
 * The hosted "architecture"'s half of arch/cpu.h: the inline names that
 * kernel/arch/cpu.h lists, implemented for a Linux process so portable kernel
 * code can be unit-tested against the real interface header (host builds put
 * tests/host/support first on the include path, and have no kernel/arch/x86_64
 * include directory). Interrupts do not exist here; the flag helpers are
 * no-ops.
 */
#ifndef ORB_MACHINE_CPU_H
#define ORB_MACHINE_CPU_H

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
