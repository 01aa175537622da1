/*
 * Threads: the unit the scheduler runs.
 *
 * A thread has a kernel stack (with a guard page), a saved stack pointer
 * while it is not running, FPU/SSE state, a priority (0..63, higher runs
 * first), a CPU affinity mask, and the address space it runs in (NULL for
 * kernel threads, which use the kernel's).
 *
 * States: READY (on a run queue, or about to be), RUNNING (some CPU's
 * current), BLOCKED (waiting: sleeping, or on a wait queue), DEAD (exited;
 * its stack and record are freed by thread_join, or by the reaper for
 * detached threads). `state` changes under the run-queue lock of the CPU the
 * thread is on (thread->node.cpu). node.cpu itself changes only under the
 * run-queue lock of the CPU it is set TO, and never while the thread is
 * BLOCKED; so whoever reads it without a lock (sched_wake) must read it again
 * once it holds that CPU's lock, and try the new CPU if it moved, before it
 * trusts `state` or that CPU's sleep list. `on_cpu` is 1 from the moment a
 * CPU picks the thread until the switch away from it is complete, so no two
 * CPUs ever run on one stack.
 */
#ifndef ORB_SCHED_THREAD_H
#define ORB_SCHED_THREAD_H

#include "lib/types.h"
#include "sched/runqueue.h"
#include "sched/waitq.h"

enum thread_state {
	THREAD_READY = 0,
	THREAD_RUNNING = 1,
	THREAD_BLOCKED = 2,
	THREAD_DEAD = 3,
};

#define THREAD_PRIO_IDLE    0
#define THREAD_PRIO_DEFAULT 32

struct vm_space;
struct process;
struct thread_obj;
struct reply;

/* What a thread is doing in IPC (ipc/ipc.c). All fields guarded by ipc_lock. */
enum ipc_state {
	IPC_IDLE = 0,
	IPC_SENDING,	       /* queued on ep->senders; message in its user frame */
	IPC_RECEIVING,	       /* queued on ep->receivers */
	IPC_REPLY_WAIT,	       /* sent a call, waits for the reply */
	IPC_NOTIFICATION_WAIT, /* waits on a notification */
};

struct thread_ipc {
	uint32_t state;		/* enum ipc_state */
	bool is_call;		/* IPC_SENDING: a call (wants a reply) */
	bool can_grant;		/* IPC_SENDING: the capability used had GRANT */
	bool fastpath_ok;	/* blocked in a way the fast path may resume */
	uint64_t badge;		/* IPC_SENDING: the badge of the capability used */
	void *queue_obj;	/* the endpoint or notification it is queued on */
	struct thread *caller;	/* the call this thread has received and owes a reply */
	struct thread *replier; /* IPC_REPLY_WAIT: the thread holding our reply (or NULL) */
	struct reply *reply;	/* IPC_REPLY_WAIT: the saved Reply object holding it (or NULL) */
	uint64_t buf_va;	/* the IPC buffer's user address (0: none) */
	paddr_t buf_pa;		/* its frame; set and cleared with proc->lock held too, in
				   the critical section that checks or removes the mapping,
				   so it is always still mapped there (ipc.c) */
};

struct thread {
	uint64_t saved_sp; /* arch: kernel stack pointer while switched out (first field) */
	struct sched_node node;
	struct wait_node wait;
	uint32_t tid;
	char name[24];
	uint32_t state;	 /* enum thread_state; see above for the lock */
	uint32_t on_cpu; /* 1 while a CPU is on this thread's stack (atomic) */
	bool detached;	 /* reaped by the system when it dies */
	bool timed_out;	 /* the last wait ended by its deadline */

	vaddr_t kstack_top;
	struct vm_space *space; /* NULL: the kernel's */
	void *fpu;		/* FPU/SSE save area (64-byte aligned) */
	void *fpu_alloc;	/* what kfree gets back */

	uint64_t wake_at;	   /* sleeping: monotonic ns deadline */
	struct thread *sleep_next; /* on its CPU's sleep list (rq_lock) */

	void (*entry)(void *);
	void *arg;

	/* User threads only (NULL / zero for kernel threads). */
	struct process *proc;	    /* set at creation, holding a reference; cleared (proc->lock)
				       as the thread ends, before the reference is dropped */
	struct thread *proc_next;   /* proc->threads list; proc->lock */
	struct thread_obj *obj;	    /* the Thread object capabilities name; proc->lock */
	struct thread_ipc ipc;	    /* ipc/ipc.c; ipc_lock */
	struct waitq joiners;	    /* guarded by threads_lock */
	struct thread *all_next;    /* list of every thread; threads_lock */
	struct thread *zombie_next; /* reaper list; threads_lock */
	uint32_t fault_reg; /* faultinject.c: register bit to flip before user mode (atomic) */
	/* The IPC fast path's copy of the endpoint capability it used last
	 * (ipc/fastpath.c); only this thread reads or writes it. */
	struct {
		uint64_t handle1;  /* its handle + 1; 0: none */
		uint64_t releases; /* its cspace's release count when it was read */
		struct kobject *obj;
		uint64_t badge;
		uint32_t rights;
	} fp_cap;
};

/* Creates a kernel thread that runs entry(arg) and makes it ready. affinity:
 * bit c = may run on CPU c, 0 = anywhere. Returns NULL if out of memory. */
struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, int prio,
			     uint64_t affinity);

/* As thread_create, but the thread stays BLOCKED until sched_wake(t) starts it. */
struct thread *thread_create_stopped(const char *name, void (*entry)(void *), void *arg, int prio,
				     uint64_t affinity);

/* Frees a thread made by thread_create_stopped that was never started. */
void thread_discard(struct thread *t);

struct cpu;
/* The idle thread of CPU c, on the given stack (0: a new one). Not scheduled:
 * the CPU runs it when nothing else is ready. */
struct thread *thread_create_idle(struct cpu *c, vaddr_t stack_top);

/* The running thread. */
struct thread *thread_current(void);

/* Ends the running thread. */
noreturn void thread_exit(void);

/* Waits until t has exited, then frees it. Not for detached threads. */
void thread_join(struct thread *t);

/* Lets the system free t when it exits (nobody will join it). */
void thread_detach(struct thread *t);

/* Gives the CPU to another ready thread of equal or higher priority, if any. */
void thread_yield(void);

/* Sleeps at least ns nanoseconds of monotonic time. */
void thread_sleep_ns(uint64_t ns);

/* Frees threads that died detached. Called from the idle loop. */
void thread_reap(void);

/* Live threads (not yet freed), for leak checks. */
size_t thread_count(void);

#endif
