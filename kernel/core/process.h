/*
 * Processes: an address space, a capability space and the threads that run
 * in them. Also the Thread object that capabilities name.
 *
 * Life cycle. A process is created empty (SYS_PROC_CREATE); its creator maps
 * memory into it, grants it capabilities and creates and starts its threads.
 * It is ALIVE until it exits (SYS_PROC_EXIT, or its last started thread
 * ends), is killed (SYS_PROC_KILL) or faults: it is then DYING, every thread
 * is told (woken if blocked, interrupted if running elsewhere) and ends itself
 * at its next way back to user mode. The last thread to end tears the process
 * down (mappings, page tables, capability space: the objects it alone held
 * are destroyed), marks it DEAD and wakes SYS_PROC_WAIT waiters. The struct
 * itself lives while capabilities name it, so a parent can still read the
 * exit status.
 *
 * Locking: p->lock guards the thread list and counts, the state, the exit
 * status, the waiters queue and the mapping list (memobj.c). Order:
 * p->lock, then ipc_lock, then an rq_lock; cap_lock is innermost. A thread's
 * ->proc never changes.
 */
#ifndef ORB_CORE_PROCESS_H
#define ORB_CORE_PROCESS_H

#include "core/cspace.h"
#include "core/thread.h"
#include "core/waitq.h"
#include "core/memobj.h"
#include "mm/vm.h"

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
	struct vm_mapping *maps;  /* p->lock: memobj.c */
	uint8_t max_prio;	  /* threads get at most this priority */
	void *io_bitmap;	  /* arch: ports it may use (NULL: none) */
	struct process *all_next; /* procs_lock */
};

/* A Thread object (CAP_TYPE_THREAD). */
struct thread_obj {
	struct kobject obj;
	struct process *proc; /* holds a reference */
	struct thread *t;     /* proc->lock: NULL once the thread has ended */
	bool started;	      /* proc->lock */
};

/* Creates an empty, ALIVE process with an address space and a cspace of
 * nslots slots. Errors: -ERR_INVAL (nslots), -ERR_NOMEM. */
int process_create(const char *name, uint32_t nslots, uint8_t max_prio, struct process **out);

/* Creates a thread of p that will enter user mode at entry with the stack at
 * sp and arg as its first argument; it does not run until thread_obj_start.
 * Errors: -ERR_INVAL (prio above p->max_prio), -ERR_NOMEM, -ERR_BUSY (p is not
 * alive). */
int process_thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, int prio,
			  struct thread_obj **out);

/* Starts a created thread. -ERR_BUSY if already started or ended. */
int thread_obj_start(struct thread_obj *to);

/* Makes p DYING with this status (the first status given wins) and tells its
 * threads. Returns at once; the threads end on their own. */
void process_kill(struct process *p, int status);

/* The calling thread ends; if it was its process's last, the process is torn down. */
noreturn void process_thread_exit(void);

/* A fault in user mode: logs it, kills the process with ORB_EXIT_FAULT and
 * ends the calling thread. */
noreturn void process_fault(struct process *p, struct thread *t, const char *what, uint64_t rip);

/* Waits until p is DEAD (up to timeout_ns; IPC_TIMEOUT_NEVER: forever);
 * returns its exit status, or -ERR_TIMEOUT. */
int64_t process_wait(struct process *p, uint64_t timeout_ns);

static inline bool process_dying(struct process *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_ALIVE;
}

/* The i-th process in the process list (0 while there is one, then more = 0):
 * returns 1 and fills the fields, or 0 past the end. */
int process_info(uint64_t i, uint32_t *pid, uint32_t *nthreads, uint32_t *state, char *name,
		 size_t namelen);

/* Counts for SYS_SYSINFO and leak checks. */
uint32_t process_count(void);

#endif
