/*
 * Thread objects (CAP_TYPE_THREAD): what a Thread capability names, a user
 * thread of a process as user space sees it (create, start).
 *
 * Named struct thread_obj, with the _obj suffix, because struct thread is
 * the scheduler's record of every thread, kernel ones included
 * (sched/thread.h). The two point at each other: to->t while the thread has
 * not ended, t->obj while the object lives.
 *
 * A thread is created stopped (thread_obj_create) and runs once started
 * (thread_obj_start, once). Its record, kernel stack and FPU state are
 * charged to its process's quota from creation until it ends
 * (process_thread_exit, obj/process.h). Its Thread object holds a reference
 * to the process, and so does the thread itself until it ends. When the last
 * reference to a Thread object whose thread never started goes, the thread
 * starts only to end at once: nobody could start it any more.
 *
 * Homes (obj/kobject.h): a Thread object's home is its process, with a
 * weight of 2 (its own reference on the process and its thread's).
 *
 * Locking: the process's lock (p->lock) guards t and started (and the
 * thread's t->obj); proc is fixed.
 */
#ifndef ORB_OBJ_THREAD_OBJ_H
#define ORB_OBJ_THREAD_OBJ_H

#include "obj/kobject.h"

struct process;
struct thread;

struct thread_obj {
	struct kobject obj;
	struct process *proc; /* holds a reference */
	struct thread *t;     /* proc->lock: NULL once the thread has ended */
	bool started;	      /* proc->lock */
};

/* Creates a thread of p that will enter user mode at entry with the stack at
 * sp and arg as its first argument; it does not run until thread_obj_start.
 * Its record, kernel stack and FPU state are charged to p's quota until it
 * ends. Errors: -ERR_INVAL (prio above p->max_prio), -ERR_QUOTA, -ERR_NOMEM,
 * -ERR_DEAD (p is not ALIVE). */
int thread_obj_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, int prio,
		      struct thread_obj **out);

/* Starts a created thread. -ERR_BUSY if already started, -ERR_DEAD if it
 * ended or its process is not ALIVE. */
int thread_obj_start(struct thread_obj *to);

/* What a thread of a process costs its quota: the record, the kernel stack
 * and the FPU state. Charged by thread_obj_create, given back as it ends. */
uint64_t thread_obj_bytes(void);

#endif
