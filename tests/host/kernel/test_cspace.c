/*
 * Tests of kernel/obj/cspace.c, cap_tree.c and kobject.c: capability spaces
 * and handles. The derivation tree, object references and homes are
 * test_cap_tree.c.
 *
 * The cases check derivation with a subset of the rights (and refusal of a
 * superset or unknown bits), the badge rules, stale handles after delete and
 * slot reuse (and generation wrap-around), FIFO slot reuse, identify and
 * lookup_obj, a full cspace, that every failing operation leaves every byte
 * of state unchanged, that the checker catches corruption, and a randomized
 * run of tens of thousands of operations against the reference model in
 * tests/host/support/cspace_model.h.
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

#define CM_FAIL(msg) fail_msg("%s", msg)
#include "cspace_model.h"
#include "cspace_test.h"

static void test_create(void **state)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(0, &cs), -ERR_INVAL);
	assert_int_equal(cspace_create(CAP_MAX_SLOTS + 1, &cs), -ERR_INVAL);
	assert_null(cs);
	/* Out of memory for the header, then for the slots (ASan checks the first is freed). */
	for (int i = 1; i <= 2; i++) {
		kalloc_fail_at = i;
		kalloc_count = 0;
		assert_int_equal(cspace_create(8, &cs), -ERR_NOMEM);
		assert_null(cs);
	}
	kalloc_fail_at = 0;
	cs = mkcs(CAP_MAX_SLOTS);
	assert_int_equal(cspace_free_count(cs), CAP_MAX_SLOTS);
	assert_true(cspace_validate(cs));
	cspace_destroy(cs);
}

static void test_insert_identify_lookup(void **state)
{
	struct cspace *cs = mkcs(8);
	struct tobj ep, mem;
	tobj_init(&ep, CAP_TYPE_ENDPOINT);
	tobj_init(&mem, CAP_TYPE_MEMORY);
	cap_handle_t h;
	assert_int_equal(cspace_insert_root(cs, NULL, 0, 0, &h), -ERR_INVAL);
	assert_int_equal(cspace_insert_root(cs, &ep.ko, 0x100, 0, &h), -ERR_INVAL);
	cap_handle_t e = root(cs, &ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 42);
	cap_handle_t m = root(cs, &mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	assert_int_not_equal(e, m);
	assert_int_equal(ep.ko.refs, 1);

	struct cap_info ci;
	assert_int_equal(cap_identify(cs, e, &ci), 0);
	assert_int_equal(ci.type, CAP_TYPE_ENDPOINT);
	assert_int_equal(ci.rights, CAP_RIGHT_SEND | CAP_RIGHT_GRANT);
	assert_int_equal(ci.badge, 42);
	assert_int_equal(cap_identify(cs, m, &ci), 0);
	assert_int_equal(ci.type, CAP_TYPE_MEMORY);
	assert_int_equal(ci.rights, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	assert_int_equal(ci.badge, 0);

	struct kobject *ko = NULL;
	uint64_t badge = 0;
	assert_int_equal(cap_lookup_obj(cs, e, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, &ko, &badge), 0);
	assert_ptr_equal(ko, &ep.ko);
	assert_int_equal(badge, 42);
	assert_int_equal(ep.ko.refs, 2); /* the lookup's reference */
	kobject_put(ko);
	assert_int_equal(ep.ko.refs, 1);
	assert_int_equal(cap_lookup_obj(cs, e, CAP_TYPE_NONE, 0, &ko, NULL), 0);
	kobject_put(ko);
	assert_int_equal(cap_lookup_obj(cs, e, CAP_TYPE_MEMORY, 0, &ko, NULL), -ERR_BADCAP);
	assert_int_equal(cap_lookup_obj(cs, e, CAP_TYPE_ENDPOINT, CAP_RIGHT_RECV, &ko, NULL),
			 -ERR_PERM);
	assert_int_equal(ep.ko.refs, 1);
	assert_true(cspace_validate(cs));
	cspace_destroy(cs);
	assert_int_equal(ep.destroyed, 1);
	assert_int_equal(mem.destroyed, 1);
}

static void test_derive_rights(void **state)
{
	struct cspace *a = mkcs(8), *b = mkcs(8);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_MEMORY);
	uint32_t rw = CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP;
	cap_handle_t r = root(a, &o, rw, 0), out;
	cap_handle_t c = derive(a, r, b, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	cap_handle_t same = derive(a, r, a, rw, 0);
	cap_handle_t none = derive(b, c, b, 0, 0);
	struct cap_info ci;
	assert_int_equal(cap_identify(b, c, &ci), 0);
	assert_int_equal(ci.rights, CAP_RIGHT_READ | CAP_RIGHT_MAP);
	assert_int_equal(cap_identify(b, none, &ci), 0);
	assert_int_equal(ci.rights, 0);
	/* Superset of the source's rights: refused, even though the root had them. */
	assert_int_equal(cap_derive(b, c, a, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, &out), -ERR_PERM);
	assert_int_equal(cap_derive(a, r, a, rw | CAP_RIGHT_EXEC, 0, &out), -ERR_PERM);
	assert_int_equal(cap_derive(a, r, a, 0x200, 0, &out), -ERR_INVAL);
	assert_int_equal(cap_copy(b, none, a, &out), 0);
	assert_int_equal(cap_identify(a, out, &ci), 0);
	assert_int_equal(ci.rights, 0);
	assert_ptr_equal(capof(b, c)->parent, capof(a, r));
	assert_ptr_equal(capof(a, same)->parent, capof(a, r));
	assert_ptr_equal(capof(a, out)->parent, capof(b, none));
	assert_int_equal(o.ko.refs, 5);
	assert_true(cspace_validate(a) && cspace_validate(b));
	cspace_destroy(a);
	cspace_destroy(b);
	assert_int_equal(o.destroyed, 1);
}

static void test_badges(void **state)
{
	struct cspace *cs = mkcs(16);
	struct tobj ep;
	tobj_init(&ep, CAP_TYPE_ENDPOINT);
	uint32_t all = CAP_RIGHT_SEND | CAP_RIGHT_RECV;
	cap_handle_t r = root(cs, &ep, all, 0), out;
	cap_handle_t b7 = derive(cs, r, cs, CAP_RIGHT_SEND, 7);
	cap_handle_t b9 = derive(cs, r, cs, CAP_RIGHT_SEND, 9);
	cap_handle_t plain = derive(cs, r, cs, all, 0);
	struct cap_info ci;
	assert_int_equal(cap_identify(cs, b7, &ci), 0);
	assert_int_equal(ci.badge, 7);
	assert_int_equal(cap_identify(cs, b9, &ci), 0);
	assert_int_equal(ci.badge, 9);
	assert_int_equal(cap_identify(cs, plain, &ci), 0);
	assert_int_equal(ci.badge, 0);
	/* A badged capability cannot be re-badged, not even with its own badge. */
	assert_int_equal(cap_derive(cs, b7, cs, CAP_RIGHT_SEND, 8, &out), -ERR_PERM);
	assert_int_equal(cap_derive(cs, b7, cs, CAP_RIGHT_SEND, 7, &out), -ERR_PERM);
	/* Badge 0 keeps it; so does copy. */
	assert_int_equal(cap_derive(cs, b7, cs, 0, 0, &out), 0);
	assert_int_equal(cap_identify(cs, out, &ci), 0);
	assert_int_equal(ci.badge, 7);
	assert_int_equal(cap_copy(cs, out, cs, &out), 0);
	assert_int_equal(cap_identify(cs, out, &ci), 0);
	assert_int_equal(ci.badge, 7);
	/* A badged root (kernel-made) follows the same rule. */
	struct tobj n;
	tobj_init(&n, CAP_TYPE_NOTIFICATION);
	cap_handle_t nr = root(cs, &n, CAP_RIGHT_SEND, 3);
	assert_int_equal(cap_derive(cs, nr, cs, CAP_RIGHT_SEND, 4, &out), -ERR_PERM);
	uint64_t badge = 0;
	struct kobject *ko;
	assert_int_equal(cap_lookup_obj(cs, b9, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, &ko, &badge), 0);
	assert_int_equal(badge, 9);
	kobject_put(ko);
	assert_true(cspace_validate(cs));
	cspace_destroy(cs);
	assert_int_equal(ep.destroyed, 1);
	assert_int_equal(n.destroyed, 1);
}

static void test_stale_handles(void **state)
{
	struct cspace *cs = mkcs(1), *other = mkcs(2);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_THREAD);
	cap_handle_t h1 = root(cs, &o, CAP_RIGHT_MANAGE, 0), out;
	assert_int_equal(cap_delete(cs, h1), 0);
	assert_int_equal(o.destroyed, 1);
	tobj_init(&o, CAP_TYPE_THREAD);
	cap_handle_t h2 = root(cs, &o, CAP_RIGHT_READ, 0); /* the same, only, slot */
	assert_int_equal(CAP_HANDLE_SLOT(h1), CAP_HANDLE_SLOT(h2));
	assert_int_not_equal(h1, h2);
	struct cap_info ci;
	struct kobject *ko;
	assert_int_equal(cap_identify(cs, h1, &ci), -ERR_BADCAP);
	assert_int_equal(cap_lookup_obj(cs, h1, CAP_TYPE_NONE, 0, &ko, NULL), -ERR_BADCAP);
	assert_int_equal(cap_derive(cs, h1, other, 0, 0, &out), -ERR_BADCAP);
	assert_int_equal(cap_copy(cs, h1, other, &out), -ERR_BADCAP);
	assert_int_equal(cap_move(cs, h1, other, &out), -ERR_BADCAP);
	assert_int_equal(cap_revoke(cs, h1, NULL), -ERR_BADCAP);
	assert_int_equal(cap_delete(cs, h1), -ERR_BADCAP);
	/* Forged handles: null, out of range, reserved bit, wrong generation. */
	assert_int_equal(cap_identify(cs, CAP_HANDLE_NULL, &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(cs, CAP_HANDLE(1, 1), &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(cs, CAP_HANDLE(CAP_MAX_SLOTS - 1, 1), &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(cs, h2 | 0x80000000u, &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(cs, CAP_HANDLE(0, CAP_HANDLE_GEN(h2) + 1), &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(cs, h2, &ci), 0);
	assert_int_equal(ci.rights, CAP_RIGHT_READ);
	/* A moved capability's old handle is stale too. */
	assert_int_equal(cap_move(cs, h2, other, &out), 0);
	assert_int_equal(cap_identify(cs, h2, &ci), -ERR_BADCAP);
	assert_int_equal(cap_identify(other, out, &ci), 0);
	cspace_destroy(cs);
	cspace_destroy(other);
	assert_int_equal(o.destroyed, 1);
}

static void test_generation_wrap(void **state)
{
	struct cspace *cs = mkcs(1);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_IRQ);
	kobject_get(&o.ko); /* keeps it alive while it has no capability */
	cap_handle_t first = root(cs, &o, 0, 0), h = first, prev = 0;
	for (uint32_t i = 1; i < CAP_GEN_MAX; i++) {
		assert_int_equal(cap_delete(cs, h), 0);
		prev = h;
		assert_int_equal(cspace_insert_root(cs, &o.ko, 0, 0, &h), 0);
		if (h == prev || h == CAP_HANDLE_NULL || (h & 0x80000000u))
			fail_msg("bad handle %#x after %#x", h, prev);
	}
	assert_int_equal(CAP_HANDLE_GEN(h), CAP_GEN_MAX);
	assert_int_equal(cap_delete(cs, h), 0);
	assert_int_equal(cspace_insert_root(cs, &o.ko, 0, 0, &h), 0);
	assert_int_equal(h, first); /* wrapped to generation 1, skipping 0 */
	cspace_destroy(cs);
	assert_int_equal(o.destroyed, 0);
	kobject_put(&o.ko);
	assert_int_equal(o.destroyed, 1);
}

static void test_fifo_reuse(void **state)
{
	struct cspace *cs = mkcs(4);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	cap_handle_t h[4];
	for (int i = 0; i < 4; i++) {
		h[i] = root(cs, &o, 0, 0);
		assert_int_equal(CAP_HANDLE_SLOT(h[i]), i);
	}
	assert_int_equal(cap_delete(cs, h[2]), 0);
	assert_int_equal(cap_delete(cs, h[0]), 0);
	assert_int_equal(CAP_HANDLE_SLOT(root(cs, &o, 0, 0)), 2);
	assert_int_equal(CAP_HANDLE_SLOT(root(cs, &o, 0, 0)), 0);
	assert_int_equal(cspace_free_count(cs), 0);
	assert_true(cspace_validate(cs));
	cspace_destroy(cs);
	assert_int_equal(o.destroyed, 1);
}

static void test_full_and_failures_unchanged(void **state)
{
	struct cspace *a = mkcs(4), *b = mkcs(2);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_IOPORTS);
	cap_handle_t r = root(a, &o, CAP_RIGHT_MANAGE | CAP_RIGHT_READ, 9), out = 0;
	cap_handle_t c = derive(a, r, b, CAP_RIGHT_READ, 0);
	derive(a, r, b, CAP_RIGHT_READ, 0);
	derive(a, r, a, 0, 0);
	derive(a, r, a, CAP_RIGHT_MANAGE, 0);
	cap_handle_t last = derive(a, r, a, 0, 0);
	assert_int_equal(cspace_free_count(a), 0);
	assert_int_equal(cspace_free_count(b), 0);

	struct cspace *css[2] = {a, b};
	struct tobj *objs[2] = {&o, NULL};
	struct snap s;
	struct kobject *ko = NULL;
	struct cap_info ci;
#define UNCHANGED(call, err)                                                                       \
	do {                                                                                       \
		snap_take(&s, css, 2, objs);                                                       \
		assert_int_equal(call, err);                                                       \
		snap_expect_same(&s, css, objs);                                                   \
	} while (0)
	UNCHANGED(cspace_insert_root(a, &o.ko, 0, 0, &out), -ERR_NOSPACE);
	UNCHANGED(cspace_insert_root(b, &o.ko, 0x1000, 0, &out), -ERR_INVAL);
	UNCHANGED(cap_derive(a, r, b, CAP_RIGHT_READ, 0, &out), -ERR_NOSPACE);
	UNCHANGED(cap_copy(b, c, a, &out), -ERR_NOSPACE);
	UNCHANGED(cap_move(a, r, a, &out), -ERR_NOSPACE);
	UNCHANGED(cap_move(b, c, a, &out), -ERR_NOSPACE);
	assert_int_equal(cap_delete(a, last), 0);
	UNCHANGED(cap_derive(a, r, a, CAP_RIGHT_WRITE, 0, &out), -ERR_PERM);
	UNCHANGED(cap_derive(a, r, a, CAP_RIGHT_READ, 1, &out), -ERR_PERM);
	UNCHANGED(cap_derive(a, r, a, 1u << 31, 0, &out), -ERR_INVAL);
	UNCHANGED(cap_derive(a, last, a, 0, 0, &out), -ERR_BADCAP);
	UNCHANGED(cap_move(a, last, b, &out), -ERR_BADCAP);
	UNCHANGED(cap_delete(b, CAP_HANDLE(5, 1)), -ERR_BADCAP);
	UNCHANGED(cap_revoke(b, 0xffffffffu, NULL), -ERR_BADCAP);
	UNCHANGED(cap_identify(a, last, &ci), -ERR_BADCAP);
	UNCHANGED(cap_lookup_obj(a, r, CAP_TYPE_MEMORY, 0, &ko, NULL), -ERR_BADCAP);
	UNCHANGED(cap_lookup_obj(b, c, CAP_TYPE_IOPORTS, CAP_RIGHT_MANAGE, &ko, NULL), -ERR_PERM);
	assert_int_equal(out, 0); /* no failing call wrote its result */
	assert_null(ko);
#undef UNCHANGED
	assert_true(cspace_validate(a) && cspace_validate(b));
	cspace_destroy(a);
	cspace_destroy(b);
	assert_int_equal(o.destroyed, 1);
}

static void test_validate_detects_corruption(void **state)
{
	struct cspace *cs = mkcs(4);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	cap_handle_t r = root(cs, &o, CAP_RIGHT_SEND, 1);
	cap_handle_t c = derive(cs, r, cs, CAP_RIGHT_SEND, 0);
	struct cap *cc = capof(cs, c);
	assert_true(cspace_validate(cs));
	host_log_clear();
	cc->rights |= CAP_RIGHT_RECV;
	assert_false(cspace_validate(cs));
	assert_true(host_log_contains("rights exceed"));
	cc->rights = CAP_RIGHT_SEND;
	cc->badge = 2;
	assert_false(cspace_validate(cs));
	cc->badge = 1;
	capof(cs, r)->first_child = NULL;
	assert_false(cspace_validate(cs));
	capof(cs, r)->first_child = cc;
	cs->used++;
	assert_false(cspace_validate(cs));
	cs->used--;
	cs->free_tail = 0;
	assert_false(cspace_validate(cs));
	cs->free_tail = 3;
	assert_true(cspace_validate(cs));
	cspace_destroy(cs);
}

static uint64_t rng_state;

static void test_random_model(void **state)
{
	static struct cm m;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull;
		cm_init(&m);
		for (int i = 0; i < 5000; i++) {
			uint8_t op[CM_OP_BYTES];
			for (int k = 0; k < CM_OP_BYTES; k++)
				op[k] = (uint8_t)(rng_xorshift64(&rng_state) >> 24);
			/* Bias towards derivation so trees grow deep and cspaces fill. */
			if (op[7] < 0x50)
				op[0] = CM_DERIVE;
			cm_step(&m, op);
		}
		assert_true(m.failures > 500 && m.failures < m.ops);
		cm_finish(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create),
	    cmocka_unit_test(test_insert_identify_lookup),
	    cmocka_unit_test(test_derive_rights),
	    cmocka_unit_test(test_badges),
	    cmocka_unit_test(test_stale_handles),
	    cmocka_unit_test(test_generation_wrap),
	    cmocka_unit_test(test_fifo_reuse),
	    cmocka_unit_test(test_full_and_failures_unchanged),
	    cmocka_unit_test(test_validate_detects_corruption),
	    cmocka_unit_test(test_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
