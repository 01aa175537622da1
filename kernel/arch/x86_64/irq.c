/*
 * Device interrupt registration on x86-64 (see arch/irq.h): a table of
 * handlers indexed by vector, vectors VEC_IRQ_FIRST..VEC_IRQ_LAST handed out
 * first-free, lines routed through the I/O APIC to the boot CPU.
 *
 * A slot is FREE, BOUND (fn and ctx set, the line routed to its vector) or
 * DRAINING (released: fn cleared and the line masked, but a CPU may still be
 * running the old handler). irq_lock guards the state, gsi and every write
 * of fn and ctx, and is taken before ioapic_lock.
 *
 * Dispatch runs on any CPU the vector arrives at and takes no lock: it counts
 * itself in the slot's `running`, then reads fn once (acquire) and ctx after
 * it. Release clears fn, then waits until `running` drops to zero before the
 * slot becomes FREE; both sides order their write before their read with a
 * full barrier (the dispatcher's locked add, release's seq_cst store), so
 * either the dispatcher sees fn cleared or release sees the dispatcher and
 * waits for it. A FREE slot's ctx is written before its fn is published
 * (release), so a dispatcher that reads a new fn reads that fn's ctx. Hence
 * a handler is never called after arch_irq_unregister() returns, never with a
 * context other than its own, and never through a NULL pointer.
 *
 * One interrupt accepted by a CPU before its line was masked may still be
 * waiting in that CPU's local APIC when release returns; it then finds the
 * slot free (and is only acknowledged) or, if the vector was handed out
 * again meanwhile, reaches the new handler once: handlers treat an interrupt
 * as "look at the device", never as proof that it has work.
 */
#include "arch/irq.h"
#include "boot/acpi.h"
#include "sched/cpu.h"
#include "ioapic.h"
#include "x86/lapic.h"
#include "base/spinlock.h"
#include "arch/cpu.h"

enum slot_state { SLOT_FREE, SLOT_BOUND, SLOT_DRAINING };

struct irq_slot {
	arch_irq_handler_fn fn; /* irq_lock to write; dispatch reads it once; NULL unless BOUND */
	void *ctx;		/* irq_lock; written only while FREE, before fn is published */
	uint32_t gsi;		/* irq_lock */
	uint32_t state;		/* irq_lock: enum slot_state */
	uint32_t running;	/* atomic: CPUs inside this slot's dispatch now */
	uint64_t count;		/* atomic: interrupts handled */
};

static struct irq_slot slots[VEC_IRQ_LAST - VEC_IRQ_FIRST + 1];
static struct spinlock irq_lock = SPINLOCK_INIT("irq");
extern struct acpi_info platform_acpi;

static bool handle_ok(int handle)
{
	return handle >= 0 && (size_t)handle < ARRAY_SIZE(slots);
}

int arch_irq_register_isa(unsigned isa_irq, arch_irq_handler_fn fn, void *ctx)
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
		if (slots[i].state == SLOT_BOUND && slots[i].gsi == gsi) {
			spin_unlock_irqrestore(&irq_lock, f);
			return -ERR_BUSY;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		if (slots[i].state == SLOT_FREE) {
			handle = (int)i;
			break;
		}
	}
	if (handle < 0) {
		spin_unlock_irqrestore(&irq_lock, f);
		return handle;
	}
	/* Route the line masked, publish the handler, then open the line, all
	 * under irq_lock: the release of the line's previous slot (which may
	 * still be DRAINING) masked it under this lock before leaving BOUND, so
	 * it cannot mask the new route afterwards. */
	struct irq_slot *s = &slots[handle];
	int err = ioapic_route(gsi, (uint8_t)(VEC_IRQ_FIRST + handle), cpu_by_id(0)->hw_id, level,
			       low, true);
	if (err) {
		spin_unlock_irqrestore(&irq_lock, f);
		return err;
	}
	s->gsi = gsi;
	s->state = SLOT_BOUND;
	__atomic_store_n(&s->count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	ioapic_set_mask(gsi, false);
	spin_unlock_irqrestore(&irq_lock, f);
	return handle;
}

void arch_irq_unregister(int handle)
{
	if (!handle_ok(handle))
		return;
	struct irq_slot *s = &slots[handle];
	irqflags_t f = spin_lock_irqsave(&irq_lock);
	if (s->state != SLOT_BOUND) {
		spin_unlock_irqrestore(&irq_lock, f);
		return;
	}
	ioapic_set_mask(s->gsi, true);
	__atomic_store_n(&s->fn, NULL, __ATOMIC_SEQ_CST);
	s->state = SLOT_DRAINING;
	spin_unlock_irqrestore(&irq_lock, f);

	/* Wait out every CPU that read the old fn (see the header). No lock is
	 * held: a handler may take locks of its own. */
	while (__atomic_load_n(&s->running, __ATOMIC_SEQ_CST) != 0)
		arch_cpu_relax();

	f = spin_lock_irqsave(&irq_lock);
	__atomic_store_n(&s->ctx, NULL, __ATOMIC_RELAXED);
	s->state = SLOT_FREE;
	spin_unlock_irqrestore(&irq_lock, f);
}

/* Masks or unmasks a bound line; a stale or free handle does nothing (the
 * state is read under irq_lock, so it cannot turn into another line's). */
static void set_mask(int handle, bool masked)
{
	if (!handle_ok(handle))
		return;
	irqflags_t f = spin_lock_irqsave(&irq_lock);
	if (slots[handle].state == SLOT_BOUND)
		ioapic_set_mask(slots[handle].gsi, masked);
	spin_unlock_irqrestore(&irq_lock, f);
}

void arch_irq_mask(int handle)
{
	set_mask(handle, true);
}

void arch_irq_unmask(int handle)
{
	set_mask(handle, false);
}

uint64_t arch_irq_count(int handle)
{
	if (!handle_ok(handle))
		return 0;
	return __atomic_load_n(&slots[handle].count, __ATOMIC_RELAXED);
}

/* Called by trap_dispatch for a device vector, interrupts off, on any CPU. */
void irq_dispatch(unsigned vector)
{
	struct irq_slot *s = &slots[vector - VEC_IRQ_FIRST];
	/* A locked add is a full barrier: the count is visible before fn is read. */
	__atomic_fetch_add(&s->running, 1, __ATOMIC_SEQ_CST);
	arch_irq_handler_fn fn = __atomic_load_n(&s->fn, __ATOMIC_ACQUIRE);
	if (fn) {
		void *ctx = __atomic_load_n(&s->ctx, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
		fn(ctx);
	}
	__atomic_fetch_sub(&s->running, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}
