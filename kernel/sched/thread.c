/*
 * Thread creation, exit, joining and reaping (see thread.h).
 *
 * threads_lock guards the list of all threads, the zombie list of detached
 * threads that died, every thread's joiners queue and its `detached` flag.
 * A thread is freed only once it is DEAD and off its stack (on_cpu == 0):
 * by thread_join, or, for detached threads, by thread_reap in an idle loop.
 */
#include "sched/thread.h"
#include "sched/sched.h"
#include "sched/balance.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "console/kprintf.h"
#include "mm/heap.h"
#include "mm/kstack.h"
#include "arch/context.h"

static struct spinlock threads_lock = SPINLOCK_INIT("threads");
static struct thread *all_threads; /* guarded by threads_lock */
static struct thread *zombies;	   /* guarded by threads_lock */
static size_t live_threads;	   /* guarded by threads_lock */
static uint32_t next_tid = 1;

/*
 * this_cpu()->current is two loads: the CPU's block through GS, then its
 * `current`. A thread preempted between them and resumed on another CPU
 * would read the OLD CPU's current (by then another thread, or that CPU's
 * idle thread) and act on it as itself: exit it, block it, run its entry.
 * Interrupts are therefore off across both loads; the thread cannot move
 * while they are, and on whatever CPU it later runs, it is that CPU's current.
 */
struct thread *thread_current(void)
{
	/* One load through GS: a thread moved to another CPU between finding
	 * "this CPU" and reading its current would see someone else. */
	return (struct thread *)arch_this_cpu_read64(offsetof(struct cpu, current));
}

size_t thread_count(void)
{
	return __atomic_load_n(&live_threads, __ATOMIC_RELAXED);
}

/* Runs first on a new thread's stack (called from the arch trampoline). */
noreturn void thread_start(void)
{
	sched_finish_switch();
	arch_irq_enable();
	struct thread *t = thread_current();
	t->entry(t->arg);
	thread_exit();
}

static void thread_free(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	for (struct thread **pp = &all_threads; *pp; pp = &(*pp)->all_next) {
		if (*pp == t) {
			*pp = t->all_next;
			break;
		}
	}
	spin_unlock_irqrestore(&threads_lock, f);
	kstack_free(t->kstack_top);
	kfree(t->fpu_alloc);
	kfree(t);
	/* Counted out only once everything is back, so a leak check that sees the
	 * count return also sees the memory. */
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELEASE);
}

struct thread *thread_create_stopped(const char *name, void (*entry)(void *), void *arg, int prio,
				     uint64_t affinity)
{
	if (prio < 0 || prio >= SCHED_NPRIO)
		return NULL;
	/* Start on the least loaded online CPU the affinity allows (none: refuse). */
	uint32_t loads[MAX_CPUS];
	for (unsigned i = 0; i < ncpus; i++) {
		bool online = __atomic_load_n(&cpu_by_id(i)->online, __ATOMIC_ACQUIRE);
		loads[i] = online ? sched_load(i) : UINT32_MAX;
	}
	int cpu = balance_pick_cpu(loads, ncpus, affinity);
	if (cpu < 0 || !cpu_by_id((unsigned)cpu)->online)
		return NULL;
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return NULL;
	}
	strlcpy(t->name, name, sizeof(t->name));
	t->entry = entry;
	t->arg = arg;
	sched_node_init(&t->node, (uint8_t)prio, affinity);
	wait_node_init(&t->wait, (uint8_t)prio);
	waitq_init(&t->joiners);
	arch_thread_setup(t, true);
	if (!t->fpu) {
		kstack_free(t->kstack_top);
		kfree(t);
		return NULL;
	}
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);

	irqflags_t f = spin_lock_irqsave(&threads_lock);
	t->all_next = all_threads;
	all_threads = t;
	__atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&threads_lock, f);

	t->node.cpu = (uint32_t)cpu;
	t->state = THREAD_BLOCKED;
	return t;
}

struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, int prio,
			     uint64_t affinity)
{
	struct thread *t = thread_create_stopped(name, entry, arg, prio, affinity);
	if (t)
		sched_wake(t);
	return t;
}

struct thread *thread_create_idle(struct cpu *c, vaddr_t stack_top)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack_top = stack_top ? stack_top : kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return NULL;
	}
	ksnprintf(t->name, sizeof(t->name), "idle%u", c->id);
	sched_node_init(&t->node, THREAD_PRIO_IDLE, (uint64_t)1 << c->id);
	wait_node_init(&t->wait, THREAD_PRIO_IDLE);
	waitq_init(&t->joiners);
	arch_thread_setup(t, false); /* the CPU is already on its stack */
	if (!t->fpu) {
		if (!stack_top)
			kstack_free(t->kstack_top);
		kfree(t);
		return NULL;
	}
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	return t;
}

noreturn void thread_exit(void)
{
	struct thread *t = thread_current();
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	/* Dead before anyone is told, so a joiner never misses it; on_cpu says when
	 * the stack is free. */
	struct cpu *c = this_cpu();
	spin_lock(&c->rq_lock);
	t->state = THREAD_DEAD;
	spin_unlock(&c->rq_lock);
	struct wait_node *w;
	while ((w = waitq_pop(&t->joiners)) != NULL)
		sched_wake(container_of(w, struct thread, wait));
	if (t->detached) {
		t->zombie_next = zombies;
		zombies = t;
	}
	spin_unlock_irqrestore(&threads_lock, f);
	arch_irq_disable();
	schedule();
	panic("thread_exit: dead thread %s was scheduled again", t->name);
}

void thread_join(struct thread *t)
{
	struct thread *me = thread_current();
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	KASSERT(!t->detached);
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != THREAD_DEAD) {
		struct cpu *c = this_cpu();
		spin_lock(&c->rq_lock);
		me->state = THREAD_BLOCKED;
		spin_unlock(&c->rq_lock);
		waitq_add(&t->joiners, &me->wait);
		spin_unlock_irqrestore(&threads_lock, f);
		sched_block();
		f = spin_lock_irqsave(&threads_lock);
	}
	spin_unlock_irqrestore(&threads_lock, f);
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	thread_free(t);
}

void thread_detach(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	t->detached = true;
	if (t->state == THREAD_DEAD) {
		t->zombie_next = zombies;
		zombies = t;
	}
	spin_unlock_irqrestore(&threads_lock, f);
}

void thread_reap(void)
{
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&threads_lock);
		struct thread *t = zombies;
		if (t && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
			zombies = t->zombie_next;
		else
			t = NULL;
		spin_unlock_irqrestore(&threads_lock, f);
		if (!t)
			return;
		thread_free(t);
	}
}

void thread_discard(struct thread *t)
{
	/* Never ran, so no CPU is on its stack (on_cpu is 0): the reaper may
	 * free it at once. */
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	t->state = THREAD_DEAD;
	t->detached = true;
	t->zombie_next = zombies;
	zombies = t;
	spin_unlock_irqrestore(&threads_lock, f);
}
