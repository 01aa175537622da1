/*
 * Device access objects for user-space drivers: interrupt lines
 * (CAP_TYPE_IRQ) and I/O-port ranges (CAP_TYPE_IOPORTS). The kernel gives
 * init one capability for each ISA line and one for the whole port space;
 * init hands narrower ones to the drivers it starts.
 *
 * IRQ objects. There is one per ISA line (0..15), made at start-up and never
 * freed (an interrupt may be in flight on another CPU when the last
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
 * IoPorts objects name ports [base, base + count) and never change.
 * SYS_IOPORT_SUB makes one for a part of the range; SYS_IOPORT_ENABLE lets
 * the calling process use its ports: the kernel opens them in the process's
 * I/O permission bitmap, which the CPU checks on every in/out (arch:
 * ioperm.c). Any other port raises #GP, which kills the process like any
 * fault.
 *
 * Locking: irq_objs_lock guards every IRQ object's binding and is taken
 * before core/irq.h's own lock (the interrupt handler masks the line under
 * it); releasing a line waits for its handler, so it is never done under
 * irq_objs_lock (docs/locking.md). An IoPorts object is immutable; a
 * process's bitmap is guarded by its lock (p->lock).
 */
#ifndef ORB_CORE_DEVOBJ_H
#define ORB_CORE_DEVOBJ_H

#include "core/cspace.h"

#define DEVOBJ_ISA_IRQS 16

struct notification;
struct process;

struct irq_obj {
	struct kobject obj;
	unsigned line;		   /* ISA IRQ */
	int handle;		   /* irq_objs_lock: core/irq.h handle, or < 0 when unbound */
	struct notification *ntfn; /* irq_objs_lock: holds a reference, or NULL */
	uint64_t bits;		   /* irq_objs_lock: what an interrupt signals */
};

struct ioports_obj {
	struct kobject obj;
	uint32_t base;	/* first port */
	uint32_t count; /* 1..65536, base + count <= 65536 */
};

/* The IRQ object of ISA line `line` (0..15), with no capability yet; NULL if
 * out of range. Made once, at start-up (devobj_init). */
struct irq_obj *irq_obj_of(unsigned line);
void devobj_init(void);

/* SYS_IRQ_BIND: the line signals n with bits. Takes its own reference to n.
 * -ERR_BUSY if the kernel itself owns the line, -ERR_NOSPACE if no vector. */
int irq_obj_bind(struct irq_obj *irq, struct notification *n, uint64_t bits);

/* SYS_IRQ_ACK: unmasks the line. -ERR_INVAL if unbound. */
int irq_obj_ack(struct irq_obj *irq);

/* -ERR_INVAL for an empty range or one past port 0xffff; -ERR_NOMEM. */
int ioports_create(uint32_t base, uint32_t count, struct ioports_obj **out);

/* SYS_IOPORT_ENABLE for process p (arch: ioperm.c). */
int arch_ioports_enable(struct process *p, uint32_t base, uint32_t count);

/* Frees a process's I/O bitmap (tear-down). */
void arch_ioports_release(struct process *p);

#endif
