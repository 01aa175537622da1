/*
 * Wait queues: blocked threads ordered by priority, then first come first
 * served.
 *
 * This file owns the ordering of waiters only; blocking, waking, timeouts and
 * the thread state belong to the scheduler and to the objects (endpoints,
 * notifications, sleep) that embed a struct waitq. A thread embeds a struct
 * wait_node, a link SEPARATE from its struct sched_node, so a thread can be
 * on a wait queue and a run queue independently. Portable C, also built on
 * the host for unit tests and the fuzzer.
 *
 * Order: the queue is one doubly linked circular list with a sentinel, kept
 * sorted by prio, highest first (priorities as in runqueue.h: higher number =
 * more important); among equal priorities, arrival order. So waitq_pop()
 * always serves the most important waiter, and of those the one that waited
 * longest, which is IPC's rule "waiting senders are served in priority then
 * FIFO order". waitq_add() scans from the tail, so adding is O(1) when all
 * waiters share a priority and O(k) in general, k = waiters of lower
 * priority; waitq_pop(), waitq_peek() and waitq_remove() are O(1).
 *
 * Invariants (waitq_validate() checks them all): list sorted as above;
 * count == list length; a queued node's queue points at its waitq; a node on
 * no queue has queue == NULL and NULL links. Adding a queued node or removing
 * a node from a queue it is not on is a kernel bug and panics (KASSERT).
 *
 * Locking: the caller holds the lock of the object that owns the waitq (for
 * example the endpoint's lock). A node's prio may only change while it is on
 * no queue; to re-prioritise a waiter, remove it, change prio, add it again
 * (it then queues behind its new equals).
 */
#ifndef ORB_SCHED_WAITQ_H
#define ORB_SCHED_WAITQ_H

#include "lib/types.h"

struct waitq;

struct wait_node {
	struct wait_node *prev, *next; /* NULL when on no queue */
	struct waitq *queue;	       /* the queue it is on, or NULL; lets a timeout find it */
	uint8_t prio;		       /* ordering key, 0..SCHED_NPRIO-1, set before adding */
};

struct waitq {
	struct wait_node head; /* sentinel of the sorted circular list */
	uint32_t count;	       /* waiters queued */
};

/* Prepares a node that is on no queue. */
void wait_node_init(struct wait_node *n, uint8_t prio);

/* Empties wq. */
void waitq_init(struct waitq *wq);

/* Queues n after every waiter of equal or higher priority. */
void waitq_add(struct waitq *wq, struct wait_node *n);

/* Takes n off wq wherever it is (a timeout, a cancelled wait). */
void waitq_remove(struct waitq *wq, struct wait_node *n);

/* Removes and returns the most important, earliest waiter, or NULL if empty. */
struct wait_node *waitq_pop(struct waitq *wq);

/* The waiter waitq_pop() would return, left queued; NULL if empty. */
struct wait_node *waitq_peek(const struct waitq *wq);

/* The queue n is on, or NULL. */
static inline struct waitq *waitq_of(const struct wait_node *n)
{
	return n->queue;
}

static inline bool waitq_empty(const struct waitq *wq)
{
	return wq->count == 0;
}

static inline uint32_t waitq_count(const struct waitq *wq)
{
	return wq->count;
}

/* The waiter waitq_pop() would return, or NULL: waitq_peek, inline. */
static inline struct wait_node *waitq_first(const struct waitq *wq)
{
	return wq->count ? wq->head.next : NULL;
}

/* Takes n, known to be on wq, off it: waitq_remove without its checks, for
 * the IPC fast path. */
static inline void waitq_unlink_fast(struct waitq *wq, struct wait_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
	n->queue = NULL;
	wq->count--;
}

/* Queues n on the empty queue wq: waitq_add, inline, for the fast path. */
static inline void waitq_link_only(struct waitq *wq, struct wait_node *n)
{
	n->prev = n->next = &wq->head;
	wq->head.next = wq->head.prev = n;
	n->queue = wq;
	wq->count = 1;
}

/* Checks every invariant above (O(count)); false at the first violation. */
bool waitq_validate(const struct waitq *wq);

#endif
