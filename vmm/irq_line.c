/*
 * Level-triggered interrupt lines through a resampling irqfd or
 * KVM_IRQ_LINE; the rules are in irq_line.h.
 *
 * Trust boundary: none crosses here. The level comes from orbvm's own device
 * model; the guest only influences it through registers that model checks.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "err.h"
#include "irq/ioapic.h"
#include "irq_line.h"

void irq_line_init(struct irq_line *l, struct vm *vm, unsigned gsi)
{
	memset(l, 0, sizeof(*l));
	l->vm = vm;
	l->gsi = gsi;
	l->trigger_fd = l->resample_fd = -1;
	atomic_init(&l->level, false);
	/* Out of sources (31 devices on one pin): share vm_irq_line's source 0. */
	if (vm && vm->irqchip == VM_IRQCHIP_SPLIT) {
		int s = ioapic_source_alloc(&vm->ioapic, gsi);
		l->source = s > 0 ? (unsigned)s : 0;
	}
}

void irq_line_init_fds(struct irq_line *l, int trigger_fd, int resample_fd)
{
	irq_line_init(l, NULL, 0);
	l->trigger_fd = trigger_fd;
	l->resample_fd = resample_fd;
}

int irq_line_attach(struct irq_line *l)
{
	if (!l->vm)
		return err_set(ERR_NOSYS, "no VM for an irqfd");
	int t = eventfd(0, EFD_CLOEXEC);
	int r = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int e;
	if (t < 0 || r < 0) {
		e = err_set(ERR_NOMEM, "eventfd: %s", strerror(errno));
	} else if ((e = vm_irqfd(l->vm, l->gsi, t, r, false)) == 0) {
		l->trigger_fd = t;
		l->resample_fd = r;
		l->registered = true;
		return 0;
	}
	if (t >= 0)
		close(t);
	if (r >= 0)
		close(r);
	return e;
}

bool irq_line_uses_irqfd(const struct irq_line *l)
{
	return l->trigger_fd >= 0;
}

/* An eventfd write of 1 fails only when the counter would overflow. */
static void trigger(struct irq_line *l)
{
	uint64_t one = 1;
	(void)!write(l->trigger_fd, &one, sizeof(one));
}

void irq_line_set(struct irq_line *l, bool level)
{
	bool was = atomic_exchange(&l->level, level);
	if (l->trigger_fd < 0) {
		/* KVM_IRQ_LINE fails only if KVM is broken; the guest then times
		 * out its request, which is all that can happen. */
		if (l->vm && was != level)
			(void)vm_irq_source(l->vm, l->gsi, l->source, level);
		return;
	}
	/* Falling: KVM deasserts at the guest's EOI (irq_line.h). */
	if (level && !was)
		trigger(l);
}

void irq_line_resample(struct irq_line *l)
{
	uint64_t n;
	if (l->resample_fd < 0)
		return;
	/* Non-blocking (attach) or already readable: drain the count. */
	if (read(l->resample_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	/* KVM deasserted the GSI at the guest's EOI: still wanted, assert again. */
	if (atomic_load(&l->level))
		trigger(l);
}

void irq_line_destroy(struct irq_line *l)
{
	if (l->registered) {
		(void)vm_irqfd(l->vm, l->gsi, l->trigger_fd, -1, true);
		close(l->trigger_fd);
		close(l->resample_fd);
	}
	l->registered = false;
	l->trigger_fd = l->resample_fd = -1;
}
