/*
 * IRQ objects: the table of ISA lines, binding, acknowledging and the
 * interrupt handler that signals the bound notification (see irq.h).
 */
#include "obj/irq.h"
#include "obj/notification.h"
#include "arch/irq.h"
#include "base/spinlock.h"
#include <orbital/errors.h>

static struct spinlock irq_table_lock = SPINLOCK_INIT("irq_table");
static struct irq irq_table[IRQ_ISA_LINES];

/* Interrupt context, on any CPU: mask until the driver acknowledges, then
 * signal. The binding's reference keeps the notification alive while
 * irq_table_lock is held (unbinding swaps it out under the lock and drops it
 * after). The IRQ object itself is never freed. Lock order: irq_table_lock, then
 * the arch layer's irq_lock (arch_irq_mask), then ipc_lock (notification_signal). */
static void irq_interrupt(void *ctx)
{
	struct irq *irq = ctx;
	spin_lock(&irq_table_lock);
	if (irq->notification) {
		arch_irq_mask(irq->handle);
		notification_signal(irq->notification, irq->bits);
	}
	spin_unlock(&irq_table_lock);
}

/*
 * The last capability is gone: release the line, then drop the notification.
 * arch_irq_unregister() waits for a handler still running on another CPU, and that
 * handler may be spinning on irq_table_lock, so it is called without the lock;
 * the binding is cleared first, so such a handler finds nothing to signal.
 * No syscall can bind meanwhile: each holds a reference to the object, and
 * this runs only once the last one is gone.
 */
static void irq_destroy(struct kobject *obj)
{
	struct irq *irq = container_of(obj, struct irq, obj);
	irqflags_t f = spin_lock_irqsave(&irq_table_lock);
	int handle = irq->handle;
	struct notification *n = irq->notification;
	irq->handle = -1;
	irq->notification = NULL;
	spin_unlock_irqrestore(&irq_table_lock, f);
	if (handle >= 0)
		arch_irq_unregister(handle);
	if (n)
		kobject_put(&n->obj);
	/* Ready to be handed out again (the record itself stays). */
	f = spin_lock_irqsave(&irq_table_lock);
	kobject_init(&irq->obj, CAP_TYPE_IRQ, irq_destroy);
	spin_unlock_irqrestore(&irq_table_lock, f);
}

void irq_init(void)
{
	for (unsigned i = 0; i < IRQ_ISA_LINES; i++) {
		irq_table[i].line = i;
		irq_table[i].handle = -1;
		kobject_init(&irq_table[i].obj, CAP_TYPE_IRQ, irq_destroy);
	}
}

struct irq *irq_of(unsigned line)
{
	return line < IRQ_ISA_LINES ? &irq_table[line] : NULL;
}

/*
 * The first bind registers the line; binding again keeps the registration
 * and only swaps the notification, so a rebind never releases a vector while
 * an interrupt may be in flight, and never re-routes the line. Either way
 * the line ends unmasked: a new driver starts with interrupts on, whatever
 * its predecessor left unacknowledged. Registering takes irq_lock and
 * ioapic_lock, which nest inside irq_table_lock, and never waits, so it is
 * done under the lock: two binders cannot both register.
 */
int irq_bind(struct irq *irq, struct notification *n, uint64_t bits)
{
	kobject_get(&n->obj);
	irqflags_t f = spin_lock_irqsave(&irq_table_lock);
	if (irq->handle < 0) {
		int h = arch_irq_register_isa(irq->line, irq_interrupt, irq);
		if (h < 0) {
			spin_unlock_irqrestore(&irq_table_lock, f);
			kobject_put(&n->obj);
			return h == -ERR_NOSPACE ? -ERR_NOSPACE : -ERR_BUSY;
		}
		irq->handle = h;
	}
	struct notification *old = irq->notification;
	irq->notification = n;
	irq->bits = bits ? bits : 1;
	arch_irq_unmask(irq->handle);
	spin_unlock_irqrestore(&irq_table_lock, f);
	if (old)
		kobject_put(&old->obj);
	return 0;
}

int irq_ack(struct irq *irq)
{
	irqflags_t f = spin_lock_irqsave(&irq_table_lock);
	int err = irq->handle >= 0 ? 0 : -ERR_INVAL;
	if (!err)
		arch_irq_unmask(irq->handle);
	spin_unlock_irqrestore(&irq_table_lock, f);
	return err;
}
