/*
 * Tests of kernel/mm/pmm.c, the physical frame allocator.
 *
 * Each case builds a pmm over a malloc'd bitmap and checks its behaviour from
 * outside: counts after adding and reserving overlapping, unaligned and
 * clipped ranges; exhaustion; that every frame handed out is distinct, added
 * and not reserved; LIFO reuse through the hot stack and the skipping of
 * hot-stack entries that a contiguous allocation took; alignment, word
 * boundaries and the end of the range for contiguous allocation; the panics
 * for bad frees. The randomized test drives thousands of operations against a
 * reference array of frame states, and checks contiguous allocation failures
 * against a brute-force search of that array.
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
#include "mm/pmm.h"

#define F(i) ((paddr_t)(i)*PAGE_SIZE) /* frame index -> address */

struct fixture {
	struct pmm pmm;
	uint64_t *storage;
};

static struct pmm *make(struct fixture *fx, size_t nframes)
{
	size_t bytes = pmm_bitmap_bytes(nframes);
	assert_int_equal(bytes % 8, 0);
	assert_true(bytes * 8 >= nframes);
	/* Fill with garbage: pmm_init must not depend on the storage's contents. */
	fx->storage = malloc(bytes ? bytes : 1);
	assert_non_null(fx->storage);
	memset(fx->storage, 0xa5, bytes);
	pmm_init(&fx->pmm, fx->storage, nframes);
	return &fx->pmm;
}

static void destroy(struct fixture *fx)
{
	free(fx->storage);
}

static void test_init_all_used(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 200);
	paddr_t a;
	assert_int_equal(pmm_free_count(p), 0);
	assert_int_equal(pmm_usable_count(p), 0);
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 1, PAGE_SIZE, &a), -ERR_NOMEM);
	for (size_t i = 0; i < 210; i++)
		assert_true(pmm_is_used(p, F(i)));
	destroy(&fx);

	/* An empty allocator is valid too. */
	p = make(&fx, 0);
	pmm_add_range(p, 0, MiB(1));
	assert_int_equal(pmm_free_count(p), 0);
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	destroy(&fx);
}

static void test_add_reserve_counts(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 300);

	/* Inward rounding: [0x1800, 0x4800) holds whole frames 2 and 3 only. */
	pmm_add_range(p, 0x1800, 0x3000);
	assert_int_equal(pmm_free_count(p), 2);
	assert_int_equal(pmm_usable_count(p), 2);
	assert_true(pmm_is_used(p, F(1)));
	assert_false(pmm_is_used(p, F(2)));
	assert_false(pmm_is_used(p, F(3)));
	assert_true(pmm_is_used(p, F(4)));

	/* Less than a frame, or a range inside one frame: nothing. */
	pmm_add_range(p, 0x10100, 0xe00);
	pmm_add_range(p, 0x20000, 0xfff);
	assert_int_equal(pmm_free_count(p), 2);

	/* Overlapping frames 3..5 and a repeat: only 4 and 5 are new. */
	pmm_add_range(p, F(3), F(3));
	pmm_add_range(p, F(3), F(3));
	pmm_add_range(p, 0x1800, 0x3000);
	assert_int_equal(pmm_free_count(p), 4);
	assert_int_equal(pmm_usable_count(p), 4);

	/* A range across word boundaries and past the end is clipped to 300 frames. */
	pmm_add_range(p, F(60), F(1000));
	assert_int_equal(pmm_usable_count(p), 4 + 240);
	assert_int_equal(pmm_free_count(p), 4 + 240);
	assert_true(pmm_is_used(p, F(300)));

	/* Outward rounding: [F(3)-1, F(3)+1) touches frames 2 and 3. */
	pmm_reserve_range(p, F(3) - 1, 2);
	assert_int_equal(pmm_free_count(p), 242);
	assert_true(pmm_is_used(p, F(2)));
	assert_true(pmm_is_used(p, F(3)));
	assert_false(pmm_is_used(p, F(4)));
	/* Repeats, overlaps, empty and out-of-range reservations change nothing more. */
	pmm_reserve_range(p, F(2), F(2));
	pmm_reserve_range(p, F(4), 0);
	pmm_reserve_range(p, F(400), F(10));
	pmm_reserve_range(p, 0, F(2)); /* frames 0, 1: never RAM */
	assert_int_equal(pmm_free_count(p), 242);
	/* One range spanning several words, and over the end. */
	pmm_reserve_range(p, F(100), F(500));
	assert_int_equal(pmm_free_count(p), 2 + 40);
	assert_int_equal(pmm_usable_count(p), 244);

	/* Adding everything again frees only the new frames (0, 1 and 6..59);
	 * reserved frames stay reserved. */
	pmm_add_range(p, 0, F(300));
	assert_int_equal(pmm_usable_count(p), 244 + 2 + 54);
	assert_int_equal(pmm_free_count(p), 42 + 2 + 54);
	assert_true(pmm_is_used(p, F(2)));
	assert_true(pmm_is_used(p, F(150)));
	assert_false(pmm_is_used(p, F(0)));
	assert_false(pmm_is_used(p, F(59)));
	destroy(&fx);
}

static void test_add_range_wraps(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 64);
	/* base + len overflows: must saturate, not wrap to a small end. */
	pmm_add_range(p, UINT64_MAX - 100, 1000);
	pmm_reserve_range(p, UINT64_MAX - 100, 1000);
	assert_int_equal(pmm_free_count(p), 0);
	pmm_add_range(p, F(10), UINT64_MAX);
	assert_int_equal(pmm_free_count(p), 54);
	pmm_reserve_range(p, F(20), UINT64_MAX);
	assert_int_equal(pmm_free_count(p), 10);
	destroy(&fx);
}

/* Marks the frame in seen[]; fails if it was handed out before. */
static void see_once(uint8_t *seen, size_t idx)
{
	assert_int_equal(seen[idx], 0);
	seen[idx] = 1;
}

static void test_alloc_everything(void **state)
{
	enum { N = 1000 };
	struct fixture fx;
	struct pmm *p = make(&fx, N);
	/* RAM: [5, 300) and [350, 1000) partly unaligned; reserved: [100, 130), [600, 601]. */
	pmm_add_range(p, F(5), F(295));
	pmm_add_range(p, F(350) - 0x800, F(700));
	pmm_reserve_range(p, F(100) + 1, F(30) - 1);
	pmm_reserve_range(p, F(600) + 5, F(1));
	size_t nfree = pmm_free_count(p);
	assert_int_equal(nfree, 295 - 30 + 650 - 2);

	uint8_t seen[N] = {0};
	size_t got = 0;
	paddr_t a;
	while (pmm_alloc(p, &a) == 0) {
		assert_int_equal(a % PAGE_SIZE, 0);
		size_t i = a / PAGE_SIZE;
		assert_true(i < N);
		assert_true((i >= 5 && i < 300) || (i >= 350 && i < N));
		assert_false(i >= 100 && i < 130);
		assert_false(i == 600 || i == 601);
		assert_true(pmm_is_used(p, a));
		see_once(seen, i);
		got++;
		assert_int_equal(pmm_free_count(p), nfree - got);
	}
	assert_int_equal(got, nfree);
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 1, PAGE_SIZE, &a), -ERR_NOMEM);

	/* Free everything (more than the hot stack holds), then it all comes back. */
	for (size_t i = 0; i < N; i++)
		if (seen[i])
			pmm_free(p, F(i));
	assert_int_equal(pmm_free_count(p), nfree);
	memset(seen, 0, sizeof(seen));
	for (got = 0; pmm_alloc(p, &a) == 0; got++)
		see_once(seen, a / PAGE_SIZE);
	assert_int_equal(got, nfree);
	destroy(&fx);
}

static void test_search_wraps_around(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 256);
	/* Allocate from high frames first, then RAM appears below them. */
	pmm_add_range(p, F(192), F(64));
	paddr_t a;
	assert_int_equal(pmm_alloc(p, &a), 0);
	assert_true(a >= F(192));
	pmm_add_range(p, 0, F(100));
	uint8_t seen[256] = {0};
	see_once(seen, a / PAGE_SIZE);
	for (size_t i = 0; i < 163; i++) {
		assert_int_equal(pmm_alloc(p, &a), 0);
		see_once(seen, a / PAGE_SIZE);
	}
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	destroy(&fx);
}

static void test_hot_stack_lifo(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 256);
	pmm_add_range(p, 0, F(256));
	paddr_t a, b, c, x;
	assert_int_equal(pmm_alloc(p, &a), 0);
	assert_int_equal(pmm_alloc(p, &b), 0);
	assert_int_equal(pmm_alloc(p, &c), 0);
	pmm_free(p, b);
	pmm_free(p, a);
	pmm_free(p, c);
	assert_int_equal(pmm_alloc(p, &x), 0);
	assert_int_equal(x, c);
	assert_int_equal(pmm_alloc(p, &x), 0);
	assert_int_equal(x, a);
	assert_int_equal(pmm_alloc(p, &x), 0);
	assert_int_equal(x, b);
	destroy(&fx);
}

static void test_hot_entry_taken_by_contig(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 64);
	pmm_add_range(p, 0, F(64));
	paddr_t a;
	for (size_t i = 0; i < 64; i++) {
		assert_int_equal(pmm_alloc(p, &a), 0);
		assert_int_equal(a, F(i));
	}
	/* Frames 8..15 go to the hot stack, then a contiguous allocation takes them. */
	for (size_t i = 8; i < 16; i++)
		pmm_free(p, F(i));
	assert_int_equal(pmm_alloc_contig(p, 8, 8 * PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(8));
	assert_int_equal(pmm_free_count(p), 0);
	/* The stale entries must be skipped, not handed out a second time. */
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	pmm_free(p, F(40));
	pmm_free(p, F(9)); /* a frame of the contiguous block, freed alone */
	assert_int_equal(pmm_alloc(p, &a), 0);
	assert_int_equal(a, F(9));
	assert_int_equal(pmm_alloc(p, &a), 0);
	assert_int_equal(a, F(40));
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);

	/* Same with a reservation taking a hot frame. */
	pmm_free(p, F(30));
	pmm_reserve_range(p, F(30), 1);
	assert_int_equal(pmm_free_count(p), 0);
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	destroy(&fx);
}

static void test_hot_stack_overflow(void **state)
{
	enum { N = 3 * PMM_HOT_MAX };
	struct fixture fx;
	struct pmm *p = make(&fx, N);
	pmm_add_range(p, 0, F(N));
	paddr_t a;
	for (size_t i = 0; i < N; i++)
		assert_int_equal(pmm_alloc(p, &a), 0);
	/* Free from the top down so the frames the hot stack cannot hold are the low ones. */
	for (size_t i = N; i-- > 0;)
		pmm_free(p, F(i));
	assert_int_equal(pmm_free_count(p), N);
	uint8_t seen[N] = {0};
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(pmm_alloc(p, &a), 0);
		see_once(seen, a / PAGE_SIZE);
	}
	assert_int_equal(pmm_alloc(p, &a), -ERR_NOMEM);
	destroy(&fx);
}

static void test_contig_alignment(void **state)
{
	enum { N = 4096 }; /* 16 MiB */
	struct fixture fx;
	struct pmm *p = make(&fx, N);
	pmm_add_range(p, 0, F(N));
	pmm_reserve_range(p, 0, 1);
	paddr_t a, b;
	assert_int_equal(pmm_alloc_contig(p, 512, MiB(2), &a), 0);
	assert_int_equal(a % MiB(2), 0);
	assert_true(a >= MiB(2)); /* frame 0 is reserved, so the first 2 MiB do not fit */
	for (size_t i = 0; i < 512; i++)
		assert_true(pmm_is_used(p, a + F(i)));
	assert_int_equal(pmm_free_count(p), N - 1 - 512);
	assert_int_equal(pmm_alloc_contig(p, 512, MiB(2), &b), 0);
	assert_int_equal(b % MiB(2), 0);
	assert_true(b + MiB(2) <= a || b >= a + MiB(2));
	pmm_free_contig(p, a, 512);
	pmm_free_contig(p, b, 512);
	assert_int_equal(pmm_free_count(p), N - 1);

	/* Fragment: one used frame in every 256, so 512 frames never fit, 255 do. */
	for (size_t i = 0; i < N; i += 256)
		pmm_reserve_range(p, F(i) + 7, 1);
	assert_int_equal(pmm_alloc_contig(p, 512, PAGE_SIZE, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 256, PAGE_SIZE, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 255, PAGE_SIZE, &a), 0);
	assert_int_equal(a % F(256), F(1));
	/* 128 aligned to 512 KiB fits in the second half of each 256-frame block... */
	assert_int_equal(pmm_alloc_contig(p, 128, KiB(512), &b), 0);
	assert_int_equal(b % F(256), F(128));
	/* ...but 129 does not. */
	assert_int_equal(pmm_alloc_contig(p, 129, KiB(512), &b), -ERR_NOMEM);
	destroy(&fx);
}

static void test_contig_word_boundaries(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 1000);
	pmm_add_range(p, F(60), F(940));
	paddr_t a;
	/* Starts at bit 60 of word 0, covers word 1, ends inside word 2. */
	assert_int_equal(pmm_alloc_contig(p, 70, PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(60));
	assert_true(pmm_is_used(p, F(129)));
	assert_false(pmm_is_used(p, F(130)));
	assert_int_equal(pmm_free_count(p), 870);
	/* Many words: 9 full words plus parts; a used frame at 900 forces it below. */
	pmm_reserve_range(p, F(900), 1);
	assert_int_equal(pmm_alloc_contig(p, 700, PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(130));
	assert_int_equal(pmm_alloc_contig(p, 70, PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(830));
	assert_int_equal(pmm_alloc_contig(p, 100, PAGE_SIZE, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 99, PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(901)); /* ends exactly at nframes */
	assert_int_equal(pmm_free_count(p), 0);
	destroy(&fx);
}

static void test_contig_end_of_range(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 100);
	pmm_add_range(p, 0, F(100));
	paddr_t a;
	assert_int_equal(pmm_alloc_contig(p, 101, PAGE_SIZE, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 100, PAGE_SIZE, &a), 0);
	assert_int_equal(a, 0);
	pmm_free_contig(p, a, 100);
	pmm_reserve_range(p, 0, 1);
	assert_int_equal(pmm_alloc_contig(p, 100, PAGE_SIZE, &a), -ERR_NOMEM);
	/* Aligned to 64 frames the only candidate is 64..99 (frame 0 is reserved). */
	assert_int_equal(pmm_alloc_contig(p, 37, F(64), &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 36, F(64), &a), 0);
	assert_int_equal(a, F(64));
	/* Alignment larger than the whole range: only frame 0 qualifies, and it is used. */
	assert_int_equal(pmm_alloc_contig(p, 1, GiB(1), &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 63, PAGE_SIZE, &a), 0);
	assert_int_equal(a, F(1));
	assert_int_equal(pmm_free_count(p), 0);
	destroy(&fx);
}

static void test_contig_invalid(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 128);
	pmm_add_range(p, 0, F(128));
	paddr_t a;
	assert_int_equal(pmm_alloc_contig(p, 0, PAGE_SIZE, &a), -ERR_INVAL);
	assert_int_equal(pmm_alloc_contig(p, 1, 0, &a), -ERR_INVAL);
	assert_int_equal(pmm_alloc_contig(p, 1, PAGE_SIZE / 2, &a), -ERR_INVAL);
	assert_int_equal(pmm_alloc_contig(p, 1, PAGE_SIZE * 3, &a), -ERR_INVAL);
	assert_int_equal(pmm_alloc_contig(p, SIZE_MAX, PAGE_SIZE, &a), -ERR_NOMEM);
	assert_int_equal(pmm_alloc_contig(p, 1, (size_t)1 << 63, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(pmm_free_count(p), 127);
	destroy(&fx);
}

static void test_bad_free_panics(void **state)
{
	struct fixture fx;
	struct pmm *p = make(&fx, 100);
	pmm_add_range(p, F(10), F(90));
	paddr_t a;
	assert_int_equal(pmm_alloc(p, &a), 0);
	pmm_free(p, a);
	assert_true(host_panics(pmm_free(p, a)));
	assert_non_null(strstr(host_panic_msg, "pmm: double free of frame 0x"));

	assert_true(host_panics(pmm_free(p, F(100))));
	assert_non_null(strstr(host_panic_msg, "pmm: free of frame 0x64000"));
	assert_non_null(strstr(host_panic_msg, "outside"));
	assert_true(host_panics(pmm_free(p, UINT64_MAX & ~(uint64_t)0xfff)));
	assert_non_null(strstr(host_panic_msg, "outside"));
	assert_true(host_panics(pmm_free(p, F(3))));
	assert_non_null(strstr(host_panic_msg, "pmm: free of frame 0x3000 that is not RAM"));
	assert_true(host_panics(pmm_free(p, F(20) + 8)));
	assert_non_null(strstr(host_panic_msg, "unaligned"));

	/* Contiguous frees: one free frame in the middle, or running off the end. */
	assert_int_equal(pmm_alloc_contig(p, 8, PAGE_SIZE, &a), 0);
	pmm_free(p, a + F(5));
	assert_true(host_panics(pmm_free_contig(p, a, 8)));
	assert_non_null(strstr(host_panic_msg, "pmm: double free of frame 0x"));
	assert_true(host_panics(pmm_free_contig(p, F(95), 6)));
	assert_non_null(strstr(host_panic_msg, "outside"));
	assert_true(host_panics(pmm_free_contig(p, F(95), SIZE_MAX)));
	assert_non_null(strstr(host_panic_msg, "outside"));

	/* Nothing changed, and the lock was released: the allocator still works. */
	assert_int_equal(pmm_free_count(p), 90 - 7);
	assert_int_equal(pmm_alloc(p, &a), 0);
	assert_int_equal(pmm_free_count(p), 90 - 8);
	destroy(&fx);
}

/* ---- randomized test against a reference model ---- */

enum { M_NOT_RAM, M_FREE, M_USED, M_RESERVED };

struct model {
	size_t n;
	uint8_t *st;
	size_t nfree;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return rng_xorshift64star(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* Brute force: does an aligned run of count free frames exist in the model? */
static bool model_has_run(const struct model *m, size_t count, size_t step)
{
	for (size_t s = 0; s + count <= m->n; s += step) {
		size_t i = 0;
		while (i < count && m->st[s + i] == M_FREE)
			i++;
		if (i == count)
			return true;
	}
	return false;
}

static void model_take(struct model *m, size_t first, size_t count)
{
	for (size_t i = first; i < first + count; i++) {
		assert_int_equal(m->st[i], M_FREE);
		m->st[i] = M_USED;
	}
	m->nfree -= count;
}

static void check_model(struct pmm *p, const struct model *m)
{
	assert_int_equal(pmm_free_count(p), m->nfree);
	for (size_t i = 0; i < m->n + 70; i++)
		assert_int_equal(pmm_is_used(p, F(i)), i >= m->n || m->st[i] != M_FREE);
}

static void run_model(uint64_t seed, size_t n, size_t ops)
{
	struct fixture fx;
	struct pmm *p = make(&fx, n);
	struct model m = {n, calloc(n, 1), 0};
	assert_non_null(m.st);
	rng_state = seed;

	/* A few random RAM ranges, then reservations (some overlapping RAM). */
	for (int r = 0; r < 6; r++) {
		size_t first = rnd_below(n), len = 1 + rnd_below(n / 3);
		pmm_add_range(p, F(first), F(len));
		for (size_t i = first; i < first + len && i < n; i++)
			if (m.st[i] == M_NOT_RAM) {
				m.st[i] = M_FREE;
				m.nfree++;
			}
	}
	for (int r = 0; r < 4; r++) {
		size_t first = rnd_below(n), len = 1 + rnd_below(20);
		pmm_reserve_range(p, F(first) + 1, F(len) - 2); /* touches [first, first+len) */
		for (size_t i = first; i < first + len && i < n; i++)
			if (m.st[i] == M_FREE) {
				m.st[i] = M_RESERVED;
				m.nfree--;
			}
	}
	check_model(p, &m);

	for (size_t op = 0; op < ops; op++) {
		unsigned kind = (unsigned)rnd_below(10);
		paddr_t a;
		if (kind < 4) {
			int err = pmm_alloc(p, &a);
			if (m.nfree == 0) {
				assert_int_equal(err, -ERR_NOMEM);
			} else {
				assert_int_equal(err, 0);
				assert_true(a / PAGE_SIZE < n);
				model_take(&m, a / PAGE_SIZE, 1);
			}
		} else if (kind < 6) {
			size_t count = 1 + rnd_below(rnd_below(4) == 0 ? 200 : 12);
			size_t step = (size_t)1 << rnd_below(7);
			int err = pmm_alloc_contig(p, count, step * PAGE_SIZE, &a);
			if (err == 0) {
				assert_int_equal(a % (step * PAGE_SIZE), 0);
				assert_true(a / PAGE_SIZE + count <= n);
				model_take(&m, a / PAGE_SIZE, count);
			} else {
				assert_int_equal(err, -ERR_NOMEM);
				assert_false(model_has_run(&m, count, step));
			}
		} else {
			/* Free a random used frame, or a run of used frames, if there is one. */
			size_t start = rnd_below(n), i = 0;
			while (i < n && m.st[(start + i) % n] != M_USED)
				i++;
			if (i == n)
				continue;
			size_t f = (start + i) % n, count = 1;
			if (kind == 9) {
				while (f + count < n && count < 50 && m.st[f + count] == M_USED)
					count++;
				pmm_free_contig(p, F(f), count);
			} else {
				pmm_free(p, F(f));
			}
			for (size_t j = f; j < f + count; j++)
				m.st[j] = M_FREE;
			m.nfree += count;
		}
		assert_int_equal(pmm_free_count(p), m.nfree);
		if (op % 512 == 0)
			check_model(p, &m);
	}
	check_model(p, &m);
	free(m.st);
	destroy(&fx);
}

static void test_random_model(void **state)
{
	run_model(0x1234567, 1000, 20000);
	run_model(0xdeadbeef, 4096, 20000);
	run_model(42, 130, 10000); /* small: runs out of memory often */
	run_model(7, 64, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_all_used),
	    cmocka_unit_test(test_add_reserve_counts),
	    cmocka_unit_test(test_add_range_wraps),
	    cmocka_unit_test(test_alloc_everything),
	    cmocka_unit_test(test_search_wraps_around),
	    cmocka_unit_test(test_hot_stack_lifo),
	    cmocka_unit_test(test_hot_entry_taken_by_contig),
	    cmocka_unit_test(test_hot_stack_overflow),
	    cmocka_unit_test(test_contig_alignment),
	    cmocka_unit_test(test_contig_word_boundaries),
	    cmocka_unit_test(test_contig_end_of_range),
	    cmocka_unit_test(test_contig_invalid),
	    cmocka_unit_test(test_bad_free_panics),
	    cmocka_unit_test(test_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
