/*
 * The running CPU: the primitives every architecture provides and portable
 * code may use anywhere (spinlocks, the scheduler, time). Portable code
 * reaches the CPU only through this header and the other headers of
 * kernel/arch/.
 *
 * Inline, from the architecture's machine/cpu.h (declared again below, so
 * the compiler checks that the architecture defines them as listed):
 *   irqflags_t            a scalar holding a saved interrupt state
 *   arch_irq_save()       turns interrupts off; returns the state before
 *   arch_irq_restore(f)   puts back the state arch_irq_save() returned
 *   arch_irq_enable()     interrupts on
 *   arch_irq_disable()    interrupts off
 *   arch_irq_enabled()    true if interrupts are on
 *   arch_cpu_relax()      a hint inside a spin loop (also a compiler barrier)
 *   arch_halt_forever()   interrupts off and this CPU stops for good
 *   arch_read_tsc()       the CPU's cycle counter (monotonic on one CPU)
 * Out of line (kernel/arch/<arch>/):
 *   arch_idle()           waits for an interrupt (see below)
 *   arch_cpu_name()       the processor's name, for the banner
 *
 * arch_irq_* here is this CPU's interrupt flag; the device interrupt lines
 * (arch_irq_register_isa, arch_irq_mask, ...) are arch/irq.h's. The host
 * build of portable code (tests/host) supplies a machine/cpu.h of its own
 * (tests/host/support/machine/cpu.h) in which interrupts do not exist.
 */
#ifndef ORB_ARCH_CPU_H
#define ORB_ARCH_CPU_H

#include "machine/cpu.h"

static inline irqflags_t arch_irq_save(void);
static inline void arch_irq_restore(irqflags_t f);
static inline void arch_irq_enable(void);
static inline void arch_irq_disable(void);
static inline bool arch_irq_enabled(void);
static inline void arch_cpu_relax(void);
static inline __attribute__((__noreturn__)) void arch_halt_forever(void);
static inline uint64_t arch_read_tsc(void);

/* Called with interrupts off: turns them on, waits for one interrupt and
 * returns with them off again, so a wake-up cannot slip in between the
 * caller's last check and the wait. */
void arch_idle(void);

/* Name of the CPU ("AMD EPYC ..."), for the banner. */
const char *arch_cpu_name(void);

#endif
