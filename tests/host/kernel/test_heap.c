/*
 * Tests of kernel/mm/heap.c, the slab + page heap.
 *
 * The heap gets its pages from a test page provider that hands out
 * aligned_alloc memory and records every run: it checks that the heap frees
 * exactly what it got (same pointer, same count), counts the pages the heap
 * holds, can be told to fail, and can keep freed pages mapped (quarantine) so
 * a double free of a block whose page went back can be tested without a
 * use-after-free in the test itself. Cases: every size class (alignment,
 * usable size, no overlap via fill patterns), large blocks, sizes 0 and near
 * SIZE_MAX, double and invalid frees, write-after-free detection in debug
 * mode, exact statistics and full page return, and a randomized stress test
 * against a model of the live blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "rng.h"
#include "mm/heap.h"

/* ---- the test page provider ---- */

#define RUNS_MAX 4096

struct page_run {
	uint8_t *base;
	size_t n;
	bool live;
};

struct pages {
	struct page_run runs[RUNS_MAX];
	size_t nruns;
	size_t live_pages;   /* pages handed to the heap and not given back */
	size_t calls;	     /* alloc_pages calls */
	size_t last_request; /* n of the last alloc_pages call */
	size_t fail_after;   /* alloc_pages fails once calls exceed this (SIZE_MAX: never) */
	bool quarantine;     /* keep freed runs allocated until teardown */
};

static void *pages_alloc(void *ctx, size_t n)
{
	struct pages *pg = ctx;
	pg->calls++;
	pg->last_request = n;
	if (pg->calls > pg->fail_after || n > 4096)
		return NULL;
	/* Reuse a free slot when not in quarantine, so long tests do not run out. */
	size_t slot = pg->nruns;
	if (!pg->quarantine)
		for (size_t i = 0; i < pg->nruns; i++)
			if (!pg->runs[i].base) {
				slot = i;
				break;
			}
	assert_true(slot < RUNS_MAX);
	uint8_t *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0xee, n * PAGE_SIZE); /* not zero: the heap must not rely on zeroed pages */
	pg->runs[slot] = (struct page_run){p, n, true};
	if (slot == pg->nruns)
		pg->nruns++;
	pg->live_pages += n;
	return p;
}

static void pages_free(void *ctx, void *p, size_t n)
{
	struct pages *pg = ctx;
	for (size_t i = 0; i < pg->nruns; i++) {
		struct page_run *r = &pg->runs[i];
		if (r->base == p && r->live) {
			assert_int_equal(r->n, n);
			r->live = false;
			pg->live_pages -= n;
			if (!pg->quarantine) {
				free(r->base);
				r->base = NULL;
			}
			return;
		}
	}
	fail_msg("heap freed pages %p (%zu) it never got", p, n);
}

static void pages_teardown(struct pages *pg)
{
	for (size_t i = 0; i < pg->nruns; i++)
		free(pg->runs[i].base);
	free(pg);
}

struct env {
	struct pages *pg;
	struct heap_page_ops ops;
	struct heap heap;
};

static struct env *env_new(bool debug, bool quarantine)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	e->pg = calloc(1, sizeof(*e->pg));
	assert_non_null(e->pg);
	e->pg->fail_after = SIZE_MAX;
	e->pg->quarantine = quarantine;
	e->ops = (struct heap_page_ops){pages_alloc, pages_free, e->pg};
	heap_init(&e->heap, &e->ops, debug);
	return e;
}

static void env_free(struct env *e)
{
	pages_teardown(e->pg);
	free(e);
}

/* Everything freed: nothing live, no page held, and the provider agrees. */
static void assert_empty(struct env *e)
{
	struct heap_stats st;
	heap_get_stats(&e->heap, &st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.blocks_in_use, 0);
	assert_int_equal(st.pages_held, 0);
	assert_int_equal(st.allocs, st.frees);
	assert_int_equal(e->pg->live_pages, 0);
}

static void fill(void *p, size_t n, uint8_t seed)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static void check_fill(const void *p, size_t n, uint8_t seed)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)(seed + i * 7))
			fail_msg("block %p byte %zu clobbered", p, i);
}

static size_t expected_class(size_t size)
{
	size_t c = 16;
	while (c < size)
		c *= 2;
	return c;
}

/* Panic catchers in functions of their own, so no caller's locals live across setjmp. */
static bool free_panics(struct heap *h, void *p)
{
	return host_panics(heap_free(h, p));
}

static bool alloc_panics(struct heap *h, size_t size)
{
	return host_panics(heap_alloc(h, size));
}

static bool size_panics(struct heap *h, void *p)
{
	return host_panics(heap_block_size(h, p));
}

/* ---- cases ---- */

static void test_every_class(void **state)
{
	struct env *e = env_new(true, false);
	static const size_t sizes[] = {1,   15,	 16,  17,   31,	  32,	33,   63,   64,
				       65,  100, 127, 128,  129,  255,	256,  257,  511,
				       512, 513, 777, 1023, 1024, 1025, 2000, 2047, 2048};
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t size = sizes[k];
		enum { N = 40 }; /* more than fit in one slab for the big classes */
		void *b[N];
		for (size_t i = 0; i < N; i++) {
			b[i] = heap_alloc(&e->heap, size);
			assert_non_null(b[i]);
			assert_int_equal((uintptr_t)b[i] % 16, 0);
			assert_int_equal(heap_block_size(&e->heap, b[i]), expected_class(size));
			fill(b[i], size, (uint8_t)(i * 13 + k));
		}
		struct heap_stats st;
		heap_get_stats(&e->heap, &st);
		assert_int_equal(st.blocks_in_use, N);
		assert_int_equal(st.bytes_in_use, N * size);
		for (size_t i = 0; i < N; i++)
			check_fill(b[i], size, (uint8_t)(i * 13 + k));
		for (size_t i = 0; i < N; i++)
			heap_free(&e->heap, b[i]);
		assert_empty(e);
	}
	env_free(e);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

static void test_no_overlap(void **state)
{
	enum { N = 1500 };
	struct env *e = env_new(false, false);
	static void *b[N];
	static size_t sz[N];
	static uintptr_t ends[N][2];
	srand(1);
	for (size_t i = 0; i < N; i++) {
		sz[i] = i % 50 == 0 ? 2049 + (size_t)rand() % 9000 : 1 + (size_t)rand() % 2048;
		b[i] = heap_alloc(&e->heap, sz[i]);
		assert_non_null(b[i]);
		fill(b[i], sz[i], (uint8_t)i);
		ends[i][0] = (uintptr_t)b[i];
		ends[i][1] = (uintptr_t)b[i] + heap_block_size(&e->heap, b[i]);
		assert_true(heap_block_size(&e->heap, b[i]) >= sz[i]);
	}
	for (size_t i = 0; i < N; i++)
		check_fill(b[i], sz[i], (uint8_t)i);
	/* Usable ranges are pairwise disjoint. */
	qsort(ends, N, sizeof(ends[0]), cmp_ptr);
	for (size_t i = 1; i < N; i++)
		assert_true(ends[i - 1][1] <= ends[i][0]);
	for (size_t i = 0; i < N; i += 2)
		heap_free(&e->heap, b[i]);
	for (size_t i = 1; i < N; i += 2)
		check_fill(b[i], sz[i], (uint8_t)i);
	for (size_t i = 1; i < N; i += 2)
		heap_free(&e->heap, b[i]);
	assert_empty(e);
	env_free(e);
}

static void test_large_blocks(void **state)
{
	struct env *e = env_new(true, false);
	static const size_t sizes[] = {2049, 4000, 4096, 4097, 10000, 65536, MiB(1) + 3};
	void *b[ARRAY_SIZE(sizes)];
	size_t pages = 0, bytes = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		b[i] = heap_alloc(&e->heap, sizes[i]);
		assert_non_null(b[i]);
		assert_int_equal((uintptr_t)b[i] % 16, 0);
		size_t got = e->pg->last_request;
		/* The header shares the first page, and no more pages than needed. */
		assert_true(got * PAGE_SIZE > sizes[i]);
		assert_true((got - 1) * PAGE_SIZE < sizes[i] + 64);
		assert_true(heap_block_size(&e->heap, b[i]) >= sizes[i]);
		assert_true((uintptr_t)b[i] + heap_block_size(&e->heap, b[i]) <=
			    ALIGN_DOWN((uintptr_t)b[i], PAGE_SIZE) + got * PAGE_SIZE);
		fill(b[i], sizes[i], (uint8_t)i);
		pages += got;
		bytes += sizes[i];
	}
	struct heap_stats st;
	heap_get_stats(&e->heap, &st);
	assert_int_equal(st.pages_held, pages);
	assert_int_equal(e->pg->live_pages, pages);
	assert_int_equal(st.bytes_in_use, bytes);
	assert_int_equal(st.blocks_in_use, ARRAY_SIZE(sizes));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		check_fill(b[i], sizes[i], (uint8_t)i);
		heap_free(&e->heap, b[i]);
	}
	assert_empty(e);
	env_free(e);
}

static void test_zero_and_huge_sizes(void **state)
{
	struct env *e = env_new(false, false);
	assert_null(heap_alloc(&e->heap, 0));
	assert_null(heap_zalloc(&e->heap, 0));
	assert_int_equal(e->pg->calls, 0);
	/* Sizes whose page count would wrap: NULL, and never a request for a wrapped,
	 * small page count (the provider refuses anything over 4096 pages). */
	static const size_t huge[] = {SIZE_MAX,
				      SIZE_MAX - 1,
				      SIZE_MAX - 16,
				      SIZE_MAX - PAGE_SIZE,
				      SIZE_MAX - PAGE_SIZE - 40,
				      SIZE_MAX - 3 * PAGE_SIZE,
				      SIZE_MAX / 2};
	for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
		e->pg->last_request = 0;
		assert_null(heap_alloc(&e->heap, huge[i]));
		assert_null(heap_zalloc(&e->heap, huge[i]));
		assert_true(e->pg->last_request == 0 || e->pg->last_request >= huge[i] / PAGE_SIZE);
	}
	assert_null(heap_alloc(&e->heap, SIZE_MAX));
	heap_free(&e->heap, NULL);
	assert_int_equal(heap_block_size(&e->heap, NULL), 0);
	assert_empty(e);
	struct heap_stats st;
	heap_get_stats(&e->heap, &st);
	assert_int_equal(st.allocs, 0);
	env_free(e);
}

static void test_page_alloc_failure(void **state)
{
	struct env *e = env_new(false, false);
	void *a = heap_alloc(&e->heap, 64);
	assert_non_null(a);
	e->pg->fail_after = e->pg->calls;
	/* The slab still has room; a new class and a large block need pages and fail. */
	void *b = heap_alloc(&e->heap, 64);
	assert_non_null(b);
	assert_null(heap_alloc(&e->heap, 128));
	assert_null(heap_alloc(&e->heap, 5000));
	struct heap_stats st;
	heap_get_stats(&e->heap, &st);
	assert_int_equal(st.blocks_in_use, 2);
	assert_int_equal(st.bytes_in_use, 128);
	assert_int_equal(st.pages_held, 1);
	e->pg->fail_after = SIZE_MAX;
	void *c = heap_alloc(&e->heap, 128);
	assert_non_null(c);
	heap_free(&e->heap, a);
	heap_free(&e->heap, b);
	heap_free(&e->heap, c);
	assert_empty(e);
	env_free(e);
}

static void test_zalloc_zeroes(void **state)
{
	struct env *e = env_new(true, false);
	/* Dirty some blocks first so zalloc gets reused memory. */
	for (size_t size = 8; size <= 9000; size = size * 3 + 1) {
		void *keep = heap_alloc(&e->heap, size); /* keeps the slab alive */
		void *p = heap_alloc(&e->heap, size);
		memset(p, 0xff, size);
		heap_free(&e->heap, p);
		uint8_t *z = heap_zalloc(&e->heap, size);
		assert_non_null(z);
		for (size_t i = 0; i < size; i++)
			assert_int_equal(z[i], 0);
		heap_free(&e->heap, z);
		heap_free(&e->heap, keep);
	}
	assert_empty(e);
	env_free(e);
}

static void test_double_free_panics(void **state)
{
	struct env *e = env_new(false, true);
	void *keep = heap_alloc(&e->heap, 100);
	void *p = heap_alloc(&e->heap, 100);
	heap_free(&e->heap, p);
	assert_true(free_panics(&e->heap, p));
	assert_non_null(strstr(host_panic_msg, "heap: double free of 0x"));
	assert_non_null(strstr(host_panic_msg, "(class 128)"));

	/* The last object of a slab: its page went back, the freed header still says so. */
	heap_free(&e->heap, keep);
	assert_int_equal(e->pg->live_pages, 0);
	assert_true(free_panics(&e->heap, keep));
	assert_non_null(strstr(host_panic_msg, "heap: double free of 0x"));

	void *big = heap_alloc(&e->heap, 20000);
	heap_free(&e->heap, big);
	assert_true(free_panics(&e->heap, big));
	assert_non_null(strstr(host_panic_msg, "heap: double free of 0x"));
	assert_true(size_panics(&e->heap, big));

	/* Panics left the heap consistent and unlocked. */
	assert_empty(e);
	p = heap_alloc(&e->heap, 100);
	assert_non_null(p);
	heap_free(&e->heap, p);
	assert_empty(e);
	env_free(e);
}

static void test_invalid_free_panics(void **state)
{
	struct env *e = env_new(false, false);
	uint8_t *p = heap_alloc(&e->heap, 64);
	uint8_t *q = heap_alloc(&e->heap, 64);
	uint8_t *big = heap_alloc(&e->heap, 3 * PAGE_SIZE);
	memset(big, 0, 3 * PAGE_SIZE);
	struct {
		void *ptr;
		const char *msg;
	} bad[] = {
	    {p + 1, "heap: invalid free of 0x"},
	    {p + 16, "not an object start (class 64)"},
	    {q - 8, "not an object start"},
	    {(uint8_t *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE), "not an object start"},
	    {big + 16, "not the start of a large block"},
	    {big - 16, "heap: invalid free of 0x"},
	    {big + PAGE_SIZE + 32, "not a heap block"}, /* a later page of the block */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_true(free_panics(&e->heap, bad[i].ptr));
		if (!strstr(host_panic_msg, bad[i].msg))
			fail_msg("case %zu: panic \"%s\" lacks \"%s\"", i, host_panic_msg,
				 bad[i].msg);
	}
	/* A page the heap never handed out. */
	uint8_t *foreign = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(foreign, 0, PAGE_SIZE);
	assert_true(free_panics(&e->heap, foreign + 64));
	assert_non_null(strstr(host_panic_msg, "not a heap block"));
	free(foreign);

	/* A block of another heap. */
	struct env *other = env_new(false, false);
	void *o = heap_alloc(&other->heap, 64);
	void *ob = heap_alloc(&other->heap, 9000);
	assert_true(free_panics(&e->heap, o));
	assert_non_null(strstr(host_panic_msg, "another heap"));
	assert_true(free_panics(&e->heap, ob));
	assert_non_null(strstr(host_panic_msg, "another heap"));
	heap_free(&other->heap, o);
	heap_free(&other->heap, ob);
	assert_empty(other);
	env_free(other);

	/* Nothing was freed by the bad calls. */
	struct heap_stats st;
	heap_get_stats(&e->heap, &st);
	assert_int_equal(st.blocks_in_use, 3);
	heap_free(&e->heap, p);
	heap_free(&e->heap, q);
	heap_free(&e->heap, big);
	assert_empty(e);
	env_free(e);
}

static void test_write_after_free_debug(void **state)
{
	/* 2048-byte slabs hold one object, so a freed one leaves the heap at once;
	 * every class with a slab that survives the free is checked. */
	for (size_t size = 16; size < HEAP_MAX_SMALL; size *= 2) {
		struct env *e = env_new(true, false);
		uint8_t *keep = heap_alloc(&e->heap, size);
		assert_non_null(keep);
		uint8_t *p = heap_alloc(&e->heap, size);
		heap_free(&e->heap, p);
		/* The freed object is poisoned in full (no link kept inside). */
		for (size_t i = 0; i < size; i++)
			assert_int_equal(p[i], HEAP_POISON);
		size_t at = size - 1 - size / 3;
		p[at] = 0;
		bool panicked = false;
		/* The next allocations of the class reach the damaged slot. */
		for (int i = 0; i < 300 && !panicked; i++)
			panicked = alloc_panics(&e->heap, size);
		assert_true(panicked);
		char want[128];
		snprintf(want, sizeof(want), "heap: write after free at 0x%llx (class %zu)",
			 (unsigned long long)(uintptr_t)(p + at), size);
		if (!strstr(host_panic_msg, want))
			fail_msg("panic \"%s\", expected \"%s\"", host_panic_msg, want);
		env_free(e); /* the heap is abandoned: the damaged slot cannot be freed */
	}
}

static void test_write_after_free_not_debug(void **state)
{
	struct env *e = env_new(false, false);
	void *keep = heap_alloc(&e->heap, 64);
	uint8_t *p = heap_alloc(&e->heap, 64);
	heap_free(&e->heap, p);
	p[3] = 1;
	void *r = heap_alloc(&e->heap, 64);
	assert_ptr_equal(r, p); /* the lowest free slot is reused */
	heap_free(&e->heap, r);
	heap_free(&e->heap, keep);
	assert_empty(e);
	env_free(e);
}

/* ---- randomized stress against a model ---- */

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	return rng_xorshift64(&rng);
}

static size_t rnd_size(void)
{
	switch (rnd() % 8) {
	case 0:
		return 2049 + rnd() % 20000; /* large */
	case 1:
	case 2:
		return 1 + rnd() % 2048;
	default:
		return 1 + rnd() % 128;
	}
}

static void stress(bool debug, size_t ops)
{
	enum { SLOTS = 700 };
	struct env *e = env_new(debug, false);
	static uint8_t *blk[SLOTS];
	static size_t sz[SLOTS];
	memset(blk, 0, sizeof(blk));
	size_t live = 0, bytes = 0, allocs = 0;
	for (size_t op = 0; op < ops; op++) {
		size_t k = rnd() % SLOTS;
		if (blk[k]) {
			check_fill(blk[k], sz[k], (uint8_t)k);
			heap_free(&e->heap, blk[k]);
			blk[k] = NULL;
			live--;
			bytes -= sz[k];
		} else {
			sz[k] = rnd_size();
			blk[k] =
			    rnd() % 4 ? heap_alloc(&e->heap, sz[k]) : heap_zalloc(&e->heap, sz[k]);
			assert_non_null(blk[k]);
			assert_int_equal((uintptr_t)blk[k] % 16, 0);
			fill(blk[k], sz[k], (uint8_t)k);
			live++;
			allocs++;
			bytes += sz[k];
		}
		struct heap_stats st;
		heap_get_stats(&e->heap, &st);
		assert_int_equal(st.blocks_in_use, live);
		assert_int_equal(st.bytes_in_use, bytes);
		assert_int_equal(st.allocs, allocs);
		assert_int_equal(st.pages_held, e->pg->live_pages);
	}
	for (size_t k = 0; k < SLOTS; k++)
		if (blk[k]) {
			check_fill(blk[k], sz[k], (uint8_t)k);
			heap_free(&e->heap, blk[k]);
		}
	assert_empty(e);
	env_free(e);
}

static void test_stress(void **state)
{
	stress(true, 30000);
	stress(false, 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_class),
	    cmocka_unit_test(test_no_overlap),
	    cmocka_unit_test(test_large_blocks),
	    cmocka_unit_test(test_zero_and_huge_sizes),
	    cmocka_unit_test(test_page_alloc_failure),
	    cmocka_unit_test(test_zalloc_zeroes),
	    cmocka_unit_test(test_double_free_panics),
	    cmocka_unit_test(test_invalid_free_panics),
	    cmocka_unit_test(test_write_after_free_debug),
	    cmocka_unit_test(test_write_after_free_not_debug),
	    cmocka_unit_test(test_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
