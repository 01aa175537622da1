/*
 * Thread objects: creating and starting user threads, and the object's end
 * (see thread_obj.h). A thread's own end, and what it does to its process,
 * is process_thread_exit's (process.c).
 */
#include "obj/thread_obj.h"
#include "obj/process.h"
#include "obj/quota.h"
#include "sched/sched.h"
#include "mm/heap.h"
#include "arch/layout.h"
#include "arch/context.h"
#include <orbital/errors.h>

/* Record, kernel stack and FPU state (at most a page on the CPUs we support). */
uint64_t thread_obj_bytes(void)
{
	return quota_heap_bytes(sizeof(struct thread)) + KSTACK_PAGES * PAGE_SIZE + PAGE_SIZE;
}

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
		process_wake_locked(p);
		/* Woken under p->lock: once it is released a kill may start t too,
		 * and t may end and be freed (locking.md, "Waking a thread"). */
		t->ipc.state = IPC_IDLE;
		t->arg = (void *)1; /* uthread_main: end at once */
		sched_wake(t);
	}
	spin_unlock_irqrestore(&p->lock, f);
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

int thread_obj_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, int prio,
		      struct thread_obj **out)
{
	if (prio < 1 || prio > p->max_prio)
		return -ERR_INVAL;
	int err = quota_charge(p->quota, thread_obj_bytes()); /* given back as it ends */
	if (err)
		return err;
	struct thread_obj *to = mem_reserve_ok(8) ? kzalloc(sizeof(*to)) : NULL;
	struct thread *t = to ? thread_create_stopped(p->name, uthread_main, NULL, prio, 0) : NULL;
	if (!t) {
		kfree(to);
		quota_uncharge(p->quota, thread_obj_bytes());
		return -ERR_NOMEM;
	}
	t->proc = p;
	t->space = &p->space;
	t->obj = to;
	uctx_init(t, entry, sp, arg);
	kobject_init(&to->obj, CAP_TYPE_THREAD, thread_obj_destroy);
	kobject_set_home(&to->obj, &p->obj, 2, NULL); /* its reference and its thread's */
	to->proc = p;
	to->t = t;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (p->state != PROC_ALIVE) {
		/* Dying (its space may be going away): the thread never runs. */
		spin_unlock_irqrestore(&p->lock, f);
		thread_discard(t);
		kfree(to);
		quota_uncharge(p->quota, thread_obj_bytes());
		return -ERR_DEAD;
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
	int err = !t || p->state != PROC_ALIVE ? -ERR_DEAD : to->started ? -ERR_BUSY : 0;
	if (err) {
		spin_unlock_irqrestore(&p->lock, f);
		return err;
	}
	to->started = true;
	p->nrunning++;
	process_wake_locked(p);
	sched_wake(t); /* under p->lock: t cannot end and be freed first (locking.md) */
	spin_unlock_irqrestore(&p->lock, f);
	return 0;
}
