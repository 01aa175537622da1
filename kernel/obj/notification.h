/*
 * Notifications (CAP_TYPE_NOTIFICATION): a word of bits that signals OR in
 * and a wait takes out, for events that need no message (interrupts, a
 * death watch, "there is work").
 *
 * A signal (SYS_NTFN_SIGNAL, an interrupt bound with SYS_IRQ_BIND, a death
 * watch) ORs its bits into the word; if a thread waits, the first in the
 * queue (priority, then FIFO) takes the whole word and wakes. A wait
 * (SYS_NTFN_WAIT) returns the word at once, clearing it, if any bit is set;
 * otherwise it blocks until a signal or its deadline (0 polls:
 * -ERR_TIMEOUT). Bit 63 never gets in: the word is a system call's
 * non-negative result. When the last reference goes, the threads still
 * waiting fail with -ERR_BADCAP.
 *
 * The user-space names are the ABI's short ones (SYS_NTFN_*, orb_ntfn_*);
 * the kernel's are notification_*.
 *
 * Locking: ipc_lock (ipc/ipc.h) guards the word and the queue. A signal may
 * come from interrupt context (obj/irq.c): ipc_lock is always taken with
 * interrupts off.
 */
#ifndef ORB_OBJ_NOTIFICATION_H
#define ORB_OBJ_NOTIFICATION_H

#include "obj/kobject.h"
#include "sched/waitq.h"

struct notification {
	struct kobject obj;
	uint64_t word;	      /* ipc_lock: bits signalled and not yet taken */
	struct waitq waiters; /* ipc_lock: IPC_NOTIFICATION_WAIT threads */
};

/* The bits a notification word can hold (the word is a non-negative return value). */
#define NOTIFICATION_WORD_MASK 0x7fffffffffffffffull

/* A new notification with no reference yet, its word 0. -ERR_NOMEM. */
int notification_create(struct notification **out);

/* SYS_NTFN_SIGNAL: ORs bits (bit 63 dropped) into n's word and wakes its
 * first waiter. -ERR_INVAL if no bit is left. Does not block; safe in
 * interrupt context. */
int64_t notification_signal(struct notification *n, uint64_t bits);

/* SYS_NTFN_WAIT for the running thread: the word (then cleared), or
 * -ERR_TIMEOUT, -ERR_BADCAP (n destroyed meanwhile), -ERR_BUSY (its process
 * is being killed). Consumes the caller's reference to n (dropped before
 * blocking). */
int64_t notification_wait(struct notification *n, uint64_t timeout_ns);

#endif
