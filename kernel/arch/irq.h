/*
 * Device interrupt lines: registering a handler for one. (Not to be confused
 * with the CPU's interrupt flag, arch_irq_save() and friends in arch/cpu.h,
 * or with the IRQ kernel object, struct irq in obj/irq.h, which user-space
 * drivers hold and which is built on these.)
 *
 * A driver (and the kernel's IRQ objects for user-space drivers) asks for an
 * ISA IRQ; the architecture applies the firmware's interrupt source
 * overrides, allocates a vector, programs the interrupt controller (x86-64:
 * the I/O APIC) to deliver it to the boot CPU, and calls the handler with
 * interrupts off, on whichever CPU the interrupt arrives at (the boot CPU
 * today; nothing here relies on that). The end-of-interrupt is sent after
 * the handler returns. Lines start unmasked; arch_irq_mask/arch_irq_unmask
 * control them. A handler runs concurrently with registration calls on other
 * CPUs; arch_irq_unregister() waits for it to finish.
 *
 * Implemented by kernel/arch/<arch>/irq.c.
 */
#ifndef ORB_ARCH_IRQ_H
#define ORB_ARCH_IRQ_H

#include "lib/types.h"

typedef void (*arch_irq_handler_fn)(void *ctx);

/* Returns a handle (>= 0) or -ERR_NOSPACE (no free vector), -ERR_NOENT (no
 * controller for that line), -ERR_BUSY (line already taken). */
int arch_irq_register_isa(unsigned isa_irq, arch_irq_handler_fn fn, void *ctx);

/* Masks the line, releases the handle and returns only once no CPU is still
 * running its handler: ctx may be freed or reused afterwards. Call it with
 * no lock held that the handler takes, and never from the handler. A stale
 * handle does nothing. */
void arch_irq_unregister(int handle);

/* Mask or unmask a registered line; a handle not registered does nothing. */
void arch_irq_mask(int handle);
void arch_irq_unmask(int handle);

/* Interrupts handled on this line so far. */
uint64_t arch_irq_count(int handle);

#endif
