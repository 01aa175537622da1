/*
 * Tests of kernel/sched/balance.c, the load-balancing decisions.
 *
 * Tables of loads with the answer worked out by hand, for both the pull
 * source of an idle (or lightly loaded) CPU and the placement of a new
 * thread under an affinity mask; then random tables checked against the
 * defining properties (the answer qualifies, nothing qualifies better, ties
 * go to the lowest index, -1 only when nothing qualifies), and a CPU
 * asking for itself out of range panics.
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
#include "sched/balance.h"
#include "sched/runqueue.h"

#define MAXC 8

struct source_case {
	uint32_t loads[MAXC];
	unsigned ncpus;
	unsigned self;
	int want;
};

static void test_pick_source_table(void **state)
{
	static const struct source_case cases[] = {
	    /* Nothing to pull: everyone has at most a running thread. */
	    {{0, 1, 1, 1}, 4, 0, -1},
	    {{0, 0, 0, 0}, 4, 0, -1},
	    /* One CPU with a thread waiting. */
	    {{0, 2, 1, 1}, 4, 0, 1},
	    /* The busiest wins. */
	    {{0, 2, 5, 3}, 4, 0, 2},
	    /* Ties: lowest index. */
	    {{0, 4, 2, 4}, 4, 0, 1},
	    {{3, 0, 3, 3}, 4, 1, 0},
	    /* self is never its own source, however loaded. */
	    {{9, 0, 0, 0}, 4, 0, -1},
	    {{0, 9, 3, 0}, 4, 1, -1},
	    /* A busy self: the source must exceed it by 2. */
	    {{0, 3, 4, 0}, 4, 1, -1},
	    {{0, 3, 5, 0}, 4, 1, 2},
	    {{7, 2, 6, 8}, 4, 0, -1},
	    {{7, 2, 6, 9}, 4, 0, 3},
	    /* Self in the middle or at the end. */
	    {{5, 2, 0, 2, 5, 6, 1, 6}, 8, 2, 5},
	    {{5, 2, 0, 2, 5, 6, 1, 0}, 8, 7, 5},
	    /* A single CPU has no one to pull from. */
	    {{5}, 1, 0, -1},
	    /* Huge loads must not wrap around. */
	    {{UINT32_MAX, UINT32_MAX - 1, UINT32_MAX}, 3, 1, -1},
	    {{UINT32_MAX - 2, UINT32_MAX, 0}, 3, 0, 1},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct source_case *c = &cases[i];
		int got = balance_pick_source(c->loads, c->ncpus, c->self);
		if (got != c->want)
			fail_msg("case %zu: got %d, want %d", i, got, c->want);
	}
}

struct cpu_case {
	uint32_t loads[MAXC];
	unsigned ncpus;
	uint64_t affinity;
	int want;
};

static void test_pick_cpu_table(void **state)
{
	static const struct cpu_case cases[] = {
	    {{3, 1, 2, 1}, 4, SCHED_AFFINITY_ANY, 1}, /* least loaded, lowest index */
	    {{0, 0, 0, 0}, 4, SCHED_AFFINITY_ANY, 0},
	    {{3, 1, 2, 0}, 4, SCHED_AFFINITY_ANY, 3},
	    {{3, 1, 2, 0}, 4, 0x5, 2},	 /* CPUs 0 and 2 only */
	    {{3, 1, 2, 0}, 4, 0x1, 0},	 /* pinned, however loaded */
	    {{3, 1, 9, 0}, 4, 0x6, 1},	 /* CPUs 1 and 2 */
	    {{4, 4, 4, 4}, 4, 0xc, 2},	 /* tie among allowed: lowest allowed */
	    {{1, 1, 1, 1}, 4, 0xf0, -1}, /* only CPUs that do not exist */
	    {{1, 1, 1, 1}, 4, 0x30 | 0x8, 3},
	    {{7}, 1, SCHED_AFFINITY_ANY, 0},
	    {{0}, 0, SCHED_AFFINITY_ANY, -1}, /* no CPUs at all */
	    {{UINT32_MAX, UINT32_MAX, UINT32_MAX - 1}, 3, SCHED_AFFINITY_ANY, 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cpu_case *c = &cases[i];
		int got = balance_pick_cpu(c->loads, c->ncpus, c->affinity);
		if (got != c->want)
			fail_msg("case %zu: got %d, want %d", i, got, c->want);
	}
}

static void test_pick_cpu_wide(void **state)
{
	/* More CPUs than a mask can name: only an any-CPU thread may go past 63. */
	static uint32_t loads[100];
	for (unsigned c = 0; c < 100; c++)
		loads[c] = 10;
	loads[80] = 1;
	loads[63] = 2;
	assert_int_equal(balance_pick_cpu(loads, 100, SCHED_AFFINITY_ANY), 80);
	assert_int_equal(balance_pick_cpu(loads, 100, UINT64_MAX), 63);
	assert_int_equal(balance_pick_cpu(loads, 100, (uint64_t)1 << 7), 7);
	assert_int_equal(balance_pick_source(loads, 100, 80), 0);
	loads[99] = 11;
	assert_int_equal(balance_pick_source(loads, 100, 80), 99);
}

static uint64_t rng_state = 0x1234567887654321ull;

static uint64_t rng(void)
{
	return rng_xorshift64star(&rng_state);
}

static void test_random_properties(void **state)
{
	uint32_t loads[MAXC];
	for (int iter = 0; iter < 20000; iter++) {
		unsigned n = 1 + (unsigned)(rng() % MAXC);
		for (unsigned c = 0; c < n; c++)
			loads[c] = (uint32_t)(rng() % 6);
		unsigned self = (unsigned)(rng() % n);
		uint64_t aff = rng() % 3 == 0 ? SCHED_AFFINITY_ANY : rng() & 0x3ff;

		/* Source: qualifies, is the busiest qualifying, lowest index among equals. */
		int s = balance_pick_source(loads, n, self);
		for (unsigned c = 0; c < n; c++) {
			bool ok = c != self && loads[c] >= loads[self] + 2;
			if (s < 0) {
				assert_false(ok);
				continue;
			}
			if (ok && (unsigned)s != c) {
				assert_true(loads[c] <= loads[s]);
				if (loads[c] == loads[s])
					assert_true(c > (unsigned)s);
			}
		}
		if (s >= 0) {
			assert_true((unsigned)s < n && (unsigned)s != self);
			assert_true(loads[s] >= loads[self] + 2);
		}

		/* Placement: allowed, least loaded of the allowed, lowest index among equals. */
		int p = balance_pick_cpu(loads, n, aff);
		for (unsigned c = 0; c < n; c++) {
			bool ok = aff == SCHED_AFFINITY_ANY || ((aff >> c) & 1);
			if (p < 0) {
				assert_false(ok);
				continue;
			}
			if (ok && (unsigned)p != c) {
				assert_true(loads[c] >= loads[p]);
				if (loads[c] == loads[p])
					assert_true(c > (unsigned)p);
			}
		}
		if (p >= 0) {
			assert_true((unsigned)p < n);
			assert_true(aff == SCHED_AFFINITY_ANY || ((aff >> p) & 1));
		}
	}
}

static void test_bad_self_panics(void **state)
{
	uint32_t loads[2] = {0, 5};
	assert_true(host_panics(balance_pick_source(loads, 2, 2)));
	assert_true(host_panics(balance_pick_source(loads, 0, 0)));
	assert_int_equal(balance_pick_source(loads, 2, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick_source_table), cmocka_unit_test(test_pick_cpu_table),
	    cmocka_unit_test(test_pick_cpu_wide),     cmocka_unit_test(test_random_properties),
	    cmocka_unit_test(test_bad_self_panics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
