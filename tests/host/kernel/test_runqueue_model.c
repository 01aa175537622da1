/*
 * The randomized test of kernel/sched/runqueue.c: tens of thousands of
 * operations on four queues against a reference model made of plain arrays
 * (each queued node's CPU, level and an ordering key), every result and
 * rq_validate() checked after each step. The cases one by one are in
 * test_runqueue.c.
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

/* ---- randomized test against a reference model ---- */

enum { M_CPUS = 4, M_NODES = 96, M_STEPS = 40000 };

/* The model: for each node, where it is and its place in its level. */
struct model {
	bool queued[M_NODES];
	uint32_t cpu[M_NODES];
	int64_t key[M_NODES]; /* order within a level: smaller runs first */
	int64_t head_key, tail_key;
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

/* Expected rq_pick (or rq_steal when thief >= 0) result on cpu per the model; -1 if none. */
static int model_best(const struct model *m, const struct thr *t, uint32_t cpu, int thief)
{
	int best = -1;
	for (int i = 0; i < M_NODES; i++) {
		if (!m->queued[i] || m->cpu[i] != cpu)
			continue;
		if (thief >= 0 && !sched_affinity_allows(t[i].sn.affinity, (uint32_t)thief))
			continue;
		if (best < 0 || t[i].sn.prio > t[best].sn.prio)
			best = i;
		else if (t[i].sn.prio == t[best].sn.prio &&
			 (thief < 0 ? m->key[i] < m->key[best] : m->key[i] > m->key[best]))
			best = i;
	}
	return best;
}

static void model_check(const struct model *m, const struct thr *t, struct runqueue *rqs)
{
	for (uint32_t c = 0; c < M_CPUS; c++) {
		uint32_t n = 0;
		int top = -1;
		for (int i = 0; i < M_NODES; i++) {
			if (m->queued[i] && m->cpu[i] == c) {
				n++;
				if (t[i].sn.prio > top)
					top = t[i].sn.prio;
			}
		}
		assert_true(rq_validate(&rqs[c]));
		assert_int_equal(rq_count(&rqs[c]), n);
		assert_int_equal(rq_peek_prio(&rqs[c]), top);
	}
	for (int i = 0; i < M_NODES; i++)
		assert_int_equal(t[i].sn.on_queue, m->queued[i]);
}

static uint64_t random_affinity(void)
{
	switch (rnd(4)) {
	case 0:
	case 1:
		return SCHED_AFFINITY_ANY;
	case 2:
		return (uint64_t)1 << rnd(M_CPUS);
	default:
		/* Any subset, possibly naming CPUs that do not exist; at least one real one. */
		return (rng() & ~(uint64_t)0xf) | (1 + rnd(15));
	}
}

static void run_model(uint64_t seed)
{
	static struct thr t[M_NODES];
	static struct runqueue rqs[M_CPUS];
	static struct model m;
	memset(&m, 0, sizeof(m));
	rng_state = seed;
	for (uint32_t c = 0; c < M_CPUS; c++)
		rq_init(&rqs[c], c);
	for (int i = 0; i < M_NODES; i++)
		thr_init(&t[i], i, (uint8_t)rnd(SCHED_NPRIO), random_affinity());

	for (int step = 0; step < M_STEPS; step++) {
		int i = (int)rnd(M_NODES);
		uint32_t c = rnd(M_CPUS);
		switch (rnd(8)) {
		case 0:
		case 1: /* enqueue at the tail or head of an allowed CPU */
		case 2: {
			if (m.queued[i])
				break;
			if (!sched_affinity_allows(t[i].sn.affinity, c))
				break;
			bool head = rnd(3) == 0;
			if (head)
				rq_enqueue_head(&rqs[c], &t[i].sn);
			else
				rq_enqueue_tail(&rqs[c], &t[i].sn);
			m.queued[i] = true;
			m.cpu[i] = c;
			m.key[i] = head ? --m.head_key : ++m.tail_key;
			assert_int_equal(t[i].sn.cpu, c);
			break;
		}
		case 3: /* remove a queued node wherever it is */
			if (!m.queued[i])
				break;
			rq_remove(&rqs[m.cpu[i]], &t[i].sn);
			m.queued[i] = false;
			break;
		case 4: { /* pick */
			int want = model_best(&m, t, c, -1);
			struct sched_node *s = rq_pick(&rqs[c]);
			if (want < 0) {
				assert_null(s);
				break;
			}
			assert_non_null(s);
			assert_int_equal(NODE_ID(s), want);
			m.queued[want] = false;
			break;
		}
		case 5: { /* steal from c for another CPU (sometimes one beyond the mask width) */
			int thief = rnd(5) == 0 ? 64 + (int)rnd(4) : (int)rnd(M_CPUS);
			int want = model_best(&m, t, c, thief);
			struct sched_node *s = rq_steal(&rqs[c], (uint32_t)thief);
			if (want < 0) {
				assert_null(s);
				break;
			}
			assert_non_null(s);
			assert_int_equal(NODE_ID(s), want);
			assert_true(sched_affinity_allows(s->affinity, (uint32_t)thief));
			m.queued[want] = false;
			break;
		}
		case 6: { /* preemption test against a random current priority */
			int cur = (int)rnd(SCHED_NPRIO + 1) - 1;
			int top = model_best(&m, t, c, -1);
			bool want = top >= 0 && t[top].sn.prio > cur;
			assert_int_equal(rq_should_preempt(&rqs[c], cur), want);
			break;
		}
		default: /* change priority and affinity of a node that is not queued */
			if (m.queued[i])
				break;
			t[i].sn.prio = (uint8_t)rnd(SCHED_NPRIO);
			t[i].sn.affinity = random_affinity();
			break;
		}
		model_check(&m, t, rqs);
	}
	/* Drain everything: the full order must match the model too. */
	for (uint32_t c = 0; c < M_CPUS; c++) {
		int want;
		while ((want = model_best(&m, t, c, -1)) >= 0) {
			struct sched_node *s = rq_pick(&rqs[c]);
			assert_non_null(s);
			assert_int_equal(NODE_ID(s), want);
			m.queued[want] = false;
		}
		assert_null(rq_pick(&rqs[c]));
	}
	model_check(&m, t, rqs);
}

static void test_random_model(void **state)
{
	static const uint64_t seeds[] = {1, 0x9e3779b97f4a7c15ull, 20261121};
	for (size_t k = 0; k < ARRAY_SIZE(seeds); k++)
		run_model(seeds[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
