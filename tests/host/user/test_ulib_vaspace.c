/*
 * Tests of the user library's address-range bookkeeping (user/lib/vaspace.c):
 * ranges given back are reused (first fit, the rest staying free), touching
 * ranges merge, a range at the top lowers the bump pointer, bad give-backs
 * are refused without changing anything, the table's limit forgets only the
 * smallest range, and a random sequence against a model of every live range
 * never hands out overlapping addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rng.h"
#include "vaspace.h"

#define P    VASPACE_PAGE
#define BASE 0x200000000000ull
#define TOP  (BASE + 1024 * P)

static void test_bump_then_reuse(void **state)
{
	(void)state;
	struct vaspace s;
	vaspace_init(&s, BASE, TOP);
	uint64_t a = vaspace_take(&s, 3 * P), b = vaspace_take(&s, 2 * P), c = vaspace_take(&s, P);
	assert_int_equal(a, BASE);
	assert_int_equal(b, BASE + 3 * P);
	assert_int_equal(c, BASE + 5 * P);
	assert_int_equal(vaspace_give(&s, a, 3 * P), 0);
	/* First fit from the given-back range, its rest still free. */
	assert_int_equal(vaspace_take(&s, 2 * P), a);
	assert_int_equal(vaspace_take(&s, P), a + 2 * P);
	assert_int_equal(s.nfree, 0);
	/* Nothing free: from the bump pointer. */
	assert_int_equal(vaspace_take(&s, P), BASE + 6 * P);
}

static void test_merge_and_top(void **state)
{
	(void)state;
	struct vaspace s;
	vaspace_init(&s, BASE, TOP);
	uint64_t r[4];
	for (int i = 0; i < 4; i++)
		r[i] = vaspace_take(&s, P);
	assert_int_equal(vaspace_give(&s, r[0], P), 0);
	assert_int_equal(vaspace_give(&s, r[2], P), 0);
	assert_int_equal(s.nfree, 2);
	assert_int_equal(vaspace_give(&s, r[1], P), 0); /* joins r[0] and r[2] */
	assert_int_equal(s.nfree, 1);
	assert_int_equal(s.free[0].at, r[0]);
	assert_int_equal(s.free[0].len, 3 * P);
	assert_int_equal(vaspace_give(&s, r[3], P), 0); /* joins, and reaches the top */
	assert_int_equal(s.nfree, 0);
	assert_int_equal(s.next, BASE);
}

static void test_bad_gives_refused(void **state)
{
	(void)state;
	struct vaspace s;
	vaspace_init(&s, BASE, TOP);
	uint64_t a = vaspace_take(&s, 2 * P);
	vaspace_take(&s, P);
	struct vaspace before = s;
	assert_int_equal(vaspace_give(&s, a + 1, P), -1);		  /* unaligned */
	assert_int_equal(vaspace_give(&s, a, P + 1), -1);		  /* unaligned length */
	assert_int_equal(vaspace_give(&s, a, 0), -1);			  /* empty */
	assert_int_equal(vaspace_give(&s, BASE - P, P), -1);		  /* below the space */
	assert_int_equal(vaspace_give(&s, s.next, P), -1);		  /* never handed out */
	assert_int_equal(vaspace_give(&s, a, 4 * P), -1);		  /* runs past next */
	assert_int_equal(vaspace_give(&s, a, UINT64_MAX & ~(P - 1)), -1); /* wraps */
	assert_memory_equal(&s, &before, sizeof(s));
	assert_int_equal(vaspace_give(&s, a, P), 0);
	assert_int_equal(vaspace_give(&s, a, P), -1);	  /* twice */
	assert_int_equal(vaspace_give(&s, a, 2 * P), -1); /* overlaps the free page */
	assert_int_equal(vaspace_take(&s, 0), 0);
	assert_int_equal(vaspace_take(&s, P + 1), 0);
}

static void test_exhaustion(void **state)
{
	(void)state;
	struct vaspace s;
	vaspace_init(&s, BASE, TOP);
	assert_int_equal(vaspace_take(&s, 1024 * P), BASE);
	assert_int_equal(vaspace_take(&s, P), 0);
	assert_int_equal(vaspace_give(&s, BASE + 10 * P, 5 * P), 0);
	assert_int_equal(vaspace_take(&s, 6 * P), 0); /* no range big enough */
	assert_int_equal(vaspace_take(&s, 5 * P), BASE + 10 * P);
	assert_int_equal(vaspace_take(&s, UINT64_MAX & ~(P - 1)), 0);
}

static void test_table_limit_forgets_smallest(void **state)
{
	(void)state;
	struct vaspace s;
	vaspace_init(&s, BASE, BASE + 4096 * P);
	uint64_t at[2 * VASPACE_FREE_MAX + 2];
	for (unsigned i = 0; i < 2 * VASPACE_FREE_MAX + 2; i++)
		at[i] = vaspace_take(&s, 2 * P);
	/* Every other range back: none touch, so the table fills. */
	for (unsigned i = 0; i < VASPACE_FREE_MAX; i++)
		assert_int_equal(vaspace_give(&s, at[2 * i], 2 * P), 0);
	assert_int_equal(s.nfree, VASPACE_FREE_MAX);
	/* A bigger one replaces a smallest; a range no bigger is forgotten. */
	uint64_t big = vaspace_take(&s, 8 * P);
	assert_int_equal(vaspace_give(&s, big, 8 * P), 0); /* at the top: next goes down */
	uint64_t big2 = vaspace_take(&s, 8 * P);
	assert_int_equal(big2, big);
	assert_int_equal(vaspace_take(&s, 8 * P), big2 + 8 * P); /* big2 is no longer at the top */
	assert_int_equal(vaspace_give(&s, big2, 8 * P), 0);
	assert_int_equal(s.nfree, VASPACE_FREE_MAX);
	int found = 0;
	for (unsigned i = 0; i < s.nfree; i++)
		found |= s.free[i].at == big2 && s.free[i].len == 8 * P;
	assert_true(found);
	assert_int_equal(vaspace_give(&s, at[2 * VASPACE_FREE_MAX + 1], 2 * P), 0);
	assert_int_equal(s.nfree, VASPACE_FREE_MAX);
}

/* Random takes and gives against a model: live ranges never overlap each
 * other or a free range, and all given back returns the space to empty. */
static void test_random_model(void **state)
{
	(void)state;
	enum { N = 200 };
	struct vaspace s;
	vaspace_init(&s, BASE, BASE + 65536 * P);
	struct vaspace_range live[N];
	unsigned nlive = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int step = 0; step < 20000; step++) {
		rng_xorshift64(&x);
		if (nlive < N && (x & 1)) {
			uint64_t len = (1 + (x >> 8) % 9) * P;
			uint64_t at = vaspace_take(&s, len);
			assert_int_not_equal(at, 0);
			for (unsigned i = 0; i < nlive; i++)
				assert_true(at + len <= live[i].at ||
					    live[i].at + live[i].len <= at);
			for (unsigned i = 0; i < s.nfree; i++)
				assert_true(at + len <= s.free[i].at ||
					    s.free[i].at + s.free[i].len <= at);
			live[nlive++] = (struct vaspace_range){at, len};
		} else if (nlive > 0) {
			unsigned k = (unsigned)((x >> 16) % nlive);
			assert_int_equal(vaspace_give(&s, live[k].at, live[k].len), 0);
			live[k] = live[--nlive];
		}
		for (unsigned i = 0; i < s.nfree; i++)
			for (unsigned j = i + 1; j < s.nfree; j++)
				assert_true(s.free[i].at + s.free[i].len < s.free[j].at ||
					    s.free[j].at + s.free[j].len < s.free[i].at);
	}
	while (nlive > 0) {
		assert_int_equal(vaspace_give(&s, live[nlive - 1].at, live[nlive - 1].len), 0);
		nlive--;
	}
	/* Everything back, all merged: the space is empty again, unless the table
	 * overflowed and forgot ranges (it never holds more than it can). */
	assert_true(s.nfree <= VASPACE_FREE_MAX);
	if (s.nfree == 0)
		assert_int_equal(s.next, BASE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bump_then_reuse),
	    cmocka_unit_test(test_merge_and_top),
	    cmocka_unit_test(test_bad_gives_refused),
	    cmocka_unit_test(test_exhaustion),
	    cmocka_unit_test(test_table_limit_forgets_smallest),
	    cmocka_unit_test(test_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
