/*
 * Tests of kernel/sched/waitq.c, the priority-then-FIFO wait queues.
 *
 * The cases check the service order (priority first, arrival order among
 * equals, including equal priorities interleaved with others and arrivals
 * between pops), peek, removal from the head, middle, tail and of the only
 * waiter, re-adding after a removal, a thread that is on a wait queue and a
 * run queue at once, and that kernel bugs (adding a queued node, removing a
 * node from a queue it is not on, bad priority) panic and leave the queue
 * intact. The randomized test runs tens of thousands of operations on three
 * queues against a reference model of arrays (queue, priority and arrival
 * number of each node) and checks waitq_validate() after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "rng.h"
#include "sched/runqueue.h"
#include "sched/waitq.h"

struct thr {
	int id;
	struct sched_node sn;
	struct wait_node wn;
};

#define WAITER_ID(n) (container_of((n), struct thr, wn)->id)

static void thr_init(struct thr *t, int id, uint8_t prio)
{
	t->id = id;
	sched_node_init(&t->sn, prio, SCHED_AFFINITY_ANY);
	wait_node_init(&t->wn, prio);
}

/* Pops everything and checks the ids come out as expected[0..n-1], then empty. */
static void expect_pop_order(struct waitq *wq, const int *expected, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(waitq_count(wq), n - i);
		assert_false(waitq_empty(wq));
		struct wait_node *peeked = waitq_peek(wq);
		struct wait_node *w = waitq_pop(wq);
		assert_ptr_equal(peeked, w);
		assert_non_null(w);
		assert_int_equal(WAITER_ID(w), expected[i]);
		assert_null(waitq_of(w));
		assert_null(w->prev);
		assert_null(w->next);
		assert_true(waitq_validate(wq));
	}
	assert_true(waitq_empty(wq));
	assert_int_equal(waitq_count(wq), 0);
	assert_null(waitq_pop(wq));
	assert_null(waitq_peek(wq));
}

static void add_all(struct waitq *wq, struct thr *t, const uint8_t *prios, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		thr_init(&t[i], (int)i, prios[i]);
		waitq_add(wq, &t[i].wn);
		assert_ptr_equal(waitq_of(&t[i].wn), wq);
		assert_true(waitq_validate(wq));
	}
}

static void test_empty(void **state)
{
	struct waitq wq;
	memset(&wq, 0xa5, sizeof(wq));
	waitq_init(&wq);
	assert_true(waitq_validate(&wq));
	assert_true(waitq_empty(&wq));
	assert_int_equal(waitq_count(&wq), 0);
	assert_null(waitq_pop(&wq));
	assert_null(waitq_peek(&wq));
}

static void test_fifo_same_prio(void **state)
{
	static const uint8_t prios[] = {7, 7, 7, 7, 7};
	struct thr t[5];
	struct waitq wq;
	waitq_init(&wq);
	add_all(&wq, t, prios, 5);
	static const int order[] = {0, 1, 2, 3, 4};
	expect_pop_order(&wq, order, 5);
}

static void test_priority_order(void **state)
{
	static const uint8_t prios[] = {5, 10, 1, 10, 5, 63, 0};
	struct thr t[7];
	struct waitq wq;
	waitq_init(&wq);
	add_all(&wq, t, prios, 7);
	static const int order[] = {5, 1, 3, 0, 4, 2, 6};
	expect_pop_order(&wq, order, 7);

	/* Strictly increasing arrivals: every add goes to the front. */
	static const uint8_t up[] = {0, 1, 2, 3, 4, 5};
	add_all(&wq, t, up, 6);
	static const int order_up[] = {5, 4, 3, 2, 1, 0};
	expect_pop_order(&wq, order_up, 6);
}

static void test_equal_prios_interleaved(void **state)
{
	/* Three priorities arriving interleaved; each keeps its arrival order. */
	static const uint8_t prios[] = {5, 7, 5, 3, 7, 5, 3, 9, 7, 5};
	struct thr t[ARRAY_SIZE(prios)];
	struct waitq wq;
	waitq_init(&wq);
	add_all(&wq, t, prios, ARRAY_SIZE(prios));
	static const int order[] = {7, 1, 4, 8, 0, 2, 5, 9, 3, 6};
	expect_pop_order(&wq, order, ARRAY_SIZE(order));

	/* Arrivals between pops queue behind the equals already waiting. */
	struct thr u[6];
	thr_init(&u[0], 0, 4);
	thr_init(&u[1], 1, 4);
	thr_init(&u[2], 2, 8);
	thr_init(&u[3], 3, 4);
	thr_init(&u[4], 4, 8);
	thr_init(&u[5], 5, 2);
	waitq_add(&wq, &u[0].wn);
	waitq_add(&wq, &u[1].wn);
	waitq_add(&wq, &u[2].wn);
	assert_int_equal(WAITER_ID(waitq_pop(&wq)), 2);
	assert_int_equal(WAITER_ID(waitq_pop(&wq)), 0);
	waitq_add(&wq, &u[3].wn);
	waitq_add(&wq, &u[5].wn);
	waitq_add(&wq, &u[4].wn);
	static const int rest[] = {4, 1, 3, 5};
	expect_pop_order(&wq, rest, 4);
}

static void test_remove_anywhere(void **state)
{
	static const uint8_t prios[] = {6, 6, 9, 6, 2, 6};
	struct thr t[ARRAY_SIZE(prios)];
	struct waitq wq;
	waitq_init(&wq);
	add_all(&wq, t, prios, ARRAY_SIZE(prios)); /* order: 2 0 1 3 5 4 */

	waitq_remove(&wq, &t[2].wn); /* head */
	assert_null(waitq_of(&t[2].wn));
	assert_true(waitq_validate(&wq));
	waitq_remove(&wq, &t[4].wn); /* tail */
	assert_true(waitq_validate(&wq));
	waitq_remove(&wq, &t[1].wn); /* middle */
	assert_true(waitq_validate(&wq));
	assert_int_equal(waitq_count(&wq), 3);

	/* A removed waiter that comes back queues behind its equals. */
	waitq_add(&wq, &t[1].wn);
	static const int order[] = {0, 3, 5, 1};
	expect_pop_order(&wq, order, 4);

	/* The only waiter. */
	waitq_add(&wq, &t[4].wn);
	waitq_remove(&wq, &t[4].wn);
	assert_true(waitq_empty(&wq));
	assert_null(waitq_pop(&wq));
	assert_true(waitq_validate(&wq));

	/* A re-prioritised waiter: remove, change prio, add again. */
	add_all(&wq, t, prios, ARRAY_SIZE(prios));
	waitq_remove(&wq, &t[4].wn);
	t[4].wn.prio = 6;
	waitq_add(&wq, &t[4].wn);
	waitq_remove(&wq, &t[2].wn);
	t[2].wn.prio = 1;
	waitq_add(&wq, &t[2].wn);
	static const int order2[] = {0, 1, 3, 5, 4, 2};
	expect_pop_order(&wq, order2, 6);
}

static void test_wait_and_run_queue_independent(void **state)
{
	/* A thread can sit on a wait queue (say, a send with a timeout) and a run queue. */
	struct thr a, b;
	struct waitq wq;
	struct runqueue rq;
	waitq_init(&wq);
	rq_init(&rq, 0);
	thr_init(&a, 0, 10);
	thr_init(&b, 1, 20);
	waitq_add(&wq, &a.wn);
	rq_enqueue_tail(&rq, &a.sn);
	waitq_add(&wq, &b.wn);
	assert_true(waitq_validate(&wq));
	assert_true(rq_validate(&rq));
	assert_ptr_equal(rq_pick(&rq), &a.sn);
	assert_ptr_equal(waitq_of(&a.wn), &wq); /* still waiting */
	assert_int_equal(WAITER_ID(waitq_pop(&wq)), 1);
	assert_int_equal(WAITER_ID(waitq_pop(&wq)), 0);
	assert_int_equal(a.sn.on_queue, 0);
}

static void test_panics(void **state)
{
	struct thr a, b;
	struct waitq wq, other;
	waitq_init(&wq);
	waitq_init(&other);
	thr_init(&a, 0, 3);
	thr_init(&b, 1, 3);
	waitq_add(&wq, &a.wn);

	/* Adding a queued node, to the same or another queue. */
	assert_true(host_panics(waitq_add(&wq, &a.wn)));
	assert_non_null(strstr(host_panic_msg, "queue"));
	assert_true(host_panics(waitq_add(&other, &a.wn)));
	assert_int_equal(waitq_count(&wq), 1);
	assert_true(waitq_empty(&other));

	/* Removing a node that is on no queue, or on another one. */
	assert_true(host_panics(waitq_remove(&wq, &b.wn)));
	assert_true(host_panics(waitq_remove(&other, &a.wn)));
	waitq_remove(&wq, &a.wn);
	assert_true(host_panics(waitq_remove(&wq, &a.wn)));
	/* The sentinel itself is not a waiter. */
	assert_true(host_panics(waitq_remove(&wq, &wq.head)));

	/* Priorities out of range. */
	assert_true(host_panics(wait_node_init(&b.wn, SCHED_NPRIO)));
	b.wn.prio = 200;
	assert_true(host_panics(waitq_add(&wq, &b.wn)));
	assert_true(waitq_validate(&wq));
	assert_true(waitq_validate(&other));
	assert_true(waitq_empty(&wq));
}

static void test_validate_detects_corruption(void **state)
{
	struct thr a, b;
	struct waitq wq;
	waitq_init(&wq);
	thr_init(&a, 0, 8);
	thr_init(&b, 1, 4);
	waitq_add(&wq, &a.wn);
	waitq_add(&wq, &b.wn);
	assert_true(waitq_validate(&wq));
	b.wn.prio = 9; /* out of order */
	assert_false(waitq_validate(&wq));
	b.wn.prio = 4;
	wq.count = 3;
	assert_false(waitq_validate(&wq));
	wq.count = 2;
	b.wn.queue = NULL;
	assert_false(waitq_validate(&wq));
	b.wn.queue = &wq;
	b.wn.next = &a.wn; /* a cycle that skips the sentinel */
	assert_false(waitq_validate(&wq));
	b.wn.next = &wq.head;
	assert_true(waitq_validate(&wq));
}

/* ---- randomized test against a reference model ---- */

enum { M_QUEUES = 3, M_NODES = 80, M_STEPS = 40000 };

struct model {
	int queue[M_NODES];    /* -1 when on no queue */
	uint64_t seq[M_NODES]; /* arrival number on its queue */
	uint64_t next_seq;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	return rng_xorshift64star(&rng_state);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* The waiter the model says q serves next: highest prio, then earliest arrival. */
static int model_next(const struct model *m, const struct thr *t, int q)
{
	int best = -1;
	for (int i = 0; i < M_NODES; i++) {
		if (m->queue[i] != q)
			continue;
		if (best < 0 || t[i].wn.prio > t[best].wn.prio ||
		    (t[i].wn.prio == t[best].wn.prio && m->seq[i] < m->seq[best]))
			best = i;
	}
	return best;
}

static void run_model(uint64_t seed, unsigned nprio)
{
	static struct thr t[M_NODES];
	static struct waitq wq[M_QUEUES];
	static struct model m;
	rng_state = seed;
	m.next_seq = 0;
	for (int q = 0; q < M_QUEUES; q++)
		waitq_init(&wq[q]);
	for (int i = 0; i < M_NODES; i++) {
		thr_init(&t[i], i, (uint8_t)rnd(nprio));
		m.queue[i] = -1;
	}
	for (int step = 0; step < M_STEPS; step++) {
		int i = (int)rnd(M_NODES);
		int q = (int)rnd(M_QUEUES);
		switch (rnd(6)) {
		case 0:
		case 1: /* add */
			if (m.queue[i] >= 0)
				break;
			waitq_add(&wq[q], &t[i].wn);
			m.queue[i] = q;
			m.seq[i] = m.next_seq++;
			break;
		case 2: /* remove (a timeout) */
			if (m.queue[i] < 0)
				break;
			waitq_remove(&wq[m.queue[i]], &t[i].wn);
			m.queue[i] = -1;
			break;
		case 3: { /* pop */
			int want = model_next(&m, t, q);
			struct wait_node *w = waitq_pop(&wq[q]);
			if (want < 0) {
				assert_null(w);
				break;
			}
			assert_non_null(w);
			assert_int_equal(WAITER_ID(w), want);
			m.queue[want] = -1;
			break;
		}
		case 4: { /* peek */
			int want = model_next(&m, t, q);
			struct wait_node *w = waitq_peek(&wq[q]);
			if (want < 0)
				assert_null(w);
			else
				assert_ptr_equal(w, &t[want].wn);
			break;
		}
		default: /* new priority for a node on no queue */
			if (m.queue[i] < 0)
				t[i].wn.prio = (uint8_t)rnd(nprio);
			break;
		}
		for (int k = 0; k < M_QUEUES; k++) {
			uint32_t n = 0;
			for (int j = 0; j < M_NODES; j++)
				n += m.queue[j] == k;
			assert_true(waitq_validate(&wq[k]));
			assert_int_equal(waitq_count(&wq[k]), n);
			assert_int_equal(waitq_empty(&wq[k]), n == 0);
		}
		for (int j = 0; j < M_NODES; j++)
			assert_ptr_equal(waitq_of(&t[j].wn),
					 m.queue[j] < 0 ? NULL : &wq[m.queue[j]]);
	}
	/* Drain: the complete service order must match the model. */
	for (int q = 0; q < M_QUEUES; q++) {
		int want;
		while ((want = model_next(&m, t, q)) >= 0) {
			assert_int_equal(WAITER_ID(waitq_pop(&wq[q])), want);
			m.queue[want] = -1;
		}
		assert_true(waitq_empty(&wq[q]));
	}
}

static void test_random_model(void **state)
{
	/* Few priorities (many equals, FIFO matters) and all 64. */
	run_model(7, 3);
	run_model(0xdeadbeefcafef00dull, SCHED_NPRIO);
	run_model(20261121, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_fifo_same_prio),
	    cmocka_unit_test(test_priority_order),
	    cmocka_unit_test(test_equal_prios_interleaved),
	    cmocka_unit_test(test_remove_anywhere),
	    cmocka_unit_test(test_wait_and_run_queue_independent),
	    cmocka_unit_test(test_panics),
	    cmocka_unit_test(test_validate_detects_corruption),
	    cmocka_unit_test(test_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
