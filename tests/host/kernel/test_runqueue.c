/*
 * Tests of kernel/sched/runqueue.c, the per-CPU run queues.
 *
 * The cases drive the queue through its public functions only and check the
 * order nodes come back in: highest level first (with every one of the 64
 * levels in use), round robin within a level, head versus tail enqueue,
 * removal from the head, middle, tail and of the only node, counts, the
 * preemption test, and rq_steal's affinity and priority rules. Kernel bugs
 * (double enqueue, removing a node that is not queued or queued elsewhere,
 * bad priority, affinity excluding the queue's CPU) must panic and leave the
 * queue intact (the randomized test against a model is
 * test_runqueue_model.c). rq_requeue_pick, the yield's one-step
 * requeue and pick, is compared with the two steps it replaces.
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

#include "runqueue_test.h"

/* Picks everything and checks the ids come out as expected[0..n-1], then empty. */
static void expect_pick_order(struct runqueue *rq, const int *expected, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rq_count(rq), n - i);
		struct sched_node *s = rq_pick(rq);
		assert_non_null(s);
		assert_int_equal(NODE_ID(s), expected[i]);
		assert_int_equal(s->on_queue, 0);
		assert_null(s->prev);
		assert_null(s->next);
		assert_true(rq_validate(rq));
	}
	assert_null(rq_pick(rq));
	assert_int_equal(rq_count(rq), 0);
	assert_int_equal(rq_peek_prio(rq), -1);
}

static void test_empty(void **state)
{
	struct runqueue rq;
	memset(&rq, 0x5a, sizeof(rq)); /* rq_init must not rely on prior contents */
	rq_init(&rq, 3);
	assert_true(rq_validate(&rq));
	assert_int_equal(rq_count(&rq), 0);
	assert_int_equal(rq_peek_prio(&rq), -1);
	assert_null(rq_pick(&rq));
	assert_null(rq_steal(&rq, 0));
	assert_false(rq_should_preempt(&rq, -1));
	assert_false(rq_should_preempt(&rq, 0));
	assert_int_equal(rq.cpu, 3);
}

static void test_pick_highest_level(void **state)
{
	static const uint8_t prios[] = {7, 0, 33, 62, 7, 1, 63, 20, 33, 5};
	struct thr t[ARRAY_SIZE(prios)];
	struct runqueue rq;
	rq_init(&rq, 0);
	for (size_t i = 0; i < ARRAY_SIZE(prios); i++) {
		thr_init(&t[i], (int)i, prios[i], SCHED_AFFINITY_ANY);
		rq_enqueue_tail(&rq, &t[i].sn);
		assert_true(rq_validate(&rq));
	}
	assert_int_equal(rq_peek_prio(&rq), 63);
	/* By level descending; FIFO where two share a level (7: ids 0,4; 33: ids 2,8). */
	static const int order[] = {6, 3, 2, 8, 7, 0, 4, 9, 5, 1};
	expect_pick_order(&rq, order, ARRAY_SIZE(order));
}

static void test_round_robin(void **state)
{
	struct thr t[3];
	struct runqueue rq;
	rq_init(&rq, 0);
	for (int i = 0; i < 3; i++) {
		thr_init(&t[i], i, 10, SCHED_AFFINITY_ANY);
		rq_enqueue_tail(&rq, &t[i].sn);
	}
	/* Each picked thread runs its slice and goes back to the tail. */
	static const int expect[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
	for (size_t k = 0; k < ARRAY_SIZE(expect); k++) {
		struct sched_node *s = rq_pick(&rq);
		assert_non_null(s);
		assert_int_equal(NODE_ID(s), expect[k]);
		assert_int_equal(rq_count(&rq), 2);
		rq_enqueue_tail(&rq, s);
		assert_true(rq_validate(&rq));
	}
}

static void test_head_vs_tail(void **state)
{
	struct thr t[5];
	struct runqueue rq;
	rq_init(&rq, 0);
	for (int i = 0; i < 5; i++)
		thr_init(&t[i], i, 4, SCHED_AFFINITY_ANY);
	rq_enqueue_tail(&rq, &t[0].sn); /* 0 */
	rq_enqueue_tail(&rq, &t[1].sn); /* 0 1 */
	rq_enqueue_head(&rq, &t[2].sn); /* 2 0 1 */
	rq_enqueue_tail(&rq, &t[3].sn); /* 2 0 1 3 */
	rq_enqueue_head(&rq, &t[4].sn); /* 4 2 0 1 3 */
	assert_true(rq_validate(&rq));
	static const int order[] = {4, 2, 0, 1, 3};
	expect_pick_order(&rq, order, 5);

	/* A preempted thread put back at the head runs before its peers. */
	rq_enqueue_tail(&rq, &t[0].sn);
	rq_enqueue_tail(&rq, &t[1].sn);
	struct sched_node *s = rq_pick(&rq);
	assert_int_equal(NODE_ID(s), 0);
	rq_enqueue_head(&rq, s);
	static const int order2[] = {0, 1};
	expect_pick_order(&rq, order2, 2);

	/* Head enqueue into an empty level sets its bit. */
	rq_enqueue_head(&rq, &t[3].sn);
	assert_int_equal(rq_peek_prio(&rq), 4);
	assert_int_equal(rq.bitmap, (uint64_t)1 << 4);
	assert_true(rq_validate(&rq));
}

static void test_remove_positions(void **state)
{
	struct thr t[6];
	struct runqueue rq;
	rq_init(&rq, 2);
	for (int i = 0; i < 5; i++) {
		thr_init(&t[i], i, 9, SCHED_AFFINITY_ANY);
		rq_enqueue_tail(&rq, &t[i].sn);
	}
	thr_init(&t[5], 5, 3, SCHED_AFFINITY_ANY);
	rq_enqueue_tail(&rq, &t[5].sn);

	rq_remove(&rq, &t[2].sn); /* middle */
	assert_int_equal(t[2].sn.on_queue, 0);
	assert_true(rq_validate(&rq));
	rq_remove(&rq, &t[0].sn); /* head */
	assert_true(rq_validate(&rq));
	rq_remove(&rq, &t[4].sn); /* tail */
	assert_true(rq_validate(&rq));
	assert_int_equal(rq_count(&rq), 3);
	assert_int_equal(rq_peek_prio(&rq), 9);

	/* The only node of level 3: its bit must go. */
	rq_remove(&rq, &t[5].sn);
	assert_int_equal(rq.bitmap, (uint64_t)1 << 9);
	assert_true(rq_validate(&rq));

	/* Removed nodes can be queued again, at the tail. */
	rq_enqueue_tail(&rq, &t[0].sn);
	static const int order[] = {1, 3, 0};
	expect_pick_order(&rq, order, 3);
	assert_int_equal(rq.bitmap, 0);

	/* Removing the only node of the whole queue. */
	rq_enqueue_head(&rq, &t[4].sn);
	rq_remove(&rq, &t[4].sn);
	assert_int_equal(rq_count(&rq), 0);
	assert_int_equal(rq_peek_prio(&rq), -1);
	assert_null(rq_pick(&rq));
	assert_true(rq_validate(&rq));
}

static void test_all_levels(void **state)
{
	/* Two nodes per level, enqueued in a scrambled level order. */
	static struct thr t[2 * SCHED_NPRIO];
	struct runqueue rq;
	rq_init(&rq, 0);
	for (unsigned k = 0; k < SCHED_NPRIO; k++) {
		unsigned p = (k * 37) % SCHED_NPRIO; /* 37 is coprime with 64: a permutation */
		thr_init(&t[2 * p], (int)(2 * p), (uint8_t)p, SCHED_AFFINITY_ANY);
		thr_init(&t[2 * p + 1], (int)(2 * p + 1), (uint8_t)p, SCHED_AFFINITY_ANY);
		rq_enqueue_tail(&rq, &t[2 * p].sn);
		rq_enqueue_tail(&rq, &t[2 * p + 1].sn);
	}
	assert_int_equal(rq.bitmap, UINT64_MAX);
	assert_int_equal(rq_count(&rq), 2 * SCHED_NPRIO);
	assert_true(rq_validate(&rq));
	for (int p = SCHED_NPRIO - 1; p >= 0; p--) {
		for (int j = 0; j < 2; j++) {
			assert_int_equal(rq_peek_prio(&rq), p);
			struct sched_node *s = rq_pick(&rq);
			assert_int_equal(s->prio, p);
			assert_int_equal(NODE_ID(s), 2 * p + j);
		}
		/* Level p is now empty, every level below it still full. */
		assert_int_equal(rq.bitmap, p == 0 ? 0 : UINT64_MAX >> (64 - p));
	}
	assert_true(rq_validate(&rq));
}

static void test_should_preempt(void **state)
{
	struct thr a, b;
	struct runqueue rq;
	rq_init(&rq, 0);
	thr_init(&a, 0, 10, SCHED_AFFINITY_ANY);
	thr_init(&b, 1, 0, SCHED_AFFINITY_ANY);

	rq_enqueue_tail(&rq, &b.sn);		 /* only priority 0 ready */
	assert_true(rq_should_preempt(&rq, -1)); /* the idle thread yields to anything */
	assert_false(rq_should_preempt(&rq, 0));
	assert_false(rq_should_preempt(&rq, 5));

	rq_enqueue_tail(&rq, &a.sn);
	assert_true(rq_should_preempt(&rq, 9));
	assert_false(rq_should_preempt(&rq, 10)); /* equal: left to the time slice */
	assert_false(rq_should_preempt(&rq, 11));
	assert_false(rq_should_preempt(&rq, SCHED_PRIO_MAX));

	rq_remove(&rq, &a.sn);
	assert_false(rq_should_preempt(&rq, 9));
	assert_true(rq_should_preempt(&rq, -1));
}

static void test_affinity_allows(void **state)
{
	assert_true(sched_affinity_allows(SCHED_AFFINITY_ANY, 0));
	assert_true(sched_affinity_allows(SCHED_AFFINITY_ANY, 63));
	assert_true(sched_affinity_allows(SCHED_AFFINITY_ANY, 1000));
	assert_true(sched_affinity_allows(0x5, 0));
	assert_false(sched_affinity_allows(0x5, 1));
	assert_true(sched_affinity_allows(0x5, 2));
	assert_true(sched_affinity_allows((uint64_t)1 << 63, 63));
	assert_false(sched_affinity_allows((uint64_t)1 << 63, 62));
	assert_false(sched_affinity_allows(UINT64_MAX, 64)); /* a mask names CPUs < 64 only */
}

static void test_steal(void **state)
{
	enum { N = 7 };
	struct thr t[N];
	struct runqueue rq;
	rq_init(&rq, 0);
	/* Level 20: ids 0 (any), 1 (CPU 0 only), 2 (CPUs 0,2). Level 30: 3 (CPU 0 only).
	 * Level 5: 4 (any), 5 (CPUs 0,1), 6 (CPUs 0,3). */
	thr_init(&t[0], 0, 20, SCHED_AFFINITY_ANY);
	thr_init(&t[1], 1, 20, 0x1);
	thr_init(&t[2], 2, 20, 0x5);
	thr_init(&t[3], 3, 30, 0x1);
	thr_init(&t[4], 4, 5, SCHED_AFFINITY_ANY);
	thr_init(&t[5], 5, 5, 0x3);
	thr_init(&t[6], 6, 5, 0x9);
	for (int i = 0; i < N; i++)
		rq_enqueue_tail(&rq, &t[i].sn);

	/* CPU 1 may not take 3 (level 30); at 20 the tail is 2 (not CPU 1), then 1 (no), 0. */
	struct sched_node *s = rq_steal(&rq, 1);
	assert_non_null(s);
	assert_int_equal(NODE_ID(s), 0);
	assert_int_equal(s->on_queue, 0);
	assert_true(rq_validate(&rq));

	/* CPU 2: best allowed is 2 at level 20. */
	s = rq_steal(&rq, 2);
	assert_int_equal(NODE_ID(s), 2);
	/* CPU 2 again: level 20 holds only 1 (CPU 0 only); level 5 from the tail: 6 no, 5 no, 4. */
	s = rq_steal(&rq, 2);
	assert_int_equal(NODE_ID(s), 4);
	/* Nothing left that CPU 2 may run. */
	assert_null(rq_steal(&rq, 2));
	assert_int_equal(rq_count(&rq), 4);
	/* CPU 3 takes 6, CPU 1 takes 5. */
	assert_int_equal(NODE_ID(rq_steal(&rq, 3)), 6);
	assert_int_equal(NODE_ID(rq_steal(&rq, 1)), 5);
	/* A CPU beyond the mask width may only take affinity-any nodes: none left. */
	assert_null(rq_steal(&rq, 64));
	/* CPU 0 itself can take the rest, best level first. */
	assert_int_equal(NODE_ID(rq_steal(&rq, 0)), 3);
	assert_int_equal(NODE_ID(rq_steal(&rq, 0)), 1);
	assert_null(rq_steal(&rq, 0));
	assert_int_equal(rq.bitmap, 0);
	assert_true(rq_validate(&rq));

	/* Stolen nodes go onto the thief's queue, which takes their cpu. */
	struct runqueue rq2;
	rq_init(&rq2, 2);
	rq_enqueue_tail(&rq, &t[0].sn);
	rq_enqueue_tail(&rq, &t[4].sn);
	s = rq_steal(&rq, 2);
	assert_int_equal(NODE_ID(s), 0);
	rq_enqueue_tail(&rq2, s);
	assert_int_equal(s->cpu, 2);
	assert_true(rq_validate(&rq));
	assert_true(rq_validate(&rq2));

	/* Within a level the tail goes first. */
	rq_enqueue_tail(&rq, &t[2].sn);
	rq_enqueue_tail(&rq, &t[1].sn); /* level 20: 2 1; level 5: 4 */
	assert_int_equal(NODE_ID(rq_steal(&rq, 0)), 1);
	assert_int_equal(NODE_ID(rq_steal(&rq, 0)), 2);
	assert_int_equal(NODE_ID(rq_steal(&rq, 0)), 4);
}

static void test_panics(void **state)
{
	struct thr a, b, c;
	struct runqueue rq, other;
	rq_init(&rq, 1);
	rq_init(&other, 2);
	thr_init(&a, 0, 12, SCHED_AFFINITY_ANY);
	thr_init(&b, 1, 12, SCHED_AFFINITY_ANY);
	thr_init(&c, 2, 12, 0x1); /* CPU 0 only */
	rq_enqueue_tail(&rq, &a.sn);

	/* Double enqueue, at either end, on the same or another queue. */
	assert_true(host_panics(rq_enqueue_tail(&rq, &a.sn)));
	assert_non_null(strstr(host_panic_msg, "on_queue"));
	assert_true(host_panics(rq_enqueue_head(&rq, &a.sn)));
	assert_true(host_panics(rq_enqueue_tail(&other, &a.sn)));
	assert_true(rq_validate(&rq));
	assert_int_equal(rq_count(&rq), 1);

	/* Removing a node that is not queued, or is queued on another CPU. */
	assert_true(host_panics(rq_remove(&rq, &b.sn)));
	assert_true(host_panics(rq_remove(&other, &a.sn)));
	rq_enqueue_tail(&other, &b.sn);
	assert_true(host_panics(rq_remove(&rq, &b.sn)));
	assert_true(rq_validate(&rq));
	assert_true(rq_validate(&other));

	/* A removed node cannot be removed twice. */
	rq_remove(&rq, &a.sn);
	assert_true(host_panics(rq_remove(&rq, &a.sn)));

	/* Affinity that excludes the queue's CPU. */
	assert_true(host_panics(rq_enqueue_tail(&rq, &c.sn)));
	assert_true(host_panics(rq_enqueue_head(&rq, &c.sn)));
	assert_int_equal(c.sn.on_queue, 0);

	/* Priorities out of range. */
	assert_true(host_panics(sched_node_init(&c.sn, SCHED_NPRIO, 0)));
	c.sn.affinity = SCHED_AFFINITY_ANY;
	c.sn.prio = SCHED_NPRIO;
	assert_true(host_panics(rq_enqueue_tail(&rq, &c.sn)));
	assert_true(rq_validate(&rq));
	assert_int_equal(rq_count(&rq), 0);
	assert_int_equal(rq.bitmap, 0);
}

static void test_validate_detects_corruption(void **state)
{
	struct thr a, b;
	struct runqueue rq;
	rq_init(&rq, 0);
	thr_init(&a, 0, 3, SCHED_AFFINITY_ANY);
	thr_init(&b, 1, 3, SCHED_AFFINITY_ANY);
	rq_enqueue_tail(&rq, &a.sn);
	rq_enqueue_tail(&rq, &b.sn);
	assert_true(rq_validate(&rq));
	rq.bitmap |= 1u << 4; /* an empty level marked non-empty */
	assert_false(rq_validate(&rq));
	rq.bitmap &= ~(1u << 4);
	rq.count++;
	assert_false(rq_validate(&rq));
	rq.count--;
	a.sn.prio = 5; /* on the wrong level */
	assert_false(rq_validate(&rq));
	a.sn.prio = 3;
	b.sn.next = &a.sn; /* a cycle that skips the sentinel */
	assert_false(rq_validate(&rq));
	b.sn.next = &rq.heads[3];
	assert_true(rq_validate(&rq));
}

/*
 * rq_requeue_pick(rq, n) does what rq_enqueue_tail(rq, n) then rq_pick(rq)
 * does, in every case: a rotation of n's level (the yield's common case),
 * something above it, nothing at it, an empty queue. Two queues get the same
 * random contents; one takes the two steps, the other the one, and both must
 * give the same node, the same queue order and pass rq_validate.
 */
#define RQP_N 12
static void test_requeue_pick(void **state)
{
	(void)state;
	uint64_t seed = 0x5eedf00dull;
	for (int round = 0; round < 3000; round++) {
		struct thr a[RQP_N], b[RQP_N];
		struct runqueue qa, qb;
		rq_init(&qa, 1);
		rq_init(&qb, 1);
		int n = (int)(rng_xorshift64(&seed) % RQP_N); /* queued; node n is the yielder */
		for (int i = 0; i <= n; i++) {
			/* A few levels near each other, so every case comes up. */
			uint8_t prio = (uint8_t)(30 + rng_xorshift64(&seed) % 3);
			if (round % 7 == 0)
				prio = (uint8_t)(rng_xorshift64(&seed) % SCHED_NPRIO);
			thr_init(&a[i], i, prio, SCHED_AFFINITY_ANY);
			thr_init(&b[i], i, prio, SCHED_AFFINITY_ANY);
			if (i < n) {
				rq_enqueue_tail(&qa, &a[i].sn);
				rq_enqueue_tail(&qb, &b[i].sn);
			}
		}
		rq_enqueue_tail(&qa, &a[n].sn);
		struct sched_node *sa = rq_pick(&qa);
		struct sched_node *sb = rq_requeue_pick(&qb, &b[n].sn);
		assert_non_null(sb);
		assert_int_equal(NODE_ID(sa), NODE_ID(sb));
		assert_int_equal(sb->on_queue, 0);
		assert_null(sb->prev);
		assert_null(sb->next);
		assert_true(rq_validate(&qb));
		assert_int_equal(rq_count(&qa), rq_count(&qb));
		assert_int_equal(qa.bitmap, qb.bitmap);
		while ((sa = rq_pick(&qa)) != NULL) {
			sb = rq_pick(&qb);
			assert_non_null(sb);
			assert_int_equal(NODE_ID(sa), NODE_ID(sb));
		}
		assert_null(rq_pick(&qb));
	}
}

/* rq_has_above(rq, p): some level above p is non-empty, for every p and
 * for bitmaps with each level alone, pairs of levels, none and all. */
static void test_has_above(void **state)
{
	(void)state;
	struct runqueue rq;
	rq_init(&rq, 0);
	for (unsigned a = 0; a <= SCHED_NPRIO; a++) {
		for (unsigned b = 0; b <= SCHED_NPRIO; b++) {
			rq.bitmap =
			    (a < SCHED_NPRIO ? 1ull << a : 0) | (b < SCHED_NPRIO ? 1ull << b : 0);
			if (a == SCHED_NPRIO && b == 0)
				rq.bitmap = ~0ull;
			for (unsigned p = 0; p < SCHED_NPRIO; p++) {
				bool want = false;
				for (unsigned q = p + 1; q < SCHED_NPRIO; q++)
					want |= (rq.bitmap >> q & 1) != 0;
				assert_int_equal(rq_has_above(&rq, p), want);
			}
		}
	}
	rq.bitmap = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_pick_highest_level),
	    cmocka_unit_test(test_round_robin),
	    cmocka_unit_test(test_head_vs_tail),
	    cmocka_unit_test(test_remove_positions),
	    cmocka_unit_test(test_all_levels),
	    cmocka_unit_test(test_should_preempt),
	    cmocka_unit_test(test_affinity_allows),
	    cmocka_unit_test(test_steal),
	    cmocka_unit_test(test_panics),
	    cmocka_unit_test(test_validate_detects_corruption),
	    cmocka_unit_test(test_requeue_pick),
	    cmocka_unit_test(test_has_above),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
