/*
 * Device interrupts: registering a handler for an interrupt line.
 *
 * A driver (and later the kernel's IRQ objects for user-space drivers) asks
 * for an ISA IRQ (the MADT's interrupt source overrides are applied) or a
 * global system interrupt; the arch layer allocates a vector, programs the
 * interrupt controller (I/O APIC) to deliver it to the boot CPU, and calls the
 * handler with interrupts off. The end-of-interrupt is sent after the handler
 * returns. Lines start unmasked; irq_mask/irq_unmask control them.
 */
#ifndef ORB_CORE_IRQ_H
#define ORB_CORE_IRQ_H

#include "lib/types.h"

typedef void (*irq_handler_fn)(void *ctx);

/* Returns a handle (>= 0) or -ERR_NOSPACE (no free vector), -ERR_NOENT (no
 * controller for that line), -ERR_BUSY (line already taken). */
int irq_register_isa(unsigned isa_irq, irq_handler_fn fn, void *ctx);

void irq_unregister(int handle);
void irq_mask(int handle);
void irq_unmask(int handle);

/* Interrupts handled on this line so far. */
uint64_t irq_count(int handle);

#endif
