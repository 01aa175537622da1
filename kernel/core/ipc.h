/*
 * Synchronous IPC: endpoints, replies and notifications (the general path;
 * core/fastpath.c handles the common call/reply-recv case on its own).
 *
 * A thread in an IPC system call works on its own user context (arch/uctx.h):
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
 * capability for later. A reply that can no longer come (the server ended,
 * received again without replying, or deleted the Reply capability) wakes
 * the caller with -ERR_NOENT instead of leaving it blocked.
 *
 * Closing. SYS_ENDPOINT_CLOSE ends an endpoint for good (a service that is
 * gone): every thread queued on it, sending, calling or receiving, fails
 * with -ERR_CLOSED, and so does every later send, call or receive through
 * any capability to it (the fast path included). Calls already received
 * are not the endpoint's any more: their replies (implicit or saved) still
 * answer them, or fail them with -ERR_NOENT when lost.
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
#ifndef ORB_CORE_IPC_H
#define ORB_CORE_IPC_H

#include "core/cspace.h"
#include "core/thread.h"
#include "core/waitq.h"

extern struct spinlock ipc_lock;

struct endpoint {
	struct kobject obj;
	struct waitq senders;	/* ipc_lock: IPC_SENDING threads */
	struct waitq receivers; /* ipc_lock: IPC_RECEIVING threads */
	bool closed;		/* ipc_lock: ended by SYS_ENDPOINT_CLOSE (never reopens) */
};

struct notification {
	struct kobject obj;
	uint64_t word;	      /* ipc_lock: bits signalled and not yet taken */
	struct waitq waiters; /* ipc_lock: IPC_NTFN_WAIT threads */
};

struct reply_obj {
	struct kobject obj;
	struct thread *caller; /* ipc_lock: the caller waiting for this reply, or NULL */
	bool grant;	       /* the call was made with GRANT: the reply may carry caps */
};

struct process;

int endpoint_create(struct endpoint **out);

/* SYS_ENDPOINT_CLOSE: closes ep and fails its waiting threads with
 * -ERR_CLOSED. Closing a closed endpoint does nothing. */
void endpoint_close(struct endpoint *ep);

/* The bits a notification word can hold (the word is a non-negative return value). */
#define NTFN_WORD_MASK 0x7fffffffffffffffull
int notification_create(struct notification **out);

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
int64_t ipc_reply_to(struct reply_obj *r);

/* SYS_NTFN_SIGNAL / SYS_NTFN_WAIT. */
int64_t ntfn_signal(struct notification *n, uint64_t bits);
int64_t ntfn_wait(struct notification *n, uint64_t timeout_ns);

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

/* Tests only (kernel/test/kt_ipc.c), NULL otherwise: called between taking a
 * thread off its wait and waking it, to hold that moment open. */
extern void (*ipc_wake_hook)(struct thread *t);

/* For the fast path (fastpath.c), with ipc_lock held. */
void ipc_queue_receiver(struct endpoint *ep, struct thread *t, bool fastpath_ok);

#endif
