/*
 * Processes and Thread objects (see process.h).
 */
#include "core/process.h"
#include "core/ipc.h"
#include "core/devobj.h"
#include "core/sched.h"
#include "core/time.h"
#include "mm/heap.h"
#include "lib/string.h"
#include "lib/kprintf.h"
#include "lib/panic.h"
#include <arch/uctx.h>
#include <orbital/errors.h>
#include <orbital/ipc.h>
#include <orbital/syscall.h>

static struct spinlock procs_lock = SPINLOCK_INIT("procs");
static struct process *all_procs; /* procs_lock */
static uint32_t nprocs;		  /* procs_lock */
static uint32_t next_pid = 1;

uint32_t process_count(void)
{
	return __atomic_load_n(&nprocs, __ATOMIC_RELAXED);
}

int process_info(uint64_t i, uint32_t *pid, uint32_t *nthreads, uint32_t *state, char *name,
		 size_t namelen)
{
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	struct process *p = all_procs;
	for (uint64_t k = 0; p && k < i; k++)
		p = p->all_next;
	if (p) {
		*pid = p->pid;
		*nthreads = __atomic_load_n(&p->nthreads, __ATOMIC_RELAXED);
		*state = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
		strlcpy(name, p->name, namelen);
	}
	spin_unlock_irqrestore(&procs_lock, f);
	return p ? 1 : 0;
}

/* Frees what a process owns: its mappings, page tables and cspace. No thread
 * of p runs any more. */
static void process_teardown(struct process *p)
{
	memobj_unmap_all(p);
	vm_space_destroy_user(&p->space);
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct cspace *cs = p->cs;
	p->cs = NULL;
	spin_unlock_irqrestore(&p->lock, f);
	if (cs)
		cspace_destroy(cs); /* may destroy objects only p held (even p's own cap) */
	arch_ioports_release(p);
}

static void process_destroy(struct kobject *obj)
{
	struct process *p = container_of(obj, struct process, obj);
	if (p->state != PROC_DEAD)
		process_teardown(p); /* never ran a thread */
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	for (struct process **pp = &all_procs; *pp; pp = &(*pp)->all_next) {
		if (*pp == p) {
			*pp = p->all_next;
			break;
		}
	}
	nprocs--;
	spin_unlock_irqrestore(&procs_lock, f);
	kfree(p);
}

int process_create(const char *name, uint32_t nslots, uint8_t max_prio, struct process **out)
{
	if (nslots == 0 || nslots > CAP_MAX_SLOTS)
		return -ERR_INVAL;
	if (!mem_reserve_ok(8 + nslots * sizeof(struct cspace_slot) / PAGE_SIZE))
		return -ERR_NOMEM;
	struct process *p = kzalloc(sizeof(*p));
	if (!p)
		return -ERR_NOMEM;
	int err = cspace_create(nslots, &p->cs);
	if (err) {
		kfree(p);
		return err;
	}
	err = vm_space_create_user(&p->space);
	if (err) {
		cspace_destroy(p->cs);
		kfree(p);
		return err;
	}
	spin_init(&p->lock, "process");
	waitq_init(&p->waiters);
	strlcpy(p->name, name, sizeof(p->name));
	p->max_prio = max_prio;
	p->state = PROC_ALIVE;
	kobject_init(&p->obj, CAP_TYPE_PROCESS, process_destroy);
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	p->pid = next_pid++;
	p->all_next = all_procs;
	all_procs = p;
	nprocs++;
	spin_unlock_irqrestore(&procs_lock, f);
	*out = p;
	return 0;
}

/* ---- Threads ------------------------------------------------------------ */

static void thread_obj_destroy(struct kobject *obj)
{
	struct thread_obj *to = container_of(obj, struct thread_obj, obj);
	struct process *p = to->proc;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct thread *t = to->t;
	bool unstarted = t && !to->started;
	if (t)
		t->obj = NULL;
	if (unstarted) {
		to->started = true; /* it starts only to end: nobody can start it any more */
		p->nrunning++;
	}
	spin_unlock_irqrestore(&p->lock, f);
	if (unstarted) {
		t->ipc.state = IPC_IDLE;
		t->arg = (void *)1; /* uthread_main: end at once */
		sched_wake(t);
	}
	kobject_put(&p->obj);
	kfree(to);
}

/* The kernel side of every user thread: enter user mode (or end at once). */
static void uthread_main(void *arg)
{
	struct thread *t = thread_current();
	if (arg || process_dying(t->proc))
		process_thread_exit();
	uctx_enter(t);
}

int process_thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, int prio,
			  struct thread_obj **out)
{
	if (prio < 1 || prio > p->max_prio)
		return -ERR_INVAL;
	if (!mem_reserve_ok(8))
		return -ERR_NOMEM;
	struct thread_obj *to = kzalloc(sizeof(*to));
	if (!to)
		return -ERR_NOMEM;
	struct thread *t = thread_create_stopped(p->name, uthread_main, NULL, prio, 0);
	if (!t) {
		kfree(to);
		return -ERR_NOMEM;
	}
	t->proc = p;
	t->space = &p->space;
	t->obj = to;
	uctx_init(t, entry, sp, arg);
	kobject_init(&to->obj, CAP_TYPE_THREAD, thread_obj_destroy);
	to->proc = p;
	to->t = t;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (p->state != PROC_ALIVE) {
		/* Dying (its space may be going away): the thread never runs. */
		spin_unlock_irqrestore(&p->lock, f);
		thread_discard(t);
		kfree(to);
		return -ERR_BUSY;
	}
	kobject_get(&p->obj); /* the thread's */
	kobject_get(&p->obj); /* the Thread object's */
	t->proc_next = p->threads;
	p->threads = t;
	p->nthreads++;
	spin_unlock_irqrestore(&p->lock, f);
	*out = to;
	return 0;
}

int thread_obj_start(struct thread_obj *to)
{
	struct process *p = to->proc;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct thread *t = to->t;
	if (!t || to->started || p->state != PROC_ALIVE) {
		spin_unlock_irqrestore(&p->lock, f);
		return -ERR_BUSY;
	}
	to->started = true;
	p->nrunning++;
	spin_unlock_irqrestore(&p->lock, f);
	sched_wake(t);
	return 0;
}

/* ---- Ending ------------------------------------------------------------- */

void process_kill(struct process *p, int status)
{
	struct thread *me = thread_current();
	/* p->lock stays held throughout: a thread cannot unlink itself (and be
	 * freed) while we look at it. Then ipc_lock: the IPC fast path relies on
	 * every waker of a blocked thread holding it (fastpath.c). */
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (p->state == PROC_ALIVE) {
		p->exit_status = status;
		__atomic_store_n(&p->state, PROC_DYING, __ATOMIC_RELEASE);
	}
	/* Tell every thread: unstarted ones start (to end), blocked ones wake,
	 * running ones are interrupted and notice on their way to user mode. */
	spin_lock(&ipc_lock);
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		if (t->obj && !t->obj->started) {
			t->obj->started = true;
			p->nrunning++;
		}
		if (t == me)
			continue;
		sched_wake(t);
		struct cpu *c = &cpus[__atomic_load_n(&t->node.cpu, __ATOMIC_RELAXED)];
		if (c != this_cpu() && __atomic_load_n(&c->current, __ATOMIC_RELAXED) == t)
			arch_resched_cpu(c);
	}
	spin_unlock(&ipc_lock);
	spin_unlock_irqrestore(&p->lock, f);
}

noreturn void process_thread_exit(void)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	ipc_thread_cleanup(t);

	irqflags_t f = spin_lock_irqsave(&p->lock);
	for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->proc_next) {
		if (*pp == t) {
			*pp = t->proc_next;
			break;
		}
	}
	if (t->obj)
		t->obj->t = NULL;
	t->obj = NULL;
	p->nthreads--;
	p->nrunning--;
	bool last_running = p->nrunning == 0 && p->state == PROC_ALIVE;
	bool last = p->nthreads == 0;
	spin_unlock_irqrestore(&p->lock, f);
	if (last_running && !last)
		process_kill(p, 0); /* unstarted threads remain: they end too */
	if (last) {
		if (p->state == PROC_ALIVE) {
			f = spin_lock_irqsave(&p->lock);
			if (p->state == PROC_ALIVE)
				p->exit_status = 0;
			spin_unlock_irqrestore(&p->lock, f);
		}
		/* Off the process's page tables before freeing them. */
		irqflags_t i = arch_irq_save();
		t->space = NULL;
		vm_activate(&kernel_space);
		arch_irq_restore(i);
		process_teardown(p);
		f = spin_lock_irqsave(&p->lock);
		__atomic_store_n(&p->state, PROC_DEAD, __ATOMIC_RELEASE);
		struct wait_node *w;
		struct thread *waiters[64];
		size_t n = 0;
		while (n < 64 && (w = waitq_pop(&p->waiters)) != NULL)
			waiters[n++] = container_of(w, struct thread, wait);
		bool more = !waitq_empty(&p->waiters);
		spin_unlock_irqrestore(&p->lock, f);
		for (size_t k = 0; k < n; k++)
			sched_wake(waiters[k]);
		while (more) { /* (rare) */
			f = spin_lock_irqsave(&p->lock);
			w = waitq_pop(&p->waiters);
			more = w != NULL;
			spin_unlock_irqrestore(&p->lock, f);
			if (w)
				sched_wake(container_of(w, struct thread, wait));
		}
	}
	kobject_put(&p->obj);
	thread_detach(t);
	thread_exit();
}

noreturn void process_fault(struct process *p, struct thread *t, const char *what, uint64_t rip)
{
	kwarn("fault: process %s (pid %u), thread %u: %s, rip 0x%lx; process killed\n", p->name,
	      p->pid, t->tid, what, rip);
	process_kill(p, ORB_EXIT_FAULT);
	process_thread_exit();
}

int64_t process_wait(struct process *p, uint64_t timeout_ns)
{
	struct thread *me = thread_current();
	uint64_t deadline = ipc_deadline(timeout_ns);
	irqflags_t f = spin_lock_irqsave(&p->lock);
	for (;;) {
		if (p->state == PROC_DEAD) {
			int st = p->exit_status;
			spin_unlock_irqrestore(&p->lock, f);
			return st;
		}
		if (timeout_ns == 0 || (me->proc && process_dying(me->proc)) ||
		    (deadline != UINT64_MAX && time_now_ns() >= deadline)) {
			spin_unlock_irqrestore(&p->lock, f);
			return -ERR_TIMEOUT;
		}
		me->wait.prio = me->node.prio;
		waitq_add(&p->waiters, &me->wait);
		sched_prepare_block();
		spin_unlock_irqrestore(&p->lock, f);
		sched_block_until(deadline);
		f = spin_lock_irqsave(&p->lock);
		if (waitq_of(&me->wait) == &p->waiters)
			waitq_remove(&p->waiters, &me->wait);
	}
}
