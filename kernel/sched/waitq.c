/*
 * Wait queues; see waitq.h for the order, invariants and locking.
 *
 * The list is sorted by priority, highest first, FIFO among equals. Insertion
 * walks backwards from the tail past every strictly lower-priority waiter and
 * links the new node right after the first waiter of equal or higher
 * priority (or after the sentinel). Walking from the tail keeps equal
 * priorities stable and makes the common case (everyone at one priority) O(1).
 */
#include "sched/waitq.h"
#include "sched/runqueue.h" /* SCHED_NPRIO */
#include "debug/panic.h"

void wait_node_init(struct wait_node *n, uint8_t prio)
{
	KASSERT(prio < SCHED_NPRIO);
	n->prev = NULL;
	n->next = NULL;
	n->queue = NULL;
	n->prio = prio;
}

void waitq_init(struct waitq *wq)
{
	wq->head.prev = &wq->head;
	wq->head.next = &wq->head;
	wq->head.queue = wq;
	wq->head.prio = 0;
	wq->count = 0;
}

void waitq_add(struct waitq *wq, struct wait_node *n)
{
	KASSERT(n->queue == NULL);
	KASSERT(n->prio < SCHED_NPRIO);
	struct wait_node *h = &wq->head;
	struct wait_node *after = h->prev;
	while (after != h && after->prio < n->prio)
		after = after->prev;
	n->prev = after;
	n->next = after->next;
	after->next->prev = n;
	after->next = n;
	n->queue = wq;
	wq->count++;
}

/* Unlinks a node known to be on wq. */
static void waitq_unlink(struct waitq *wq, struct wait_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = NULL;
	n->next = NULL;
	n->queue = NULL;
	wq->count--;
}

void waitq_remove(struct waitq *wq, struct wait_node *n)
{
	KASSERT(n->queue == wq);
	KASSERT(n != &wq->head);
	KASSERT(n->prev->next == n && n->next->prev == n);
	waitq_unlink(wq, n);
}

struct wait_node *waitq_pop(struct waitq *wq)
{
	struct wait_node *n = wq->head.next;
	if (n == &wq->head)
		return NULL;
	waitq_unlink(wq, n);
	return n;
}

struct wait_node *waitq_peek(const struct waitq *wq)
{
	struct wait_node *n = wq->head.next;
	return n == &wq->head ? NULL : n;
}

bool waitq_validate(const struct waitq *wq)
{
	const struct wait_node *h = &wq->head;
	uint32_t seen = 0;
	if (h->prev->next != h || h->next->prev != h)
		return false;
	for (const struct wait_node *n = h->next; n != h; n = n->next) {
		/* Bounded walk: a cycle that misses the sentinel must not hang. */
		if (++seen > wq->count)
			return false;
		if (n->next->prev != n || n->prev->next != n)
			return false;
		if (n->queue != wq || n->prio >= SCHED_NPRIO)
			return false;
		if (n->prev != h && n->prev->prio < n->prio)
			return false;
	}
	return seen == wq->count;
}
