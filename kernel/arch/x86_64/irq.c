/*
 * Device interrupt registration on x86-64 (see core/irq.h): a table of
 * handlers indexed by vector, vectors VEC_IRQ_FIRST..VEC_IRQ_LAST handed out
 * first-free, lines routed through the I/O APIC to the boot CPU. irq_lock
 * guards the table's allocation; dispatch reads an entry without the lock
 * (an entry is filled before its line is unmasked, and masked before it is
 * cleared).
 */
#include "core/irq.h"
#include "core/acpi.h"
#include "core/cpu.h"
#include "ioapic.h"
#include "lapic.h"
#include "lib/spinlock.h"

struct irq_slot {
	irq_handler_fn fn;
	void *ctx;
	uint32_t gsi;
	uint64_t count;
};

static struct irq_slot slots[VEC_IRQ_LAST - VEC_IRQ_FIRST + 1];
static struct spinlock irq_lock = SPINLOCK_INIT("irq");
extern struct acpi_info platform_acpi;

int irq_register_isa(unsigned isa_irq, irq_handler_fn fn, void *ctx)
{
	if (isa_irq > 15 || !fn)
		return -ERR_INVAL;
	uint16_t flags = 0;
	uint32_t gsi = acpi_irq_to_gsi(&platform_acpi, (uint8_t)isa_irq, &flags);
	/* ISA defaults are edge/active-high; overrides may say otherwise. */
	bool level = (flags & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL;
	bool low = (flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW;

	irqflags_t f = spin_lock_irqsave(&irq_lock);
	int handle = -ERR_NOSPACE;
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		if (slots[i].fn && slots[i].gsi == gsi) {
			handle = -ERR_BUSY;
			break;
		}
	}
	if (handle != -ERR_BUSY) {
		for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
			if (!slots[i].fn) {
				slots[i] = (struct irq_slot){fn, ctx, gsi, 0};
				handle = (int)i;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&irq_lock, f);
	if (handle < 0)
		return handle;
	int err =
	    ioapic_route(gsi, (uint8_t)(VEC_IRQ_FIRST + handle), cpus[0].hw_id, level, low, false);
	if (err) {
		f = spin_lock_irqsave(&irq_lock);
		slots[handle].fn = NULL;
		spin_unlock_irqrestore(&irq_lock, f);
		return err;
	}
	return handle;
}

void irq_unregister(int handle)
{
	if (handle < 0 || (size_t)handle >= ARRAY_SIZE(slots))
		return;
	ioapic_set_mask(slots[handle].gsi, true);
	irqflags_t f = spin_lock_irqsave(&irq_lock);
	slots[handle].fn = NULL;
	spin_unlock_irqrestore(&irq_lock, f);
}

void irq_mask(int handle)
{
	if (handle >= 0 && (size_t)handle < ARRAY_SIZE(slots) && slots[handle].fn)
		ioapic_set_mask(slots[handle].gsi, true);
}

void irq_unmask(int handle)
{
	if (handle >= 0 && (size_t)handle < ARRAY_SIZE(slots) && slots[handle].fn)
		ioapic_set_mask(slots[handle].gsi, false);
}

uint64_t irq_count(int handle)
{
	if (handle < 0 || (size_t)handle >= ARRAY_SIZE(slots))
		return 0;
	return __atomic_load_n(&slots[handle].count, __ATOMIC_RELAXED);
}

/* Called by trap_dispatch for a device vector, interrupts off. */
void irq_dispatch(unsigned vector)
{
	struct irq_slot *s = &slots[vector - VEC_IRQ_FIRST];
	if (s->fn) {
		__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
		s->fn(s->ctx);
	}
	lapic_eoi();
}
