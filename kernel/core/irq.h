/*
 * Device interrupts: registering a handler for an interrupt line.
 *
 * A driver (and later the kernel's IRQ objects for user-space drivers) asks
 * for an ISA IRQ (the MADT's interrupt source overrides are applied) or a
 * global system interrupt; the arch layer allocates a vector, programs the
 * interrupt controller (I/O APIC) to deliver it to the boot CPU, and calls the
 * handler with interrupts off, on whichever CPU the interrupt arrives at (the
 * boot CPU today; nothing here relies on that). The end-of-interrupt is sent
 * after the handler returns. Lines start unmasked; irq_mask/irq_unmask control
 * them. A handler runs concurrently with registration calls on other CPUs;
 * irq_unregister() waits for it to finish.
 */
#ifndef ORB_CORE_IRQ_H
#define ORB_CORE_IRQ_H

#include "lib/types.h"

typedef void (*irq_handler_fn)(void *ctx);

/* Returns a handle (>= 0) or -ERR_NOSPACE (no free vector), -ERR_NOENT (no
 * controller for that line), -ERR_BUSY (line already taken). */
int irq_register_isa(unsigned isa_irq, irq_handler_fn fn, void *ctx);

/* Masks the line, releases the handle and returns only once no CPU is still
 * running its handler: ctx may be freed or reused afterwards. Call it with
 * no lock held that the handler takes, and never from the handler. A stale
 * handle does nothing. */
void irq_unregister(int handle);

/* Mask or unmask a registered line; a handle not registered does nothing. */
void irq_mask(int handle);
void irq_unmask(int handle);

/* Interrupts handled on this line so far. */
uint64_t irq_count(int handle);

#endif
