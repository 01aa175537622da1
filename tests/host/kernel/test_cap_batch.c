/*
 * Tests of the batched capability operations (kernel/obj/cap_tree.c,
 * cspace.c): cap_revoke_batch, cap_delete_batch and cspace_destroy_batch,
 * which bound the time cap_lock is held (with interrupts off) whatever user
 * space built.
 *
 * The cases check that one batch does at most its budget of work (children
 * lifted plus capabilities removed), that a revoke nobody disturbs ends within
 * twice as many units as it removes, and the restart rules: between batches
 * other operations change the tree (derive from capabilities being revoked,
 * delete, move, revoke elsewhere, destroy the cspace holding a parent) and the
 * result is still exact: the revoked capability has no descendant left, a
 * deleted capability's children all survive under its parent, a destroyed
 * cspace is empty while what was derived from it elsewhere survives, every
 * object is destroyed exactly when its last capability goes (never under
 * cap_lock), and cspace_validate holds after every step. A revoke or delete
 * whose capability another thread deleted or moved between batches stops
 * with -ERR_BADCAP from the batch (cap_revoke then reports what it removed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "cspace_fixture.h"
#include "rng.h"

static struct cspace *mkcs(uint32_t n)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(n, &cs), 0);
	return cs;
}

static cap_handle_t mkroot(struct cspace *cs, struct tobj *o)
{
	cap_handle_t h = CAP_HANDLE_NULL;
	assert_int_equal(cspace_insert_root(cs, &o->ko, CAP_RIGHTS_ALL, 0, &h), 0);
	return h;
}

static cap_handle_t derive(struct cspace *s, cap_handle_t h, struct cspace *d)
{
	cap_handle_t out = CAP_HANDLE_NULL;
	assert_int_equal(cap_derive(s, h, d, CAP_RIGHTS_ALL, 0, &out), 0);
	return out;
}

static struct cap *capof(struct cspace *cs, cap_handle_t h)
{
	return cspace_lookup_locked(cs, h); /* single-threaded tests: no lock needed */
}

/* Number of capabilities below c (walks the tree; test-sized trees only). */
static size_t count_below(const struct cap *c)
{
	size_t n = 0;
	for (const struct cap *ch = c->first_child; ch; ch = ch->next_sibling)
		n += 1 + count_below(ch);
	return n;
}

static size_t count_children(const struct cap *c)
{
	size_t n = 0;
	for (const struct cap *ch = c->first_child; ch; ch = ch->next_sibling)
		n++;
	return n;
}

static uint64_t rng_state;
static uint32_t rng(uint32_t n)
{
	return (uint32_t)((rng_xorshift64(&rng_state) >> 16) % n);
}

/* A live capability of cs chosen at random, or NULL_HANDLE if it has none. */
static cap_handle_t any_cap(struct cspace *cs)
{
	if (cs->used == 0)
		return CAP_HANDLE_NULL;
	for (uint32_t start = rng(cs->nslots), i = 0; i < cs->nslots; i++) {
		uint32_t s = (start + i) % cs->nslots;
		if (cs->slots[s].used)
			return cap_handle_locked(&cs->slots[s].cap);
	}
	return CAP_HANDLE_NULL;
}

/* ---- One batch does at most its budget -------------------------------------- */

static void test_revoke_batch_bound(void **state)
{
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	struct cspace *cs = mkcs(512);
	cap_handle_t r = mkroot(cs, &o), mid = derive(cs, r, cs);
	for (int i = 0; i < 300; i++)
		derive(cs, mid, cs);
	size_t removed = 0;
	/* mid has 300 children: the first batch of 10 lifts 10 of them, removes nothing. */
	assert_int_equal(cap_revoke_batch(cs, r, 10, &removed), 1);
	assert_int_equal(removed, 0);
	assert_int_equal(count_children(capof(cs, mid)), 290);
	assert_int_equal(count_children(capof(cs, r)), 11);
	assert_true(cspace_validate(cs));
	/* Then leaves go, at most 10 per batch, and the whole takes <= 2n units. */
	size_t batches = 1, last = 0;
	int ret;
	while ((ret = cap_revoke_batch(cs, r, 10, &removed)) > 0) {
		assert_true(removed - last <= 10);
		last = removed;
		batches++;
		assert_true(cspace_validate(cs));
	}
	assert_int_equal(ret, 0);
	assert_int_equal(removed, 301);
	assert_true(batches + 1 <= (2 * 301 + 9) / 10 + 1);
	assert_null(capof(cs, r)->first_child);
	assert_int_equal(o.ko.refs, 1);
	cspace_destroy(cs);
	assert_int_equal(o.destroyed, 1);
}

static void test_delete_batch_bound(void **state)
{
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	struct cspace *a = mkcs(8), *b = mkcs(512);
	cap_handle_t r = mkroot(a, &o), c = derive(a, r, a);
	for (int i = 0; i < 200; i++)
		derive(a, c, b);
	int ret, batches = 0;
	while ((ret = cap_delete_batch(a, c, 16)) > 0) {
		batches++;
		/* Between batches: the capability is still there with fewer children,
		 * the rest already under its parent; new children may still appear. */
		assert_non_null(capof(a, c));
		assert_int_equal(count_children(capof(a, c)) + count_children(capof(a, r)),
				 200 + 1 + (batches > 3 ? 1 : 0));
		if (batches == 3)
			derive(a, c, b); /* a child made mid-delete is lifted too */
		assert_true(cspace_validate(a) && cspace_validate(b));
	}
	assert_int_equal(ret, 0);
	assert_null(capof(a, c));
	assert_int_equal(count_children(capof(a, r)), 201);
	assert_int_equal(batches, 201 / 16);
	/* A stale handle: -ERR_BADCAP, nothing changes. */
	assert_int_equal(cap_delete_batch(a, c, 16), -ERR_BADCAP);
	cspace_destroy(b);
	cspace_destroy(a);
	assert_int_equal(o.destroyed, 1);
}

static void test_destroy_batch_bound(void **state)
{
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	struct cspace *dying = mkcs(4), *other = mkcs(256);
	cap_handle_t r = mkroot(dying, &o);
	for (int i = 0; i < 100; i++)
		derive(dying, r, other);
	uint32_t next = 0;
	/* 100 children to lift, then the removal: 10 per batch, never more. */
	for (int b = 1; b <= 10; b++) {
		assert_int_equal(cspace_destroy_batch(dying, &next, 10), 1);
		assert_int_equal(count_children(capof(dying, r)), 100 - 10 * b);
		assert_true(cspace_validate(dying) && cspace_validate(other));
	}
	assert_int_equal(cspace_destroy_batch(dying, &next, 10), 0);
	assert_int_equal(dying->used, 0);
	assert_int_equal(other->used, 100); /* lifted to roots, all alive */
	assert_int_equal(o.destroyed, 0);
	cspace_destroy(dying);
	cspace_destroy(other);
	assert_int_equal(o.destroyed, 1);
}

/* ---- Restart rules -------------------------------------------------------- */

/* The revoked capability moved or deleted between batches: the next batch
 * sees a stale handle, and the tree stays valid. */
static void test_revoke_root_gone(void **state)
{
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	struct cspace *cs = mkcs(256);
	cap_handle_t r = mkroot(cs, &o), top = derive(cs, r, cs);
	cap_handle_t p = top;
	for (int i = 0; i < 100; i++)
		p = derive(cs, p, cs);
	size_t removed = 0;
	assert_int_equal(cap_revoke_batch(cs, top, 8, &removed), 1);
	cap_handle_t moved = CAP_HANDLE_NULL;
	assert_int_equal(cap_move(cs, top, cs, &moved), 0);
	assert_int_equal(cap_revoke_batch(cs, top, 8, &removed), -ERR_BADCAP);
	assert_true(cspace_validate(cs));
	/* The moved capability keeps its remaining descendants; revoke them. */
	while (cap_revoke_batch(cs, moved, 8, &removed) > 0)
		;
	assert_int_equal(removed, 100);
	assert_int_equal(cs->used, 2);
	/* Deleted between batches instead. */
	p = moved;
	for (int i = 0; i < 50; i++)
		p = derive(cs, p, cs);
	size_t n2 = 0;
	assert_int_equal(cap_revoke_batch(cs, moved, 4, &n2), 1);
	assert_int_equal(cap_delete(cs, moved), 0);
	assert_int_equal(cap_revoke_batch(cs, moved, 4, &n2), -ERR_BADCAP);
	assert_true(cspace_validate(cs));
	/* What was left below it now hangs below r. */
	assert_int_equal(count_below(capof(cs, r)) + n2, 50);
	cspace_destroy(cs);
	assert_int_equal(o.destroyed, 1);
	assert_false(o.locked_at_destroy);
}

#define NCS  4
#define NOBJ 6

/*
 * Random trees over several cspaces; a revoke (or a cspace destruction) runs
 * in tiny batches while random operations change the trees between batches.
 * Checked after every step: every cspace validates; at the end the revoked
 * capability has no descendant (the destroyed cspace is empty), every object
 * still named has refs equal to the capabilities naming it, and every other
 * object was destroyed exactly once.
 */
static void mutate(struct cspace **cs, bool *gone)
{
	int a = (int)rng(NCS), b = (int)rng(NCS);
	if (gone[a])
		return;
	cap_handle_t h = any_cap(cs[a]), out;
	if (h == CAP_HANDLE_NULL)
		return;
	size_t n;
	switch (rng(5)) {
	case 0:
	case 1:
		if (!gone[b])
			cap_derive(cs[a], h, cs[b], CAP_RIGHTS_ALL, 0, &out);
		break;
	case 2:
		cap_delete(cs[a], h);
		break;
	case 3:
		if (!gone[b])
			cap_move(cs[a], h, cs[b], &out);
		break;
	default:
		if (rng(4) == 0)
			cap_revoke(cs[a], h, &n);
		break;
	}
}

static size_t refs_named(struct cspace **cs, bool *gone, struct kobject *ko)
{
	size_t n = 0;
	for (int i = 0; i < NCS; i++)
		for (uint32_t s = 0; !gone[i] && s < cs[i]->nslots; s++)
			n += cs[i]->slots[s].used && cs[i]->slots[s].cap.obj == ko;
	return n;
}

static void build(struct cspace **cs, struct tobj *o)
{
	for (int i = 0; i < NCS; i++)
		cs[i] = mkcs(64);
	for (int k = 0; k < NOBJ; k++) {
		tobj_init(&o[k], CAP_TYPE_ENDPOINT);
		mkroot(cs[k % NCS], &o[k]);
	}
	for (int k = 0; k < 150; k++) {
		int a = (int)rng(NCS), b = (int)rng(NCS);
		cap_handle_t h = any_cap(cs[a]), out;
		if (h != CAP_HANDLE_NULL)
			cap_derive(cs[a], h, cs[b], CAP_RIGHTS_ALL, 0, &out);
	}
}

static void check_objects(struct cspace **cs, bool *gone, struct tobj *o)
{
	for (int k = 0; k < NOBJ; k++) {
		size_t named = refs_named(cs, gone, &o[k].ko);
		if (named) {
			assert_int_equal(o[k].ko.refs, named);
			assert_int_equal(o[k].destroyed, 0);
		} else {
			assert_int_equal(o[k].destroyed, 1);
		}
		assert_false(o[k].locked_at_destroy);
	}
}

static void test_revoke_random_interleaved(void **state)
{
	unsigned batches = 0, finished = 0, stale = 0;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull;
		struct cspace *cs[NCS];
		struct tobj o[NOBJ];
		bool gone[NCS] = {false};
		build(cs, o);
		int a = (int)rng(NCS);
		cap_handle_t r = any_cap(cs[a]);
		size_t removed = 0, budget = 1 + rng(4);
		int ret;
		while ((ret = cap_revoke_batch(cs[a], r, budget, &removed)) > 0) {
			batches++;
			for (int i = 0; i < NCS; i++)
				assert_true(cspace_validate(cs[i]));
			for (int k = rng(3); k > 0; k--)
				mutate(cs, gone);
			for (int i = 0; i < NCS; i++)
				assert_true(cspace_validate(cs[i]));
		}
		if (ret == 0) {
			assert_null(capof(cs[a], r)->first_child);
			finished++;
		} else {
			assert_int_equal(ret, -ERR_BADCAP); /* r itself deleted or moved */
			stale++;
		}
		check_objects(cs, gone, o);
		for (int i = 0; i < NCS; i++)
			cspace_destroy(cs[i]);
		for (int k = 0; k < NOBJ; k++)
			assert_int_equal(o[k].destroyed, 1);
	}
	/* The seeds cover both endings and many interrupted revokes. */
	print_message("revoke: %u batches, %u finished, %u stale\n", batches, finished, stale);
	assert_true(batches > 1000 && finished > 50 && stale > 5);
}

static void test_destroy_random_interleaved(void **state)
{
	unsigned nbatches = 0;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		rng_state = seed * 0x2545f4914f6cdd1dull;
		struct cspace *cs[NCS];
		struct tobj o[NOBJ];
		bool gone[NCS] = {false};
		build(cs, o);
		int d = (int)rng(NCS);
		gone[d] = true; /* nobody inserts into it any more */
		/* Everything elsewhere survives the destruction (only re-parented). */
		uint32_t others = 0;
		for (int i = 0; i < NCS; i++)
			others += i == d ? 0 : cs[i]->used;
		uint32_t next = 0;
		size_t budget = 1 + rng(4);
		bool mutated = false;
		while (cspace_destroy_batch(cs[d], &next, budget) > 0) {
			nbatches++;
			for (int i = 0; i < NCS; i++)
				assert_true(cspace_validate(cs[i]));
			for (int k = rng(3); k > 0; k--) {
				mutate(cs, gone);
				mutated = true;
			}
		}
		assert_int_equal(cs[d]->used, 0);
		if (!mutated) {
			uint32_t now = 0;
			for (int i = 0; i < NCS; i++)
				now += i == d ? 0 : cs[i]->used;
			assert_int_equal(now, others);
		}
		check_objects(cs, gone, o);
		for (int i = 0; i < NCS; i++)
			cspace_destroy(cs[i]); /* (cs[d]: nothing left, freed) */
		for (int k = 0; k < NOBJ; k++)
			assert_int_equal(o[k].destroyed, 1);
	}
	assert_true(nbatches > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_revoke_batch_bound),
	    cmocka_unit_test(test_delete_batch_bound),
	    cmocka_unit_test(test_destroy_batch_bound),
	    cmocka_unit_test(test_revoke_root_gone),
	    cmocka_unit_test(test_revoke_random_interleaved),
	    cmocka_unit_test(test_destroy_random_interleaved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
