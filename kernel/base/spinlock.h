/*
 * Ticket spinlocks.
 *
 * A ticket lock hands the lock out in arrival order, so no CPU starves. The
 * plain variants leave interrupts alone; the _irqsave variants disable
 * interrupts on the local CPU first and restore them on release, and must be
 * used for any lock that an interrupt handler also takes.
 *
 * Lock order: a code path that needs two locks takes them in the order listed
 * in docs/locking.md, and never sleeps or blocks while holding one. Each struct
 * that a lock protects names the lock beside the fields it guards.
 *
 * This file is portable: the only CPU-specific pieces are arch_cpu_relax() and
 * the interrupt-flag helpers from arch/cpu.h.
 */
#ifndef ORB_BASE_SPINLOCK_H
#define ORB_BASE_SPINLOCK_H

#include "lib/types.h"
#include "arch/cpu.h"

struct spinlock {
	uint32_t next;	  /* next ticket to hand out */
	uint32_t serving; /* ticket now holding the lock */
	const char *name; /* for debugging */
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		0, 0, (n)                                                                          \
	}

static inline void spin_init(struct spinlock *l, const char *name)
{
	l->next = 0;
	l->serving = 0;
	l->name = name;
}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != me)
		arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

/* Disables local interrupts, takes the lock, and returns the old interrupt state. */
static inline irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t f = arch_irq_save();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f)
{
	spin_unlock(l);
	arch_irq_restore(f);
}

#endif
