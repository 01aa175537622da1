/*
 * Synchronous IPC: the general message-passing path (send, receive, call,
 * reply), message transfer and blocking. ipc/fastpath.c handles the common
 * call/reply-recv case on its own. The objects it works on are their own
 * modules: obj/endpoint.h, obj/reply.h, obj/notification.h (whose signal and
 * wait block and wake through the helpers at the end of this file).
 *
 * A thread in an IPC system call works on its own user context (arch/context.h):
 * the message it sends is in its registers and IPC buffer, and what it
 * receives is written there. Whoever completes a rendezvous does the whole
 * transfer (the "waker transfers" rule): a sender that finds a receiver
 * waiting writes the message into the receiver's saved registers and IPC
 * buffer (through the direct map: the buffer's frame is known), sets its
 * status, and wakes it; a receiver that finds a sender waiting does the same
 * from the sender's. So a woken thread has nothing left to do but return to
 * user mode, which is what lets the fast path resume a thread without running
 * the rest of its kernel code.
 *
 * Calls. A call is a send that then waits, in IPC_REPLY_WAIT, for a reply.
 * The receiver of a call holds an implicit one-shot reply (its ipc.caller);
 * SYS_REPLY / SYS_REPLY_RECV use it, SYS_REPLY_SAVE turns it into a Reply
 * capability for later (obj/reply.h). A reply that can no longer come (the
 * server ended, received again without replying, or deleted the Reply
 * capability) wakes the caller with -ERR_NOENT instead of leaving it blocked.
 *
 * A send, call or receive through a closed endpoint fails with -ERR_CLOSED
 * (obj/endpoint.h, "Closing"); a call already received still gets its reply.
 *
 * Queues are wait queues (waitq.h): priority, then FIFO. Timeouts are
 * deadlines on the monotonic clock; 0 polls.
 *
 * Locking: one lock, ipc_lock, guards every endpoint's and notification's
 * queues and word, every Reply object, and every thread's struct thread_ipc.
 * Order: proc->lock, then ipc_lock, then rq_locks; cap_lock innermost. A
 * thread's IPC buffer registration (buf_va, buf_pa) changes with its
 * process's lock held as well (ipc_buffer_set, ipc_buffer_unmapped_locked),
 * so it never outlives the mapping it was looked up in.
 */
#ifndef ORB_IPC_IPC_H
#define ORB_IPC_IPC_H

#include "base/spinlock.h"
#include "sched/thread.h"
#include "sched/waitq.h"

extern struct spinlock ipc_lock;

struct endpoint;
struct reply;
struct process;

/* The calls below act for the running thread, on its user context. Those that
 * take an object consume the caller's reference to it (they drop it before
 * blocking). They return the system call's result. */

/* SYS_SEND / SYS_NB_SEND / SYS_CALL through a capability with this badge;
 * grant: the capability has GRANT. */
int64_t ipc_send(struct endpoint *ep, uint64_t badge, bool grant, bool call, bool nonblocking,
		 uint64_t timeout_ns);

/* SYS_RECV, and the receive half of SYS_REPLY_RECV. */
int64_t ipc_recv(struct endpoint *ep, uint64_t timeout_ns);

/* SYS_REPLY: answers the call the thread received last. -ERR_NOENT if none. */
int64_t ipc_reply(void);

/* SYS_REPLY_SAVE: the pending reply as a capability in the thread's cspace. */
int64_t ipc_reply_save(void);

/* SYS_REPLY_TO through a Reply object (the caller deletes the capability). */
int64_t ipc_reply_to(struct reply *r);

/* SYS_IPC_BUFFER: va must be a mapped, writable page of the thread's process (0: none). */
int64_t ipc_buffer_set(uint64_t va);

/* p unmaps [va, end): threads whose IPC buffer was there lose it. The caller
 * holds p->lock, in the critical section that removes the mapping. */
void ipc_buffer_unmapped_locked(struct process *p, uint64_t va, uint64_t end);

/* A thread is ending: takes it off any queue, fails a call it owed a reply to,
 * forgets a reply it waited for. */
void ipc_thread_cleanup(struct thread *t);

/* The continuation of a thread that blocked in the fast path and was woken by
 * someone else (a slow-path reply, a kill): finishes the wait. */
void ipc_resume_blocked(void);

/* Deadline for a timeout in ns from now (IPC_TIMEOUT_NEVER: UINT64_MAX). */
uint64_t ipc_deadline(uint64_t timeout_ns);

/* Tests only (tests/kernel/kt_ipc.c), NULL otherwise: called between taking
 * a thread off its wait and waking it, to hold that moment open. */
extern void (*ipc_wake_hook)(struct thread *t);

/* For the fast path (fastpath.c), with ipc_lock held. */
void ipc_queue_receiver(struct endpoint *ep, struct thread *t, bool fastpath_ok);

/* --- Waiting and waking, for the objects (obj/endpoint.c, notification.c,
 * reply.c) -------------------------------------------------------------- */

/* The thread a wait-queue node belongs to, or NULL. */
static inline struct thread *ipc_waiter(struct wait_node *n)
{
	return n ? container_of(n, struct thread, wait) : NULL;
}

/*
 * Wakes t, which the caller has just ended the IPC wait of (ipc_lock held).
 * Always with ipc_lock still held: t may run meanwhile for another reason
 * (its deadline, a kill), but it cannot leave the wait, and so cannot end and
 * be freed, without taking ipc_lock first (ipc_wait_done, ipc_resume_blocked,
 * ipc_thread_cleanup). Waking after the unlock would let it: the wake would
 * then write into a freed thread. Order: ipc_lock, then sched_wake's rq_lock.
 */
void ipc_wake_locked(struct thread *t);

/* Ends t's wait with status err (ipc_lock held; t is queued on wq). Wake it
 * with ipc_wake_locked before releasing the lock. */
void ipc_fail_waiter_locked(struct waitq *wq, struct thread *t, int64_t err);

/*
 * Waits until t's IPC operation completes (ipc_lock held on entry, with
 * flags f, released on return). t is queued (or waits for a reply) with
 * t->ipc.state set. Returns the status its waker left, -ERR_TIMEOUT, or
 * -ERR_BUSY if its process is being killed.
 */
int64_t ipc_wait_done(struct thread *t, uint64_t deadline, irqflags_t f);

#endif
