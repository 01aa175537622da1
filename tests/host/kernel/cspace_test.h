/*
 * The cmocka helpers of the capability tests (test_cspace.c, test_cap_tree.c,
 * test_cap_batch.c): cspaces and root capabilities made or the test fails,
 * derivation, liveness, a capability's slot, and a byte snapshot of cspaces
 * and objects that proves a failing operation changed nothing. The heap and
 * the test object are tests/host/support/cspace_fixture.h.
 */
#ifndef ORB_TEST_CSPACE_TEST_H
#define ORB_TEST_CSPACE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cspace_fixture.h"

static inline struct cspace *mkcs(uint32_t n)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(n, &cs), 0);
	assert_non_null(cs);
	return cs;
}

static inline cap_handle_t root(struct cspace *cs, struct tobj *o, uint32_t rights, uint64_t badge)
{
	cap_handle_t h = CAP_HANDLE_NULL;
	assert_int_equal(cspace_insert_root(cs, &o->ko, rights, badge, &h), 0);
	assert_int_not_equal(h, CAP_HANDLE_NULL);
	return h;
}

static inline cap_handle_t derive(struct cspace *s, cap_handle_t h, struct cspace *d, uint32_t r,
				  uint64_t badge)
{
	cap_handle_t out = CAP_HANDLE_NULL;
	assert_int_equal(cap_derive(s, h, d, r, badge, &out), 0);
	return out;
}

static inline bool alive(struct cspace *cs, cap_handle_t h)
{
	struct cap_info ci;
	return cap_identify(cs, h, &ci) == 0;
}

static inline struct cap *capof(struct cspace *cs, cap_handle_t h)
{
	struct cap *c = cspace_lookup_locked(cs, h);
	assert_non_null(c);
	return c;
}

/* A byte copy of some cspaces and objects, to prove an operation changed nothing. */
struct snap {
	size_t n;
	struct cspace hdr[4];
	void *slots[4];
	uint32_t refs[4];
};

static inline void snap_take(struct snap *s, struct cspace **cs, size_t n, struct tobj **objs)
{
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		s->hdr[i] = *cs[i];
		size_t bytes = cs[i]->nslots * sizeof(struct cspace_slot);
		s->slots[i] = malloc(bytes);
		memcpy(s->slots[i], cs[i]->slots, bytes);
		s->refs[i] = objs[i] ? objs[i]->ko.refs : 0;
	}
}

static inline void snap_expect_same(struct snap *s, struct cspace **cs, struct tobj **objs)
{
	for (size_t i = 0; i < s->n; i++) {
		assert_memory_equal(&s->hdr[i], cs[i], sizeof(struct cspace));
		assert_memory_equal(s->slots[i], cs[i]->slots,
				    cs[i]->nslots * sizeof(struct cspace_slot));
		assert_int_equal(s->refs[i], objs[i] ? objs[i]->ko.refs : 0);
		free(s->slots[i]);
	}
}

#endif
