/*
 * Processes (CAP_TYPE_PROCESS): an address space, a capability space and the
 * threads that run in them. The Thread objects that name those threads, and
 * create and start them, are obj/thread_obj.h.
 *
 * Life cycle: a state machine, ALIVE -> DYING -> DEAD, never backwards.
 *   - ALIVE: created empty (SYS_PROC_CREATE); its creator maps memory into
 *     it, grants it capabilities and creates and starts its threads. Only an
 *     ALIVE process takes anything new.
 *   - DYING: entered, with the exit status, when it exits (SYS_PROC_EXIT), is
 *     killed (SYS_PROC_KILL, init's start-up failing) or faults, and also when
 *     its last started thread ends (status 0): in the same p->lock critical
 *     section that drops nrunning to 0, so there is no moment where a process
 *     without running threads still looks ALIVE. From then on nothing can be
 *     attached to it: thread create and start, map, unmap, protect, capability
 *     grant and move return -ERR_DEAD, each checked under p->lock. Every
 *     thread is told (woken if blocked, interrupted if running elsewhere;
 *     unstarted ones start, to end) and ends itself at its next way back to
 *     user mode.
 *   - DEAD: the teardown (mappings, page tables, capability space: the
 *     objects it alone held are destroyed) is done, SYS_PROC_WAIT waiters are
 *     woken and death watches fired (proc_watch.h), all in process_finish(),
 *     which runs once: in the last thread to end, in whoever kills a process
 *     that has no thread, or when the last reference to a never-killed,
 *     thread-less process goes.
 *
 * Unreachable processes. A process that has not started a thread yet
 * ("dormant": ALIVE, nrunning == 0) can only ever do anything if someone
 * outside it starts, kills or uses it. Its own cspace may name it (spawn
 * grants every child its own Process and Thread capabilities), so refcounts
 * alone would keep it for good once its creator lets go. The rule (kobject.h,
 * "Homes"): a process is the home of itself and of its Thread objects, and
 * while it is dormant
 *   - it takes no Process or Thread capability of another dormant process
 *     (grant, move, IPC transfer, any insert: -ERR_INVAL), so dormant
 *     processes never keep each other in a cycle (one that has started a
 *     thread lets go of what it holds when it ends);
 *   - when every reference to it comes from its own cspace and from its own
 *     unstarted threads and their Thread objects (themselves named only from
 *     its cspace), it is killed (ORB_EXIT_KILLED): it ends as a killed
 *     process does and is freed with the last reference.
 * It stops being dormant, for good, when a thread starts or it is DYING. A
 * process with a started thread is never collected this way: it lives until
 * its threads end or someone kills it (even if they are blocked forever on
 * objects nobody else reaches: that is a program that hangs, as on any
 * system; it holds on to what its quota paid for until it is killed).
 *
 * Teardown therefore only ever runs on a DYING process with no thread, and
 * nothing can be added to what it is freeing. The struct itself lives while
 * capabilities name it, so a parent can still read the exit status. What a
 * thread of a DYING process does until it ends (IPC, a capability received
 * into its cspace) is harmless: the teardown comes after it and frees that
 * too.
 *
 * Locking: p->lock guards the thread list and counts, the state, the exit
 * status, the waiters queue and the mapping list (memory.c). Order:
 * procs_lock (the list of processes), then p->lock, then ipc_lock, then an
 * rq_lock; cap_lock is innermost. A thread's
 * ->proc never changes.
 */
#ifndef ORB_OBJ_PROCESS_H
#define ORB_OBJ_PROCESS_H

#include "obj/cspace.h"
#include "sched/thread.h"
#include "sched/waitq.h"
#include "obj/memory.h"
#include "obj/proc_watch.h"
#include "arch/vm.h"

enum process_state {
	PROC_ALIVE = 0,
	PROC_DYING = 1,
	PROC_DEAD = 2,
};

struct process {
	struct kobject obj; /* CAP_TYPE_PROCESS */
	uint32_t pid;
	char name[24];
	struct spinlock lock;
	struct vm_space space;	  /* its own lock guards the tables */
	struct cspace *cs;	  /* fixed until tear-down, then NULL (p->lock) */
	struct thread *threads;	  /* p->lock: every thread not yet ended */
	uint32_t nthreads;	  /* p->lock: length of threads */
	uint32_t nrunning;	  /* p->lock: started and not ended */
	uint32_t state;		  /* p->lock: enum process_state */
	int exit_status;	  /* p->lock: valid once DYING */
	struct waitq waiters;	  /* p->lock: SYS_PROC_WAIT */
	struct vm_mapping *maps;  /* p->lock: memory.c */
	uint8_t max_prio;	  /* threads get at most this priority */
	void *io_bitmap;	  /* arch: ports it may use (NULL: none) */
	struct process *all_next; /* procs_lock */
	struct quota *quota;	  /* fixed; holds a reference: pays for what p causes */
	uint64_t cs_bytes;	  /* charged to quota for the cspace until tear-down */

	struct proc_watch *watches; /* p->lock: death watches (proc_watch.h) */
	uint32_t nwatches;	    /* p->lock: length of watches */
};

/* Creates an empty, ALIVE process with an address space and a cspace of
 * nslots slots, bound to quota q: q pays for its record, cspace and page
 * tables, its threads and its mapping records (NULL: nobody, kernel use).
 * Errors: -ERR_INVAL (nslots), -ERR_QUOTA, -ERR_NOMEM. */
int process_create(const char *name, uint32_t nslots, uint8_t max_prio, struct quota *q,
		   struct process **out);

/* Makes p DYING with this status (the first status given wins) and tells its
 * threads. Returns at once; the threads end on their own. A process without
 * threads is torn down (DEAD) before it returns. */
void process_kill(struct process *p, int status);

/* The calling thread ends; if it was its process's last, the process is torn down. */
noreturn void process_thread_exit(void);

/* A fault in user mode at user instruction address pc: logs it, kills the
 * process with ORB_EXIT_FAULT and ends the calling thread. */
noreturn void process_fault(struct process *p, struct thread *t, const char *what, uint64_t pc);

/* Waits until p is DEAD (up to timeout_ns; IPC_TIMEOUT_NEVER: forever);
 * returns its exit status, or -ERR_TIMEOUT. */
int64_t process_wait(struct process *p, uint64_t timeout_ns);

static inline bool process_dying(struct process *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_ALIVE;
}

/* p->lock held: p runs (or may run) a thread, or is no longer ALIVE: it is
 * not dormant any more (kobject.h, "Homes"). */
void process_wake_locked(struct process *p);

/* The i-th process in the process list (0 while there is one, then more = 0):
 * returns 1 and fills the fields, or 0 past the end. */
int process_info(uint64_t i, uint32_t *pid, uint32_t *nthreads, uint32_t *state, char *name,
		 size_t namelen);

/* Up to max ALIVE processes for which want(p, arg) is true (called with the
 * process list locked: it must not block or take p->lock), each with a
 * reference the caller drops with kobject_put; returns how many. */
size_t process_collect(bool (*want)(const struct process *p, void *arg), void *arg,
		       struct process **out, size_t max);

/* Counts for SYS_SYSINFO and leak checks. */
uint32_t process_count(void);

#endif
