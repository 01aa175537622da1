/*
 * Per-CPU run queues; see runqueue.h for the model, invariants and locking.
 *
 * The level lists are circular with a sentinel, so insertion and removal
 * never test for an empty list or an end. The bitmap is updated on every
 * transition of a level between empty and non-empty; rq_pick() reads the
 * best level with one count-leading-zeros (a single instruction on x86-64,
 * no runtime library call).
 */
#include "sched/runqueue.h"
#include "debug/panic.h"

void sched_node_init(struct sched_node *n, uint8_t prio, uint64_t affinity)
{
	KASSERT(prio < SCHED_NPRIO);
	n->prev = NULL;
	n->next = NULL;
	n->prio = prio;
	n->on_queue = 0;
	n->affinity = affinity;
	n->cpu = 0;
}

void rq_init(struct runqueue *rq, uint32_t cpu)
{
	for (unsigned p = 0; p < SCHED_NPRIO; p++) {
		struct sched_node *h = &rq->heads[p];
		h->prev = h;
		h->next = h;
		h->prio = (uint8_t)p;
		h->on_queue = 0;
		h->affinity = SCHED_AFFINITY_ANY;
		h->cpu = cpu;
	}
	rq->bitmap = 0;
	rq->count = 0;
	rq->cpu = cpu;
}

/* Checks shared by both enqueue ends: a kernel bug if any fails. */
static void rq_check_insertable(const struct runqueue *rq, const struct sched_node *n)
{
	KASSERT(!n->on_queue);
	KASSERT(n->prio < SCHED_NPRIO);
	KASSERT(sched_affinity_allows(n->affinity, rq->cpu));
}

/* Links n between prev and next (adjacent on one level) and accounts for it. */
static void rq_link(struct runqueue *rq, struct sched_node *n, struct sched_node *prev,
		    struct sched_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
	n->on_queue = 1;
	n->cpu = rq->cpu;
	rq->bitmap |= (uint64_t)1 << n->prio;
	rq->count++;
}

void rq_enqueue_tail(struct runqueue *rq, struct sched_node *n)
{
	rq_check_insertable(rq, n);
	struct sched_node *h = &rq->heads[n->prio];
	rq_link(rq, n, h->prev, h);
}

void rq_enqueue_head(struct runqueue *rq, struct sched_node *n)
{
	rq_check_insertable(rq, n);
	struct sched_node *h = &rq->heads[n->prio];
	rq_link(rq, n, h, h->next);
}

/* Unlinks a node known to be on rq (no checks) and clears its level bit if it emptied. */
static void rq_unlink(struct runqueue *rq, struct sched_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	struct sched_node *h = &rq->heads[n->prio];
	if (h->next == h)
		rq->bitmap &= ~((uint64_t)1 << n->prio);
	n->prev = NULL;
	n->next = NULL;
	n->on_queue = 0;
	rq->count--;
}

void rq_remove(struct runqueue *rq, struct sched_node *n)
{
	KASSERT(n->on_queue);
	KASSERT(n->cpu == rq->cpu);
	KASSERT(n->prio < SCHED_NPRIO);
	/* Cheap link check: catches a node queued elsewhere or a corrupted list. */
	KASSERT(n->prev->next == n && n->next->prev == n);
	rq_unlink(rq, n);
}

/* Index of the most significant set bit of a non-zero word. */
static inline unsigned rq_highest_bit(uint64_t word)
{
	return 63u - (unsigned)__builtin_clzll(word);
}

int rq_peek_prio(const struct runqueue *rq)
{
	if (rq->bitmap == 0)
		return -1;
	return (int)rq_highest_bit(rq->bitmap);
}

struct sched_node *rq_pick(struct runqueue *rq)
{
	if (rq->bitmap == 0)
		return NULL;
	struct sched_node *n = rq->heads[rq_highest_bit(rq->bitmap)].next;
	rq_unlink(rq, n);
	return n;
}

uint32_t rq_count(const struct runqueue *rq)
{
	return rq->count;
}

bool rq_should_preempt(const struct runqueue *rq, int current_prio)
{
	return rq_peek_prio(rq) > current_prio;
}

struct sched_node *rq_steal(struct runqueue *rq, uint32_t dst_cpu)
{
	uint64_t levels = rq->bitmap;
	while (levels != 0) {
		unsigned p = rq_highest_bit(levels);
		levels &= ~((uint64_t)1 << p);
		struct sched_node *h = &rq->heads[p];
		for (struct sched_node *n = h->prev; n != h; n = n->prev) {
			if (sched_affinity_allows(n->affinity, dst_cpu)) {
				rq_unlink(rq, n);
				return n;
			}
		}
	}
	return NULL;
}

bool rq_validate(const struct runqueue *rq)
{
	uint32_t seen = 0;
	for (unsigned p = 0; p < SCHED_NPRIO; p++) {
		const struct sched_node *h = &rq->heads[p];
		bool nonempty = h->next != h;
		if (nonempty != (((rq->bitmap >> p) & 1) != 0))
			return false;
		for (const struct sched_node *n = h->next; n != h; n = n->next) {
			/* Bounded walk: a cycle that misses the sentinel must not hang. */
			if (++seen > rq->count)
				return false;
			if (n->next->prev != n || n->prev->next != n)
				return false;
			if (!n->on_queue || n->cpu != rq->cpu || n->prio != p)
				return false;
			if (!sched_affinity_allows(n->affinity, rq->cpu))
				return false;
		}
		if (h->prev->next != h)
			return false;
	}
	return seen == rq->count;
}
