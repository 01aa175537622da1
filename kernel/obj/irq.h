/*
 * IRQ objects (CAP_TYPE_IRQ): an interrupt line a user-space driver may
 * bind and acknowledge. The kernel gives init one capability for each ISA
 * line; init hands them to the drivers it starts.
 *
 * There is one IRQ object per ISA line (0..15), made at start-up (irq_init)
 * and never freed (an interrupt may be in flight on another CPU when the last
 * capability goes, so the record must stay; its binding is what ends).
 * SYS_IRQ_BIND attaches the line to a notification: each interrupt masks the
 * line and signals the notification (with the badge of the notification
 * capability given, or bit 0 when unbadged); the driver handles the device
 * and calls SYS_IRQ_ACK, which unmasks the line. Binding again replaces the
 * notification (the line keeps its vector) and unmasks the line. When the
 * last capability to an IRQ object is deleted, the line is released (masked,
 * and any handler still running on another CPU waited for) and the
 * notification dropped.
 *
 * Not here: vectors, the interrupt controller and handler dispatch
 * (arch/irq.h), which this module registers the lines with.
 *
 * Locking: irq_table_lock guards every IRQ object's binding and is taken
 * before arch/irq.h's own lock (the interrupt handler masks the line under
 * it); releasing a line waits for its handler, so it is never done under
 * irq_table_lock (docs/locking.md).
 */
#ifndef ORB_OBJ_IRQ_H
#define ORB_OBJ_IRQ_H

#include "obj/kobject.h"

/* The ISA interrupt lines, one IRQ object each. */
#define IRQ_ISA_LINES 16

struct notification;

struct irq {
	struct kobject obj;
	unsigned line; /* ISA IRQ */
	int handle;    /* irq_table_lock: arch/irq.h handle, or < 0 when unbound */
	struct notification *notification; /* irq_table_lock: holds a reference, or NULL */
	uint64_t bits;			   /* irq_table_lock: what an interrupt signals */
};

/* Start-up: makes the IRQ objects, every line unbound. */
void irq_init(void);

/* The IRQ object of ISA line `line` (0..IRQ_ISA_LINES - 1), with no
 * capability yet; NULL if out of range. Made once, at start-up (irq_init). */
struct irq *irq_of(unsigned line);

/* SYS_IRQ_BIND: the line signals n with bits. Takes its own reference to n.
 * -ERR_BUSY if the kernel itself owns the line, -ERR_NOSPACE if no vector. */
int irq_bind(struct irq *irq, struct notification *n, uint64_t bits);

/* SYS_IRQ_ACK: unmasks the line. -ERR_INVAL if unbound. */
int irq_ack(struct irq *irq);

#endif
