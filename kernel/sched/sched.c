/*
 * The scheduler (see sched.h for the rules and the locking).
 */
#include "sched/sched.h"
#include "sched/balance.h"
#include "sched/time.h"
#include "debug/panic.h"
#include "console/kprintf.h"
#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/smp.h"

static struct thread *node_thread(struct sched_node *n)
{
	return container_of(n, struct thread, node);
}

uint32_t sched_load(unsigned cpu)
{
	struct cpu *c = cpu_by_id(cpu);
	uint32_t load = __atomic_load_n(&c->rq.count, __ATOMIC_RELAXED);
	struct thread *cur = __atomic_load_n(&c->current, __ATOMIC_RELAXED);
	return load + (cur && cur != c->idle ? 1 : 0);
}

void sched_init_cpu(struct cpu *c, struct thread *idle)
{
	spin_init(&c->rq_lock, "rq");
	rq_init(&c->rq, c->id);
	c->sleepers = NULL;
	c->idle = idle;
	c->current = idle;
	idle->state = THREAD_RUNNING;
	idle->on_cpu = 1;
	idle->node.cpu = c->id;
	c->slice_left = SCHED_SLICE_TICKS;
}

/* Finishes a switch: the thread we came from is off its stack now. Runs on
 * the new thread with this CPU's rq_lock held (taken by schedule on this CPU). */
void sched_finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->arch_prev;
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	spin_unlock(&c->rq_lock);
}

/* Switches away from the current thread. Interrupts are off and c->rq_lock is
 * held. Inline in each caller: schedule() (every yield and preemption) is hot. */
static inline __attribute__((always_inline)) void schedule_locked(struct cpu *c)
{
	struct thread *prev = c->current;
	struct sched_node *n;
	c->need_resched = false;
	if (prev != c->idle && (prev->state == THREAD_RUNNING || prev->state == THREAD_READY)) {
		/* prev's affinity allows c: it is fixed at creation and was
		 * checked when prev was queued here (runqueue.c), or when
		 * another CPU stole it (rq_steal). The common case of a yield
		 * or an ended slice is one rotation of prev's level. */
		prev->state = THREAD_READY;
		n = rq_requeue_pick(&c->rq, &prev->node);
	} else {
		n = rq_pick(&c->rq);
	}
	struct thread *next = n ? node_thread(n) : c->idle;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		c->slice_left = SCHED_SLICE_TICKS;
		spin_unlock(&c->rq_lock);
		return;
	}
	/* A thread stolen from another CPU may still be leaving that CPU's stack. */
	if (__builtin_expect(__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE), 0))
		while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
			arch_cpu_relax();
	next->on_cpu = 1;
	next->state = THREAD_RUNNING;
	next->node.cpu = c->id;
	c->current = next;
	c->slice_left = SCHED_SLICE_TICKS;
	c->switches++;
	c->arch_prev = prev;
	arch_thread_switch(prev, next);
	/* We are prev again, possibly on another CPU. */
	sched_finish_switch();
}

void schedule(void)
{
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	KASSERT(c->preempt_off == 0);
	spin_lock(&c->rq_lock);
	schedule_locked(c);
	arch_irq_restore(f);
}

void sched_block(void)
{
	schedule();
}

/*
 * The CPU of t is read before its lock is held, so it may be stale: t may
 * have been stolen by another CPU meanwhile, run there and blocked there (on
 * that CPU's sleep list). Waking it under the old CPU's lock would put it on
 * a run queue while it is still on the other CPU's sleep list (the tick then
 * queues it twice). So the CPU is checked again after the state: a BLOCKED
 * thread's CPU no longer changes, and a thread cannot come back to CPU c
 * without c's lock, which we hold; if it still says c, t is blocked on c.
 */
void sched_wake(struct thread *t)
{
	struct cpu *c;
	irqflags_t f;
	for (;;) {
		c = cpu_by_id(__atomic_load_n(&t->node.cpu, __ATOMIC_ACQUIRE));
		f = spin_lock_irqsave(&c->rq_lock);
		uint32_t state = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->node.cpu, __ATOMIC_ACQUIRE) == c->id) {
			if (state == THREAD_BLOCKED)
				break;
			spin_unlock_irqrestore(&c->rq_lock, f);
			return;
		}
		spin_unlock_irqrestore(&c->rq_lock, f); /* it moved: try its new CPU */
	}
	/* Off the sleep list, if it was sleeping. */
	for (struct thread **pp = &c->sleepers; *pp; pp = &(*pp)->sleep_next) {
		if (*pp == t) {
			*pp = t->sleep_next;
			break;
		}
	}
	t->state = THREAD_READY;
	bool kick = false;
	if (c->current != t) {
		rq_enqueue_tail(&c->rq, &t->node);
		kick = c->current == c->idle || t->node.prio > c->current->node.prio;
	}
	/* Decided with interrupts still off: the caller cannot move to another
	 * CPU between "is c my CPU?" and setting c's need_resched (a field only
	 * its own CPU may write). */
	if (kick && c == this_cpu()) {
		c->need_resched = true;
		kick = false;
	}
	spin_unlock_irqrestore(&c->rq_lock, f);
	if (kick)
		arch_resched_cpu(c);
}

void thread_yield(void)
{
	schedule();
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t deadline = time_now_ns() + ns;
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	spin_lock(&c->rq_lock);
	t->wake_at = deadline;
	struct thread **pp = &c->sleepers;
	while (*pp && (*pp)->wake_at <= deadline)
		pp = &(*pp)->sleep_next;
	t->sleep_next = *pp;
	*pp = t;
	t->state = THREAD_BLOCKED;
	schedule_locked(c);
	arch_irq_restore(f);
}

/* Wakes the sleepers whose time has come. c->rq_lock held. */
static void wake_sleepers(struct cpu *c, uint64_t now)
{
	while (c->sleepers && c->sleepers->wake_at <= now) {
		struct thread *t = c->sleepers;
		c->sleepers = t->sleep_next;
		t->sleep_next = NULL;
		t->timed_out = true;
		t->state = THREAD_READY;
		if (c->current != t)
			rq_enqueue_tail(&c->rq, &t->node);
		if (c->current == c->idle || t->node.prio > c->current->node.prio)
			c->need_resched = true;
	}
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	c->ticks++;
	spin_lock(&c->rq_lock);
	if (c->sleepers)
		wake_sleepers(c, time_now_ns());
	if (c->current == c->idle) {
		c->idle_ticks++;
		if (rq_count(&c->rq))
			c->need_resched = true;
	} else {
		if (c->slice_left && --c->slice_left == 0 &&
		    rq_peek_prio(&c->rq) >= (int)c->current->node.prio)
			c->need_resched = true; /* slice used up and a peer (or better) waits */
		if (c->slice_left == 0)
			c->slice_left = SCHED_SLICE_TICKS;
		if (rq_should_preempt(&c->rq, c->current->node.prio))
			c->need_resched = true;
	}
	spin_unlock(&c->rq_lock);
}

/*
 * An idle CPU takes a ready thread from the busiest CPU, if any is worth it.
 *
 * Between the steal and the enqueue the thread is on no queue: only this
 * idle thread's local variable holds it. Interrupts stay off across both, so
 * nothing can preempt the idle thread in between. (With them on, an interrupt
 * that found need_resched set, an IPI or tick for a thread just woken here,
 * switched to that thread, and the idle thread, holding the stolen one, ran
 * again only once this CPU had nothing else to run: a thread that yields in a
 * loop here kept the stolen thread READY and unscheduled for as long as it
 * yielded. t_yieldwake, part "rounds", on 4 CPUs.)
 */
static bool pull_work(struct cpu *self)
{
	uint32_t loads[MAX_CPUS];
	for (unsigned i = 0; i < ncpus; i++)
		loads[i] = cpu_by_id(i)->online
			       ? __atomic_load_n(&cpu_by_id(i)->rq.count, __ATOMIC_RELAXED)
			       : 0;
	loads[self->id] = 0;
	int src = balance_pick_source(loads, ncpus, self->id);
	if (src < 0 || (unsigned)src == self->id || loads[src] == 0)
		return false;
	struct cpu *from = cpu_by_id((unsigned)src);
	irqflags_t f = arch_irq_save();
	spin_lock(&from->rq_lock);
	struct sched_node *n = rq_steal(&from->rq, self->id);
	spin_unlock(&from->rq_lock); /* two rq_locks are never held at once */
	if (n) {
		spin_lock(&self->rq_lock);
		rq_enqueue_tail(&self->rq, n); /* sets n->cpu under self's lock */
		spin_unlock(&self->rq_lock);
	}
	arch_irq_restore(f);
	return n != NULL;
}

noreturn void sched_idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		thread_reap();
		if (__atomic_load_n(&c->rq.count, __ATOMIC_RELAXED) || pull_work(c)) {
			schedule();
			continue;
		}
		arch_irq_disable();
		if (!c->rq.count && !c->need_resched)
			arch_idle(); /* sti; hlt: wakes on the next interrupt */
		arch_irq_enable();
		if (c->need_resched)
			schedule();
	}
}

/* ---- Blocking with a deadline (used by IPC and process waits) ---------- */

void sched_prepare_block(void)
{
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	spin_lock(&c->rq_lock);
	c->current->state = THREAD_BLOCKED;
	spin_unlock(&c->rq_lock);
	arch_irq_restore(f);
}

bool sched_block_until(uint64_t deadline)
{
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	spin_lock(&c->rq_lock);
	t->timed_out = false;
	if (t->state != THREAD_BLOCKED) { /* woken before it could sleep */
		spin_unlock(&c->rq_lock);
		arch_irq_restore(f);
		return false;
	}
	if (deadline != UINT64_MAX) {
		t->wake_at = deadline;
		struct thread **pp = &c->sleepers;
		while (*pp && (*pp)->wake_at <= deadline)
			pp = &(*pp)->sleep_next;
		t->sleep_next = *pp;
		*pp = t;
	}
	schedule_locked(c);
	arch_irq_restore(f);
	return t->timed_out;
}
