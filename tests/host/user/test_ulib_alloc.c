/*
 * Tests of the allocator behind the user library's malloc (user/lib/alloc.c).
 *
 * Regions come from the C library here (page-aligned, exactly the size asked
 * for, so ASan sees any access outside them), each with a token that
 * release() must get back. The random test keeps a model of every live block
 * (its size and a fill byte) and checks after each step that blocks are
 * aligned, do not overlap (their fill survives), and that the free list keeps
 * its invariants; at the end, with everything freed, each region must be one
 * free block again and every large region released.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"

#define MAX_REGIONS 4096

struct region {
	void *p;
	size_t size;
	uint32_t token;
	bool live;
};

static struct region regions[MAX_REGIONS];
static unsigned nregions;
static uint32_t next_token = 100;
static size_t grow_budget; /* grow() fails once this many bytes were given (0: no limit) */
static size_t grown;
static unsigned corruptions;
static char corrupt_what[64];

static void *t_grow(void *ctx, size_t size, uint32_t *token)
{
	(void)ctx;
	assert_int_equal(size % ALLOC_PAGE, 0);
	if ((grow_budget && grown + size > grow_budget) || nregions == MAX_REGIONS)
		return NULL;
	void *p = aligned_alloc(ALLOC_PAGE, size);
	assert_non_null(p);
	memset(p, 0xa5, size); /* not zero: the allocator must not rely on it */
	regions[nregions] = (struct region){p, size, next_token, true};
	*token = next_token++;
	nregions++;
	grown += size;
	return p;
}

static void t_release(void *ctx, void *p, size_t size, uint32_t token)
{
	(void)ctx;
	for (unsigned i = 0; i < nregions; i++) {
		if (regions[i].p == p) {
			assert_true(regions[i].live);
			assert_int_equal(regions[i].size, size);
			assert_int_equal(regions[i].token, token);
			regions[i].live = false;
			free(p);
			return;
		}
	}
	fail_msg("release of %p, not a region", p);
}

static void t_corrupt(void *ctx, const char *what, const void *p)
{
	(void)ctx;
	(void)p;
	corruptions++;
	snprintf(corrupt_what, sizeof(corrupt_what), "%s", what);
}

static struct alloc_heap heap;

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < nregions; i++)
		if (regions[i].live)
			free(regions[i].p);
	nregions = 0;
	grown = 0;
	grow_budget = 0;
	corruptions = 0;
	alloc_init(&heap, t_grow, t_release, t_corrupt, NULL);
	return 0;
}

static int teardown(void **state)
{
	setup(state);
	return 0;
}

/* Bytes of live small-block regions. */
static size_t small_bytes(void)
{
	size_t n = 0;
	for (unsigned i = 0; i < nregions; i++)
		if (regions[i].live && regions[i].size >= ALLOC_CHUNK &&
		    ((struct alloc_hdr *)regions[i].p)->magic != ALLOC_MAGIC_LARGE)
			n += regions[i].size;
	return n;
}

static void test_basic(void **state)
{
	(void)state;
	char *a = alloc_malloc(&heap, 10);
	char *b = alloc_malloc(&heap, 100);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal((uintptr_t)a % 16, 0);
	assert_int_equal((uintptr_t)b % 16, 0);
	assert_true(b >= a + 10 || a >= b + 100);
	assert_true(alloc_usable(&heap, a) >= 10);
	memset(a, 1, 10);
	memset(b, 2, 100);
	void *z1 = alloc_malloc(&heap, 0), *z2 = alloc_malloc(&heap, 0);
	assert_non_null(z1);
	assert_ptr_not_equal(z1, z2);
	alloc_free(&heap, a);
	alloc_free(&heap, b);
	alloc_free(&heap, z1);
	alloc_free(&heap, z2);
	alloc_free(&heap, NULL);
	assert_int_equal(heap.regions, 1);
	/* Everything free: the region is one block again. */
	assert_int_equal(alloc_check(&heap), (long)(small_bytes() - sizeof(struct alloc_hdr)));
	assert_int_equal(corruptions, 0);
}

static void test_impossible_sizes(void **state)
{
	(void)state;
	assert_null(alloc_malloc(&heap, SIZE_MAX));
	assert_null(alloc_malloc(&heap, SIZE_MAX / 2 + 1));
	assert_null(alloc_calloc(&heap, SIZE_MAX / 2, 3));
	assert_null(alloc_calloc(&heap, (size_t)1 << 33, (size_t)1 << 33));
	grow_budget = ALLOC_CHUNK; /* the first region only */
	void *p = alloc_malloc(&heap, 100);
	assert_non_null(p);
	assert_null(alloc_malloc(&heap, ALLOC_LARGE));	    /* needs a region of its own */
	assert_null(alloc_malloc(&heap, ALLOC_CHUNK - 64)); /* does not fit what is left */
	assert_true(alloc_check(&heap) >= 0);
	alloc_free(&heap, p);
	assert_int_equal(corruptions, 0);
}

static void test_calloc_zeroes_reused_memory(void **state)
{
	(void)state;
	unsigned char *p = alloc_malloc(&heap, 200);
	memset(p, 0xff, 200);
	alloc_free(&heap, p);
	unsigned char *q = alloc_calloc(&heap, 50, 4);
	assert_ptr_equal(p, q); /* first fit: the same block */
	for (int i = 0; i < 200; i++)
		assert_int_equal(q[i], 0);
	alloc_free(&heap, q);
}

static void test_realloc_cases(void **state)
{
	(void)state;
	char *a = alloc_malloc(&heap, 64);
	char *b = alloc_malloc(&heap, 64);
	char *c = alloc_malloc(&heap, 64);
	for (int i = 0; i < 64; i++)
		a[i] = (char)i;
	alloc_free(&heap, b);
	/* Grows into the free neighbour, in place. */
	char *a2 = alloc_realloc(&heap, a, 120);
	assert_ptr_equal(a2, a);
	for (int i = 0; i < 64; i++)
		assert_int_equal(a2[i], (char)i);
	/* Shrinks in place; the tail is free again and merges. */
	assert_ptr_equal(alloc_realloc(&heap, a2, 8), a2);
	assert_true(alloc_check(&heap) >= 0);
	/* Cannot grow in place past c: moves, keeping the contents. */
	char *a3 = alloc_realloc(&heap, a2, 1000);
	assert_ptr_not_equal(a3, a2);
	for (int i = 0; i < 8; i++)
		assert_int_equal(a3[i], (char)i);
	/* NULL and 0. */
	char *d = alloc_realloc(&heap, NULL, 10);
	assert_non_null(d);
	assert_null(alloc_realloc(&heap, d, 0));
	alloc_free(&heap, a3);
	alloc_free(&heap, c);
	assert_int_equal(alloc_check(&heap), (long)(small_bytes() - 16 * heap.regions));
	assert_int_equal(corruptions, 0);
}

static void test_large(void **state)
{
	(void)state;
	unsigned char *p = alloc_malloc(&heap, 1000000);
	assert_non_null(p);
	assert_int_equal(heap.large_live, 1);
	assert_int_equal((uintptr_t)p % 16, 0);
	memset(p, 7, 1000000);
	/* Growing: a new region, contents kept, the old region released. */
	unsigned char *q = alloc_realloc(&heap, p, 3000000);
	assert_non_null(q);
	assert_int_equal(heap.large_live, 1);
	for (size_t i = 0; i < 1000000; i += 4093)
		assert_int_equal(q[i], 7);
	/* Shrinking a little stays in place; to a small size moves to a small block. */
	assert_ptr_equal(alloc_realloc(&heap, q, 2900000), q);
	unsigned char *s = alloc_realloc(&heap, q, 100);
	assert_non_null(s);
	assert_int_equal(heap.large_live, 0);
	assert_int_equal(s[99], 7);
	alloc_free(&heap, s);
	for (unsigned i = 0; i < nregions; i++)
		if (regions[i].size > ALLOC_CHUNK)
			assert_false(regions[i].live);
	/* Exactly at the threshold. */
	void *t = alloc_malloc(&heap, ALLOC_LARGE - 16);
	assert_int_equal(heap.large_live, 1);
	alloc_free(&heap, t);
	assert_int_equal(heap.large_live, 0);
	assert_int_equal(corruptions, 0);
}

static void test_bad_frees(void **state)
{
	(void)state;
	/* An overrun into the next block's header is caught when that block is freed. */
	char *c = alloc_malloc(&heap, 32);
	char *d = alloc_malloc(&heap, 32);
	assert_ptr_equal(d, c + 48);
	memset(c, 0, 48 + 4);
	alloc_free(&heap, d);
	assert_int_equal(corruptions, 1);
	assert_string_equal(corrupt_what, "bad pointer");

	char *a = alloc_malloc(&heap, 40);
	char *b = alloc_malloc(&heap, 40);
	alloc_free(&heap, a);
	alloc_free(&heap, a);
	assert_int_equal(corruptions, 2);
	assert_string_equal(corrupt_what, "double free");
	alloc_free(&heap, b + 16);
	assert_int_equal(corruptions, 3);
	alloc_free(&heap, b + 1);
	assert_int_equal(corruptions, 4);
	assert_string_equal(corrupt_what, "misaligned pointer");
	alloc_free(&heap, b);
	assert_int_equal(corruptions, 4);
	assert_true(alloc_check(&heap) >= 0);
}

struct live {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static void check_live(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		if (l->p[i] != l->fill)
			fail_msg("block %p (%zu bytes) damaged at %zu", (void *)l->p, l->size, i);
}

static void test_random(void **state)
{
	(void)state;
	enum { N = 300, STEPS = 30000 };
	static struct live live[N];
	memset(live, 0, sizeof(live));
	srand(1234);
	for (int step = 0; step < STEPS; step++) {
		struct live *l = &live[rand() % N];
		int r = rand() % 100;
		size_t size = (r < 2)	 ? ALLOC_LARGE + (size_t)(rand() % 600000)
			      : (r < 30) ? (size_t)(rand() % 4000)
					 : (size_t)(rand() % 200);
		if (l->p)
			check_live(l);
		if (!l->p) {
			l->p = (r & 1) ? alloc_calloc(&heap, 1, size) : alloc_malloc(&heap, size);
			assert_non_null(l->p);
			if (r & 1)
				for (size_t i = 0; i < size; i++)
					assert_int_equal(l->p[i], 0);
		} else if (r < 50) {
			alloc_free(&heap, l->p);
			l->p = NULL;
			continue;
		} else {
			unsigned char *q = alloc_realloc(&heap, l->p, size ? size : 1);
			assert_non_null(q);
			size_t keep = l->size < size ? l->size : size;
			for (size_t i = 0; i < keep; i++)
				assert_int_equal(q[i], l->fill);
			l->p = q;
			size = size ? size : 1;
		}
		assert_int_equal((uintptr_t)l->p % 16, 0);
		assert_true(alloc_usable(&heap, l->p) >= size);
		l->size = size;
		l->fill = (unsigned char)(step | 1);
		memset(l->p, l->fill, size);
		if (step % 500 == 0)
			assert_true(alloc_check(&heap) >= 0);
	}
	for (int i = 0; i < N; i++) {
		if (live[i].p) {
			check_live(&live[i]);
			alloc_free(&heap, live[i].p);
		}
	}
	assert_int_equal(heap.large_live, 0);
	/* Fully merged: one free block per region, each as big as the region less its fence. */
	assert_int_equal(alloc_check(&heap), (long)(small_bytes() - 16 * heap.regions));
	unsigned blocks = 0;
	for (struct alloc_hdr *b = heap.free; b; b = *(struct alloc_hdr **)(void *)(b + 1))
		blocks++;
	assert_int_equal(blocks, heap.regions);
	assert_int_equal(corruptions, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_impossible_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calloc_zeroes_reused_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_realloc_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
