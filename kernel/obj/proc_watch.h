/*
 * Death watches (SYS_PROC_WATCH): whoever may read a process can ask to be
 * told, through a notification, when it dies (exits, is killed or faults).
 *
 * A watch is a record in the watched process's list: a reference to the
 * notification and the word to signal. Holding the reference (not a
 * capability, not a pointer to the watcher) is what makes a death safe to
 * signal whatever happened meanwhile: the watcher may have exited and every
 * capability to the notification may have been deleted; the object lives
 * until the record goes, and signalling an object nobody waits on is
 * harmless.
 *
 * Life of a record. It is added while the process is not yet DEAD; the
 * death path (process.c) detaches the whole list in the same critical
 * section that marks the process DEAD, then fires each record once (signal,
 * drop the reference, free). A watch of a process that is already DEAD
 * fires at once and is never linked. A process that never ran a thread
 * dies when its last capability goes, and its watches fire then.
 *
 * Bounds. At most PROC_WATCH_MAX records per watched process (-ERR_NOSPACE
 * beyond). A record whose notification has no reference but the records'
 * own (its watcher is gone, or deleted it) can never be observed; every new
 * watch first frees such records (at most PROC_WATCH_MAX^2 steps), so a
 * long-lived process never fills up with them and a dead watcher's
 * notification (and the quota it is charged to) is let go at the next watch
 * of the same process. Only holders of a capability to the process with READ
 * can add.
 *
 * Locking: p->lock guards p->watches and p->nwatches. Signalling and
 * freeing happen after p->lock is released (notification_signal takes ipc_lock, and
 * dropping the last reference destroys the notification).
 */
#ifndef ORB_OBJ_PROC_WATCH_H
#define ORB_OBJ_PROC_WATCH_H

#include "lib/types.h"

#define PROC_WATCH_MAX 64

struct process;
struct notification;

struct quota;

struct proc_watch {
	struct proc_watch *next;	   /* the watched process's p->lock */
	struct notification *notification; /* holds a reference */
	struct quota *quota; /* the watcher's, charged for this record; holds a reference */
	uint64_t word;	     /* what the death signals (non-zero, bit 63 clear) */
};

/* SYS_PROC_WATCH's acting part: n will be signalled with word (non-zero,
 * below 2^63: the caller checked) when p dies, at once if p is DEAD. Takes
 * its own reference to n. The record is charged to q (the watcher's quota;
 * NULL: nobody) until it is freed. Errors (nothing done): -ERR_QUOTA,
 * -ERR_NOMEM, -ERR_NOSPACE. */
int proc_watch_add(struct process *p, struct notification *n, uint64_t word, struct quota *q);

/* The death path, p->lock held, in the critical section that makes p DEAD:
 * takes p's records off it. Fire them with proc_watch_fire once the lock is
 * released. */
struct proc_watch *proc_watch_detach_locked(struct process *p);

/* Signals and frees a detached list (no lock held). */
void proc_watch_fire(struct proc_watch *list);

#endif
