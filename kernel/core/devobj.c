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

/* Interrupt context, on any CPU: mask until the driver acknowledges, then
 * signal. The binding's reference keeps the notification alive while
 * irq_objs_lock is held (unbinding swaps it out under the lock and drops it
 * after). The irq_obj itself is never freed. Lock order: irq_objs_lock, then
 * irq.c's irq_lock (irq_mask), then ipc_lock (ntfn_signal). */
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

/*
 * The last capability is gone: release the line, then drop the notification.
 * irq_unregister() waits for a handler still running on another CPU, and that
 * handler may be spinning on irq_objs_lock, so it is called without the lock;
 * the binding is cleared first, so such a handler finds nothing to signal.
 * No syscall can bind meanwhile: each holds a reference to the object, and
 * this runs only once the last one is gone.
 */
static void irq_obj_destroy(struct kobject *obj)
{
	struct irq_obj *irq = container_of(obj, struct irq_obj, obj);
	irqflags_t f = spin_lock_irqsave(&irq_objs_lock);
	int handle = irq->handle;
	struct notification *n = irq->ntfn;
	irq->handle = -1;
	irq->ntfn = NULL;
	spin_unlock_irqrestore(&irq_objs_lock, f);
	if (handle >= 0)
		irq_unregister(handle);
	if (n)
		kobject_put(&n->obj);
	/* Ready to be handed out again (the record itself stays). */
	f = spin_lock_irqsave(&irq_objs_lock);
	kobject_init(&irq->obj, CAP_TYPE_IRQ, irq_obj_destroy);
	spin_unlock_irqrestore(&irq_objs_lock, f);
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

/*
 * The first bind registers the line; binding again keeps the registration
 * and only swaps the notification, so a rebind never releases a vector while
 * an interrupt may be in flight, and never re-routes the line. Either way
 * the line ends unmasked: a new driver starts with interrupts on, whatever
 * its predecessor left unacknowledged. Registering takes irq_lock and
 * ioapic_lock, which nest inside irq_objs_lock, and never waits, so it is
 * done under the lock: two binders cannot both register.
 */
int irq_obj_bind(struct irq_obj *irq, struct notification *n, uint64_t bits)
{
	kobject_get(&n->obj);
	irqflags_t f = spin_lock_irqsave(&irq_objs_lock);
	if (irq->handle < 0) {
		int h = irq_register_isa(irq->line, irq_obj_interrupt, irq);
		if (h < 0) {
			spin_unlock_irqrestore(&irq_objs_lock, f);
			kobject_put(&n->obj);
			return h == -ERR_NOSPACE ? -ERR_NOSPACE : -ERR_BUSY;
		}
		irq->handle = h;
	}
	struct notification *old = irq->ntfn;
	irq->ntfn = n;
	irq->bits = bits ? bits : 1;
	irq_unmask(irq->handle);
	spin_unlock_irqrestore(&irq_objs_lock, f);
	if (old)
		kobject_put(&old->obj);
	return 0;
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
