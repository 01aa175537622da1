/*
 * Processes: creation, the process list, killing, a thread's end, tear-down
 * and waiting (see process.h for the life cycle).
 *
 * The states move only forwards and only under p->lock: ALIVE -> DYING in
 * process_mark_dying_locked() (kill, exit, fault, or the last started thread
 * ending), DYING -> DEAD in process_finish() (teardown, then waiters and
 * watches). Everything that attaches to a process (thread_obj.c: threads;
 * memory.c: mappings; the system calls: capabilities granted or moved in)
 * checks ALIVE under p->lock in the critical section that attaches, and
 * fails with -ERR_DEAD. A process that never started a thread is killed once
 * nothing outside it reaches it (process.h, "Unreachable processes";
 * kobject.c counts): process_orphaned().
 */
#include "obj/process.h"
#include "obj/thread_obj.h"
#include "obj/ioports.h"
#include "obj/quota.h"
#include "ipc/ipc.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "mm/heap.h"
#include "lib/string.h"
#include "console/kprintf.h"
#include "debug/panic.h"
#include "arch/smp.h"
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
		/* Under p->lock (inside procs_lock: never the other way round), so the
		 * count and the state are one snapshot: a process seen without threads
		 * after it ran is never seen ALIVE. */
		spin_lock(&p->lock);
		*pid = p->pid;
		*nthreads = p->nthreads;
		*state = p->state;
		spin_unlock(&p->lock);
		strlcpy(name, p->name, namelen);
	}
	spin_unlock_irqrestore(&procs_lock, f);
	return p ? 1 : 0;
}

size_t process_collect(bool (*want)(const struct process *p, void *arg), void *arg,
		       struct process **out, size_t max)
{
	size_t n = 0;
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	for (struct process *p = all_procs; p && n < max; p = p->all_next) {
		if (process_dying(p) || !want(p, arg))
			continue;
		/* A process whose last reference is gone stays on the list until its destroy
		 * callback takes it off: never revive it. */
		spin_lock(&cap_lock);
		if (p->obj.refs > 0) {
			p->obj.refs++;
			out[n++] = p;
		}
		spin_unlock(&cap_lock);
	}
	spin_unlock_irqrestore(&procs_lock, f);
	return n;
}

/* Frees what a process owns: its mappings, page tables and cspace. p is
 * DYING (nothing can be attached any more) and no thread of p runs. */
static void process_teardown(struct process *p)
{
	memory_unmap_all(p);
	uint64_t tables = 1 + p->space.ntables; /* (the root too) */
	vm_space_destroy_user(&p->space);
	quota_uncharge(p->quota, tables * PAGE_SIZE);
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct cspace *cs = p->cs;
	p->cs = NULL;
	spin_unlock_irqrestore(&p->lock, f);
	if (cs) {
		cspace_destroy(cs); /* may destroy objects only p held (even p's own cap) */
		quota_uncharge(p->quota, p->cs_bytes);
	}
	arch_ioports_release(p);
}

/*
 * DYING -> DEAD: tears p down, then marks it DEAD and wakes whoever waits for
 * that. Called once, by whoever saw p DYING with no thread left under p->lock:
 * its last thread, a killer of a thread-less process, or the last reference.
 */
static void process_finish(struct process *p)
{
	process_teardown(p);
	irqflags_t f = spin_lock_irqsave(&p->lock);
	KASSERT(p->state == PROC_DYING && p->nthreads == 0);
	__atomic_store_n(&p->state, PROC_DEAD, __ATOMIC_RELEASE);
	struct proc_watch *watches = proc_watch_detach_locked(p);
	/* Waiters are woken under p->lock, which they take to leave the wait: a
	 * waiter whose deadline passed meanwhile cannot return, end and be freed
	 * before its wake (locking.md, "Waking a thread"). 64 per hold. */
	struct wait_node *w;
	size_t n = 0;
	while (n < 64 && (w = waitq_pop(&p->waiters)) != NULL) {
		sched_wake(container_of(w, struct thread, wait));
		n++;
	}
	bool more = !waitq_empty(&p->waiters);
	spin_unlock_irqrestore(&p->lock, f);
	proc_watch_fire(watches);
	while (more) { /* (rare) */
		f = spin_lock_irqsave(&p->lock);
		w = waitq_pop(&p->waiters);
		more = w != NULL;
		if (w)
			sched_wake(container_of(w, struct thread, wait));
		spin_unlock_irqrestore(&p->lock, f);
	}
}

void process_wake_locked(struct process *p)
{
	kobject_wake(&p->obj); /* (cap_lock nests inside p->lock) */
}

/* ALIVE -> DYING with this status (p->lock held); false if it was not ALIVE. */
static bool process_mark_dying_locked(struct process *p, int status)
{
	if (p->state != PROC_ALIVE)
		return false;
	process_wake_locked(p);
	p->exit_status = status;
	__atomic_store_n(&p->state, PROC_DYING, __ATOMIC_RELEASE);
	return true;
}

static void process_destroy(struct kobject *obj)
{
	struct process *p = container_of(obj, struct process, obj);
	if (p->state == PROC_ALIVE) { /* never ran a thread, never killed */
		irqflags_t f = spin_lock_irqsave(&p->lock);
		process_mark_dying_locked(p, 0);
		spin_unlock_irqrestore(&p->lock, f);
	}
	if (p->state != PROC_DEAD)
		process_finish(p); /* no thread is left to do it */
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	for (struct process **pp = &all_procs; *pp; pp = &(*pp)->all_next) {
		if (*pp == p) {
			*pp = p->all_next;
			break;
		}
	}
	nprocs--;
	spin_unlock_irqrestore(&procs_lock, f);
	struct quota *q = p->quota;
	kfree(p);
	if (q) /* (the record's own charge goes back through p->obj) */
		kobject_put(&q->obj);
}

/* Its check (kobject.h, "Homes"): p never started a thread and nothing
 * outside p reaches it any more, so nobody can start, kill or wait for it. */
static void process_orphaned(struct kobject *obj)
{
	process_kill(container_of(obj, struct process, obj), ORB_EXIT_KILLED);
}

/* What a cspace of nslots slots costs. */
static uint64_t cspace_bytes(uint32_t nslots)
{
	return quota_heap_bytes(sizeof(struct cspace)) +
	       quota_heap_bytes((uint64_t)nslots * sizeof(struct cspace_slot));
}

int process_create(const char *name, uint32_t nslots, uint8_t max_prio, struct quota *q,
		   struct process **out)
{
	if (nslots == 0 || nslots > CAP_MAX_SLOTS)
		return -ERR_INVAL;
	/* The record, the cspace and the root page table. */
	uint64_t rec = quota_heap_bytes(sizeof(struct process)), csb = cspace_bytes(nslots);
	int err = quota_charge(q, rec + csb + PAGE_SIZE);
	if (err)
		return err;
	err = -ERR_NOMEM;
	struct process *p = NULL;
	if (mem_reserve_ok(8 + nslots * sizeof(struct cspace_slot) / PAGE_SIZE))
		p = kzalloc(sizeof(*p));
	if (p)
		err = cspace_create(nslots, &p->cs);
	if (!err) {
		err = vm_space_create_user(&p->space);
		if (err)
			cspace_destroy(p->cs);
	}
	if (err) {
		kfree(p);
		quota_uncharge(q, rec + csb + PAGE_SIZE);
		return err;
	}
	p->quota = q;
	p->cs_bytes = csb;
	if (q)
		kobject_get(&q->obj); /* p's */
	spin_init(&p->lock, "process");
	waitq_init(&p->waiters);
	strlcpy(p->name, name, sizeof(p->name));
	p->max_prio = max_prio;
	p->state = PROC_ALIVE;
	kobject_init(&p->obj, CAP_TYPE_PROCESS, process_destroy);
	kobject_set_home(&p->obj, &p->obj, 0, process_orphaned);
	p->cs->owner = &p->obj; /* before anything is put in it */
	quota_attach(&p->obj, q, q ? rec : 0);
	irqflags_t f = spin_lock_irqsave(&procs_lock);
	p->pid = next_pid++;
	p->all_next = all_procs;
	all_procs = p;
	nprocs++;
	spin_unlock_irqrestore(&procs_lock, f);
	*out = p;
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
	/* A process without threads has nobody to end it: the killer does. */
	bool finish = process_mark_dying_locked(p, status) && p->nthreads == 0;
	/* Tell every thread: unstarted ones start (to end), blocked ones wake,
	 * running ones are interrupted and notice on their way to user mode. */
	spin_lock(&ipc_lock);
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		if (t->obj && !t->obj->started) {
			t->obj->started = true;
			p->nrunning++; /* (p is no longer dormant: it is DYING) */
		}
		if (t == me)
			continue;
		sched_wake(t);
		struct cpu *c = cpu_by_id(__atomic_load_n(&t->node.cpu, __ATOMIC_RELAXED));
		if (c != this_cpu() && __atomic_load_n(&c->current, __ATOMIC_RELAXED) == t)
			arch_resched_cpu(c);
	}
	spin_unlock(&ipc_lock);
	spin_unlock_irqrestore(&p->lock, f);
	if (finish)
		process_finish(p);
}

noreturn void process_thread_exit(void)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	ipc_thread_cleanup(t);
	/* Given back now, before p can be seen DEAD: the reaper frees the rest
	 * of this thread moments later, bounded by the threads ending at once. */
	quota_uncharge(p->quota, thread_obj_bytes());
	/* Off the process's page tables for good, before this thread stops
	 * counting: the last thread (maybe on another CPU) frees them as soon as
	 * it finds none left, and a switch back to this thread must not load
	 * them again (interrupts off: no switch between the two stores). */
	irqflags_t i = arch_irq_save();
	t->space = NULL;
	vm_activate(&kernel_space);
	arch_irq_restore(i);

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
	/* From here this is a kernel thread on its way out: p may be freed (our
	 * reference goes below) while it still runs, or waits to run again, and
	 * a switch to it reads ->proc (arch_thread_switch: the I/O bitmap). */
	t->proc = NULL;
	p->nthreads--;
	p->nrunning--;
	/* The last started thread ending ends the process, in this same
	 * critical section: from here on nothing can be attached to it (the
	 * teardown below must not race a new thread or mapping). */
	bool tell = false;
	if (p->nrunning == 0 && process_mark_dying_locked(p, 0))
		tell = p->nthreads > 0;
	bool last = p->nthreads == 0;
	spin_unlock_irqrestore(&p->lock, f);
	if (tell)
		process_kill(p, 0); /* unstarted threads remain: they start, to end */
	if (last)
		process_finish(p);
	kobject_put(&p->obj);
	thread_detach(t);
	thread_exit();
}

noreturn void process_fault(struct process *p, struct thread *t, const char *what, uint64_t pc)
{
	kwarn("fault: process %s (pid %u), thread %u: %s, rip 0x%lx; process killed\n", p->name,
	      p->pid, t->tid, what, pc);
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
