/*
 * The scheduler: per-CPU run queues with fixed priorities (sched/runqueue.h),
 * round robin within a priority with a time slice, preemption from the timer
 * tick, idle CPUs pulling work from busy ones, and the block/wake primitives
 * IPC and sleeping are built on.
 *
 * Locking: each CPU's rq_lock guards its run queue, its sleep list, its
 * `current`, and the state of the threads on it. schedule() takes the lock and
 * the thread switched to releases it (sched_finish_switch), so the lock is
 * held across the switch. Lock order: a wait queue's lock before any rq_lock;
 * two rq_locks are never held at once.
 */
#ifndef ORB_SCHED_SCHED_H
#define ORB_SCHED_SCHED_H

#include "sched/cpu.h"
#include "sched/thread.h"

#define SCHED_HZ	  1000 /* timer ticks per second */
#define SCHED_SLICE_TICKS 10   /* round-robin time slice */

/* Prepares CPU c's run queue and makes `boot` (the code now running on it) its idle thread. */
void sched_init_cpu(struct cpu *c, struct thread *idle);

/* Picks the next thread and switches to it (the caller may be put back on the queue). */
void schedule(void);

/* The idle loop of the calling CPU (never returns). */
noreturn void sched_idle_loop(void);

/* The timer tick (interrupts off): time slices, sleepers, preemption requests. */
void sched_tick(void);

/* Makes a blocked thread ready (and asks its CPU to reschedule if it should run now). */
void sched_wake(struct thread *t);

/* Puts the current thread to sleep until woken. The caller has set
 * current->state = THREAD_BLOCKED while holding the lock that its waker
 * takes, and released that lock. Returns when woken. */
void sched_block(void);

/* Marks the running thread BLOCKED (under its rq_lock). Call it while holding
 * the lock its waker takes, before queueing it where the waker finds it. */
void sched_prepare_block(void);

/* Blocks the calling thread (made BLOCKED by sched_prepare_block) until woken
 * or until the monotonic clock passes deadline (UINT64_MAX: no deadline).
 * True if the deadline passed. */
bool sched_block_until(uint64_t deadline);

/* Called by the thread the CPU just switched to (also first thing in a new
 * thread): releases the run-queue lock and finishes the switch. */
void sched_finish_switch(void);

/* The runnable load of every CPU (for tests and balancing). */
uint32_t sched_load(unsigned cpu);

#endif
