/*
 * Per-CPU run queues: fixed priorities, O(1) pick, round robin within a level.
 *
 * This file owns the ready-thread bookkeeping of one CPU and nothing else: it
 * does not know threads, states, time slices or context switches. A thread
 * embeds a struct sched_node and the scheduler finds the thread again with
 * container_of(). Portable C, no x86; it is also built on the host for the
 * unit tests and the fuzzer.
 *
 * Priorities run from 0 to SCHED_NPRIO - 1 and a HIGHER NUMBER IS MORE
 * IMPORTANT: 63 runs before 0. Each level is a circular doubly linked list
 * with its own sentinel in heads[]; bit p of bitmap is set exactly when level
 * p is non-empty, so the best level is found with one find-highest-set-bit.
 *
 * Invariants (rq_validate() checks them all):
 *  - bitmap bit p set  <=>  heads[p] holds at least one node;
 *  - count == number of nodes on all levels;
 *  - every queued node n on rq: n->on_queue == 1, n->cpu == rq->cpu,
 *    n->prio == its level, and n's affinity allows rq->cpu;
 *  - a node that is not queued has on_queue == 0 and NULL links.
 * Enqueueing a queued node, removing a node that is not on this queue, or an
 * out-of-range priority is a kernel bug and panics (KASSERT).
 *
 * Locking: every function here that takes a struct runqueue must be called
 * with the owning CPU's runqueue lock held (the lock lives beside the
 * runqueue in the per-CPU block, owned by the scheduler). rq_steal() is
 * called by another CPU, which must then hold the SOURCE queue's lock. A
 * node's prio and affinity may only change while it is not queued (remove,
 * change, enqueue again).
 */
#ifndef ORB_SCHED_RUNQUEUE_H
#define ORB_SCHED_RUNQUEUE_H

#include "lib/types.h"

#define SCHED_NPRIO	   64 /* priority levels; higher number = more important */
#define SCHED_PRIO_MIN	   0
#define SCHED_PRIO_MAX	   (SCHED_NPRIO - 1)
#define SCHED_MAX_CPUS	   64 /* CPUs an affinity mask can name (one bit each) */
#define SCHED_AFFINITY_ANY ((uint64_t)0)

struct sched_node {
	struct sched_node *prev, *next; /* level list links; NULL when not queued */
	uint8_t prio;			/* 0..SCHED_NPRIO-1, higher runs first */
	uint8_t on_queue;		/* 1 while on a runqueue (its CPU's rq_lock) */
	uint64_t affinity;		/* bit c: may run on CPU c; 0 = any CPU */
	uint32_t cpu;			/* the queue it is (or was last) on; set only under the
					 * rq_lock of the CPU it names (sched/thread.h) */
};

struct runqueue {
	uint64_t bitmap;		      /* bit p set iff level p non-empty */
	struct sched_node heads[SCHED_NPRIO]; /* circular lists with sentinel */
	uint32_t count;			      /* nodes queued, all levels */
	uint32_t cpu;			      /* the CPU owning this queue */
};

/* True if a thread with this affinity mask may run on cpu. */
static inline bool sched_affinity_allows(uint64_t affinity, uint32_t cpu)
{
	if (affinity == SCHED_AFFINITY_ANY)
		return true;
	return cpu < SCHED_MAX_CPUS && ((affinity >> cpu) & 1) != 0;
}

/* Prepares a node that is on no queue. */
void sched_node_init(struct sched_node *n, uint8_t prio, uint64_t affinity);

/* Empties rq and makes it the queue of cpu. */
void rq_init(struct runqueue *rq, uint32_t cpu);

/*
 * Appends n at the tail of its level: where a thread goes when it becomes
 * ready, yields, or used up its time slice (round robin).
 */
void rq_enqueue_tail(struct runqueue *rq, struct sched_node *n);

/*
 * Puts n at the head of its level: for a thread preempted by a more important
 * one before its slice ran out, so it keeps its turn.
 */
void rq_enqueue_head(struct runqueue *rq, struct sched_node *n);

/* Takes a queued node off rq, wherever it is. O(1). */
void rq_remove(struct runqueue *rq, struct sched_node *n);

/* Removes and returns the head of the most important non-empty level, or NULL. O(1). */
struct sched_node *rq_pick(struct runqueue *rq);

/* The most important priority with a ready node, or -1 if rq is empty. O(1). */
int rq_peek_prio(const struct runqueue *rq);

/* True if something of a priority above prio (< SCHED_NPRIO) is queued
 * (inline): the bits from prio up, shifted down, are more than prio's own. */
static inline bool rq_has_above(const struct runqueue *rq, unsigned prio)
{
	return (rq->bitmap >> prio) > 1;
}

/*
 * rq_enqueue_tail(rq, n) then rq_pick(rq), in one step: what a thread that
 * yields or used up its slice does. n (not queued, allowed on rq's CPU) goes
 * to the tail of its level and the head of the best level comes back, which
 * is n itself (not queued) when nothing at its level or above waits. The
 * common case, another thread waiting at n's level and none above, is a
 * rotation: counts and bitmap stay as they are.
 */
static inline struct sched_node *rq_requeue_pick(struct runqueue *rq, struct sched_node *n)
{
	unsigned p = n->prio;
	if (n->on_queue || rq->bitmap >> p != 1) {
		/* Something above n's level, nothing at it, or a kernel bug (n
		 * queued already) that rq_enqueue_tail's checks report. */
		rq_enqueue_tail(rq, n);
		return rq_pick(rq);
	}
	struct sched_node *h = &rq->heads[p], *first = h->next;
	h->next = first->next; /* first off the head */
	first->next->prev = h;
	first->prev = first->next = NULL;
	first->on_queue = 0;
	n->prev = h->prev; /* n at the tail */
	n->next = h;
	h->prev->next = n;
	h->prev = n;
	n->on_queue = 1;
	n->cpu = rq->cpu;
	return first;
}

/* Number of queued nodes. */
uint32_t rq_count(const struct runqueue *rq);

/*
 * True if a node strictly more important than current_prio is ready: the
 * running thread should be preempted. Pass -1 for the idle thread (anything
 * ready preempts it). Equal priority never preempts; that is the time
 * slice's job.
 */
bool rq_should_preempt(const struct runqueue *rq, int current_prio);

/*
 * For load balancing: removes and returns the best node of rq that may run
 * on dst_cpu, or NULL if none may. "Best" is the most important level first;
 * within a level the tail (the node that would run last, the coldest cache).
 * The caller enqueues the node on dst_cpu's queue. O(levels + nodes skipped
 * for affinity).
 */
struct sched_node *rq_steal(struct runqueue *rq, uint32_t dst_cpu);

/*
 * Checks every invariant listed at the top of this file (O(count)); returns
 * false at the first violation. For tests and debug assertions.
 */
bool rq_validate(const struct runqueue *rq);

#endif
