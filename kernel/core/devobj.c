/*
 * Device access objects (see devobj.h).
 */
#include "core/devobj.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "mm/heap.h"
#include "lib/panic.h"
#include <orbital/errors.h>

static struct spinlock irq_objs_lock = SPINLOCK_INIT("irq_objs");
static struct irq_obj irq_objs[DEVOBJ_ISA_IRQS];

/* Interrupt context: mask until the driver acknowledges, then signal. The
 * binding's reference keeps the notification alive while irq_objs_lock is
 * held (unbinding swaps it out under the lock and drops it after). */
static void irq_obj_interrupt(void *ctx)
{
	struct irq_obj *irq = ctx;
	spin_lock(&irq_objs_lock);
	if (irq->ntfn) {
		irq_mask(irq->handle);
		ntfn_signal(irq->ntfn, irq->bits);
	}
	spin_unlock(&irq_objs_lock);
}

/* Unbinds (irq_objs_lock held); returns the notification to drop. */
static struct notification *unbind_locked(struct irq_obj *irq)
{
	if (irq->handle >= 0)
		irq_unregister(irq->handle);
	irq->handle = -1;
	struct notification *n = irq->ntfn;
	irq->ntfn = NULL;
	return n;
}

static void irq_obj_destroy(struct kobject *obj)
{
	struct irq_obj *irq = container_of(obj, struct irq_obj, obj);
	irqflags_t f = spin_lock_irqsave(&irq_objs_lock);
	struct notification *n = unbind_locked(irq);
	/* Ready to be handed out again (the record itself stays). */
	kobject_init(&irq->obj, CAP_TYPE_IRQ, irq_obj_destroy);
	spin_unlock_irqrestore(&irq_objs_lock, f);
	if (n)
		kobject_put(&n->obj);
}

void devobj_init(void)
{
	for (unsigned i = 0; i < DEVOBJ_ISA_IRQS; i++) {
		irq_objs[i].line = i;
		irq_objs[i].handle = -1;
		kobject_init(&irq_objs[i].obj, CAP_TYPE_IRQ, irq_obj_destroy);
	}
}

struct irq_obj *irq_obj_of(unsigned line)
{
	return line < DEVOBJ_ISA_IRQS ? &irq_objs[line] : NULL;
}

int irq_obj_bind(struct irq_obj *irq, struct notification *n, uint64_t bits)
{
	kobject_get(&n->obj);
	irqflags_t f = spin_lock_irqsave(&irq_objs_lock);
	struct notification *old = unbind_locked(irq);
	irq->ntfn = n;
	irq->bits = bits ? bits : 1;
	spin_unlock_irqrestore(&irq_objs_lock, f);
	if (old)
		kobject_put(&old->obj);
	/* Registering programs the I/O APIC: outside our lock. The line starts
	 * unmasked; an interrupt before we store the handle finds it bound. */
	int h = irq_register_isa(irq->line, irq_obj_interrupt, irq);
	f = spin_lock_irqsave(&irq_objs_lock);
	if (h >= 0 && irq->ntfn == n) {
		irq->handle = h;
		h = 0;
	} else if (h >= 0) {
		irq_unregister(h); /* rebound meanwhile */
		h = 0;
	} else {
		old = irq->ntfn == n ? unbind_locked(irq) : NULL;
		spin_unlock_irqrestore(&irq_objs_lock, f);
		if (old)
			kobject_put(&old->obj);
		return h == -ERR_NOSPACE ? -ERR_NOSPACE : -ERR_BUSY;
	}
	spin_unlock_irqrestore(&irq_objs_lock, f);
	return h;
}

int irq_obj_ack(struct irq_obj *irq)
{
	irqflags_t f = spin_lock_irqsave(&irq_objs_lock);
	int err = irq->handle >= 0 ? 0 : -ERR_INVAL;
	if (!err)
		irq_unmask(irq->handle);
	spin_unlock_irqrestore(&irq_objs_lock, f);
	return err;
}

static void ioports_destroy(struct kobject *obj)
{
	kfree(container_of(obj, struct ioports_obj, obj));
}

int ioports_create(uint32_t base, uint32_t count, struct ioports_obj **out)
{
	if (count == 0 || base > 0xffff || count > 0x10000 - base)
		return -ERR_INVAL;
	struct ioports_obj *io = kzalloc(sizeof(*io));
	if (!io)
		return -ERR_NOMEM;
	io->base = base;
	io->count = count;
	kobject_init(&io->obj, CAP_TYPE_IOPORTS, ioports_destroy);
	*out = io;
	return 0;
}
