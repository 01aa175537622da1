/*
 * Tests of kernel/core/cspace.c and cap_tree.c: capability spaces, handles and
 * the derivation tree.
 *
 * The cases check derivation with a subset of the rights (and refusal of a
 * superset or unknown bits), the badge rules, stale handles after delete and
 * slot reuse (and generation wrap-around), FIFO slot reuse, revocation that
 * cascades through several cspaces and levels while leaving the revoker and
 * unrelated capabilities alone, revocation, deletion and cspace destruction
 * of a 10,000-deep chain on a 128 KiB thread stack (no recursion), delete
 * re-parenting, move keeping the tree position, objects destroyed exactly once
 * and never under cap_lock, identify and lookup_obj, a full cspace, that every
 * failing operation leaves every byte of state unchanged, that the checker
 * catches corruption, and a randomized run of tens of thousands of operations
 * against the reference model in cspace_model.h, and the orphan check of
 * dormant homes (references from inside only, refused foreign objects).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "hosted.h"

#define CM_FAIL(msg) fail_msg("%s", msg)
#include "cspace_model.h"

/* The hosted support has no kernel heap: back kmalloc with libc. The
 * allocation numbered alloc_fail_at (counting from 1) fails, if set. */
static int alloc_fail_at, alloc_count;
void *kmalloc(size_t size)
{
	if (alloc_fail_at && ++alloc_count == alloc_fail_at)
		return NULL;
	return size ? malloc(size) : NULL;
}
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	return p ? memset(p, 0, size) : NULL;
}
void kfree(void *p)
{
	free(p);
}

struct tobj {
	struct kobject ko;
	int destroyed;
	bool locked_at_destroy;
};

static void tobj_destroy(struct kobject *ko)
{
	struct tobj *t = container_of(ko, struct tobj, ko);
	t->destroyed++;
	t->locked_at_destroy |= spin_is_locked(&cap_lock);
}

static void tobj_init(struct tobj *t, enum cap_type type)
{
	memset(t, 0, sizeof(*t));
	kobject_init(&t->ko, type, tobj_destroy);
}

static struct cspace *mkcs(uint32_t n)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(n, &cs), 0);
	assert_non_null(cs);
	return cs;
}

static cap_handle_t root(struct cspace *cs, struct tobj *o, uint32_t rights, uint64_t badge)
{
	cap_handle_t h = CAP_HANDLE_NULL;
	assert_int_equal(cspace_insert_root(cs, &o->ko, rights, badge, &h), 0);
	assert_int_not_equal(h, CAP_HANDLE_NULL);
	return h;
}

static cap_handle_t derive(struct cspace *s, cap_handle_t h, struct cspace *d, uint32_t r,
			   uint64_t badge)
{
	cap_handle_t out = CAP_HANDLE_NULL;
	assert_int_equal(cap_derive(s, h, d, r, badge, &out), 0);
	return out;
}

static bool alive(struct cspace *cs, cap_handle_t h)
{
	struct cap_info ci;
	return cap_identify(cs, h, &ci) == 0;
}

static struct cap *capof(struct cspace *cs, cap_handle_t h)
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

static void snap_take(struct snap *s, struct cspace **cs, size_t n, struct tobj **objs)
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

static void snap_expect_same(struct snap *s, struct cspace **cs, struct tobj **objs)
{
	for (size_t i = 0; i < s->n; i++) {
		assert_memory_equal(&s->hdr[i], cs[i], sizeof(struct cspace));
		assert_memory_equal(s->slots[i], cs[i]->slots,
				    cs[i]->nslots * sizeof(struct cspace_slot));
		assert_int_equal(s->refs[i], objs[i] ? objs[i]->ko.refs : 0);
		free(s->slots[i]);
	}
}

static void test_create(void **state)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(0, &cs), -ERR_INVAL);
	assert_int_equal(cspace_create(CAP_MAX_SLOTS + 1, &cs), -ERR_INVAL);
	assert_null(cs);
	/* Out of memory for the header, then for the slots (ASan checks the first is freed). */
	for (int i = 1; i <= 2; i++) {
		alloc_fail_at = i;
		alloc_count = 0;
		assert_int_equal(cspace_create(8, &cs), -ERR_NOMEM);
		assert_null(cs);
	}
	alloc_fail_at = 0;
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

/* Homes: the orphan check of a dormant home (see cspace.h). */
static int home_checks;
static void home_check(struct kobject *ko)
{
	(void)ko;
	home_checks++;
	assert_false(spin_is_locked(&cap_lock));
}

static void test_homes(void **state)
{
	(void)state;
	struct cspace *out = mkcs(16), *hcs = mkcs(16), *h2cs = mkcs(16);
	struct tobj h, h2, t2, ep;
	tobj_init(&h, CAP_TYPE_PROCESS);
	tobj_init(&h2, CAP_TYPE_PROCESS);
	tobj_init(&t2, CAP_TYPE_THREAD);
	tobj_init(&ep, CAP_TYPE_ENDPOINT);
	kobject_set_home(&h.ko, &h.ko, 0, home_check);
	kobject_set_home(&h2.ko, &h2.ko, 0, home_check);
	kobject_set_home(&t2.ko, &h2.ko, 2, NULL);
	hcs->owner = &h.ko;
	h2cs->owner = &h2.ko;
	home_checks = 0;

	/* A home naming itself: an orphan once the outside capability goes, not before
	 * the lookup reference taken meanwhile is dropped. */
	cap_handle_t ho = root(out, &h, CAP_RIGHTS_ALL, 0);
	derive(out, ho, hcs, CAP_RIGHTS_ALL, 0);
	assert_int_equal(h.ko.inner, 1);
	struct kobject *ko = NULL;
	assert_int_equal(cap_lookup_obj(out, ho, CAP_TYPE_PROCESS, 0, &ko, NULL), 0);
	assert_int_equal(cap_delete(out, ho), 0);
	assert_int_equal(home_checks, 0);
	kobject_put(ko);
	assert_int_equal(home_checks, 1);
	assert_false(h.ko.dormant); /* once */

	/* A dormant home takes no object of another home, but its own and others. */
	cap_handle_t h2o = root(out, &h2, CAP_RIGHTS_ALL, 0);
	for (int i = 0; i < 2; i++)
		kobject_get(&h2.ko); /* what a thread object holds on its process */
	cap_handle_t t2o = root(out, &t2, CAP_RIGHTS_ALL, 0);
	cap_handle_t eo = root(out, &ep, CAP_RIGHTS_ALL, 0);
	struct tobj h3;
	tobj_init(&h3, CAP_TYPE_PROCESS);
	kobject_set_home(&h3.ko, &h3.ko, 0, home_check);
	struct cspace *h3cs = mkcs(4);
	h3cs->owner = &h3.ko;
	cap_handle_t x;
	assert_int_equal(cap_derive(out, h2o, h3cs, 0, 0, &x), -ERR_INVAL);
	assert_int_equal(cap_copy(out, t2o, h3cs, &x), -ERR_INVAL);
	assert_int_equal(cap_move(out, t2o, h3cs, &x), -ERR_INVAL);
	assert_true(alive(out, t2o));
	derive(out, eo, h3cs, CAP_RIGHTS_ALL, 0);
	cap_handle_t hin = CAP_HANDLE_NULL; /* h is no longer dormant: it may land */
	for (uint32_t i = 0; i < hcs->nslots && !hin; i++)
		if (hcs->slots[i].used)
			hin = cap_handle_locked(&hcs->slots[i].cap);
	derive(hcs, hin, h3cs, CAP_RIGHT_READ, 0);

	/* Its own thread object, named only from inside, counts as inside. */
	derive(out, t2o, h2cs, CAP_RIGHTS_ALL, 0);
	derive(out, h2o, h2cs, CAP_RIGHTS_ALL, 0);
	assert_int_equal(cap_delete(out, t2o), 0);
	assert_true(t2.ko.enclosed);
	assert_int_equal(h2.ko.sub, 2);
	/* Still reachable through h2o; then the last one moves in (a move never checks). */
	assert_int_equal(home_checks, 1);
	assert_int_equal(cap_move(out, h2o, h2cs, &x), 0);
	assert_int_equal(home_checks, 1);
	kobject_check_orphan(&h2.ko, 0);
	assert_int_equal(home_checks, 2);

	/* Woken: never checked. */
	kobject_wake(&h3.ko);
	cspace_destroy(h3cs);
	assert_int_equal(home_checks, 2);

	cspace_destroy(out);
	cspace_destroy(hcs);
	assert_int_equal(h.destroyed, 1);
	cspace_destroy(h2cs);
	assert_int_equal(t2.destroyed, 1);
	assert_int_equal(h2.ko.refs, 2);
	assert_int_equal(h2.ko.sub, 0);
	kobject_put(&h2.ko);
	kobject_put(&h2.ko);
	assert_int_equal(h2.destroyed, 1);
	assert_int_equal(ep.destroyed, 1);
	assert_int_equal(home_checks, 2);
}

static void test_revoke_cascade(void **state)
{
	struct cspace *a = mkcs(16), *b = mkcs(16), *c = mkcs(16);
	struct tobj o, other;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	tobj_init(&other, CAP_TYPE_NOTIFICATION);
	uint32_t all = CAP_RIGHTS_ALL;
	cap_handle_t r = root(a, &o, all, 0);
	cap_handle_t r2 = root(c, &o, all, 0); /* a second original of the same object */
	cap_handle_t x = derive(a, r, b, all, 0);
	cap_handle_t y = derive(a, r, c, CAP_RIGHT_SEND, 5);
	cap_handle_t x1 = derive(b, x, a, CAP_RIGHT_RECV, 0);
	cap_handle_t x2 = derive(b, x, c, CAP_RIGHT_SEND, 1);
	cap_handle_t x11 = derive(a, x1, b, 0, 0);
	cap_handle_t x21 = derive(c, x2, c, CAP_RIGHT_SEND, 0);
	cap_handle_t x211 = derive(c, x21, a, 0, 0);
	cap_handle_t y1 = derive(c, y, b, 0, 0);
	cap_handle_t r21 = derive(c, r2, a, 0, 0);
	cap_handle_t u = root(b, &other, all, 0);
	cap_handle_t u1 = derive(b, u, c, 0, 0);
	assert_int_equal(o.ko.refs, 11);

	size_t n = 0;
	assert_int_equal(cap_revoke(b, x, &n), 0);
	assert_int_equal(n, 5);
	assert_true(alive(b, x)); /* the revoker stays */
	cap_handle_t gone[] = {x1, x2, x11, x21, x211};
	struct cspace *gone_cs[] = {a, c, b, c, a};
	for (size_t i = 0; i < ARRAY_SIZE(gone); i++)
		assert_false(alive(gone_cs[i], gone[i]));
	assert_true(alive(a, r) && alive(c, y) && alive(b, y1) && alive(c, r2) && alive(a, r21));
	assert_true(alive(b, u) && alive(c, u1));
	assert_null(capof(b, x)->first_child);
	assert_int_equal(o.ko.refs, 6);
	assert_true(cspace_validate(a) && cspace_validate(b) && cspace_validate(c));

	/* Revoking a leaf removes nothing. */
	assert_int_equal(cap_revoke(b, y1, &n), 0);
	assert_int_equal(n, 0);
	/* Revoking the root takes the rest of its tree but not the other original's. */
	assert_int_equal(cap_revoke(a, r, &n), 0);
	assert_int_equal(n, 3);
	assert_true(alive(a, r) && alive(c, r2) && alive(a, r21) && !alive(b, x) && !alive(b, y1));
	assert_int_equal(o.ko.refs, 3);
	assert_int_equal(o.destroyed, 0);
	assert_int_equal(cap_delete(a, r), 0);
	assert_int_equal(cap_revoke(c, r2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o.destroyed, 0);
	assert_int_equal(cap_delete(c, r2), 0);
	assert_int_equal(o.destroyed, 1);
	assert_false(o.locked_at_destroy);
	assert_int_equal(other.ko.refs, 2);
	cspace_destroy(a);
	cspace_destroy(b);
	cspace_destroy(c);
	assert_int_equal(other.destroyed, 1);
}

/* Runs fn on a thread with a 128 KiB stack: recursion 10,000 deep would overflow it. */
static void on_small_stack(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
	assert_int_equal(pthread_create(&t, &attr, fn, arg), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

#define CHAIN 10000
struct chain {
	struct cspace *cs[3];
	cap_handle_t h[CHAIN];
	struct tobj o;
	size_t removed;
	int rc;
};

static void chain_build(struct chain *ch)
{
	for (int i = 0; i < 3; i++)
		ch->cs[i] = mkcs(CAP_MAX_SLOTS);
	tobj_init(&ch->o, CAP_TYPE_MEMORY);
	ch->h[0] = root(ch->cs[0], &ch->o, CAP_RIGHTS_ALL, 0);
	for (int i = 1; i < CHAIN; i++)
		ch->h[i] = derive(ch->cs[(i - 1) % 3], ch->h[i - 1], ch->cs[i % 3],
				  CAP_RIGHTS_ALL >> (i * 8 / CHAIN), 0);
	assert_int_equal(ch->o.ko.refs, CHAIN);
}

static void *chain_revoke(void *arg)
{
	struct chain *ch = arg;
	ch->rc = cap_revoke(ch->cs[0], ch->h[0], &ch->removed);
	return NULL;
}

static void *chain_destroy(void *arg)
{
	struct chain *ch = arg;
	for (int i = 0; i < 3; i++)
		cspace_destroy(ch->cs[i]);
	return NULL;
}

static void test_revoke_deep_chain(void **state)
{
	struct chain *ch = calloc(1, sizeof(*ch));
	chain_build(ch);
	for (int i = 0; i < 3; i++)
		assert_true(cspace_validate(ch->cs[i]));
	/* Revoke from the middle first, then from the root. */
	ch->rc = cap_revoke(ch->cs[(CHAIN / 2) % 3], ch->h[CHAIN / 2], &ch->removed);
	assert_int_equal(ch->rc, 0);
	assert_int_equal(ch->removed, CHAIN - CHAIN / 2 - 1);
	on_small_stack(chain_revoke, ch);
	assert_int_equal(ch->rc, 0);
	assert_int_equal(ch->removed, CHAIN / 2);
	assert_int_equal(ch->o.ko.refs, 1);
	assert_int_equal(cspace_free_count(ch->cs[0]), CAP_MAX_SLOTS - 1);
	assert_true(alive(ch->cs[0], ch->h[0]));
	for (int i = 1; i < CHAIN; i += 997)
		assert_false(alive(ch->cs[i % 3], ch->h[i]));
	on_small_stack(chain_destroy, ch);
	assert_int_equal(ch->o.destroyed, 1);

	/* Deleting links of a deep chain, and destroying the cspaces holding it. */
	chain_build(ch);
	assert_int_equal(cap_delete(ch->cs[0], ch->h[0]), 0);
	int mid = CHAIN / 3;
	assert_int_equal(cap_delete(ch->cs[mid % 3], ch->h[mid]), 0);
	assert_null(capof(ch->cs[1], ch->h[1])->parent);
	assert_ptr_equal(capof(ch->cs[(mid + 1) % 3], ch->h[mid + 1])->parent,
			 capof(ch->cs[(mid - 1) % 3], ch->h[mid - 1]));
	assert_int_equal(ch->o.ko.refs, CHAIN - 2);
	on_small_stack(chain_destroy, ch);
	assert_int_equal(ch->o.destroyed, 1);
	free(ch);
}

static void test_delete_reparents(void **state)
{
	struct cspace *a = mkcs(16), *b = mkcs(16);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_PROCESS);
	cap_handle_t r = root(a, &o, CAP_RIGHTS_ALL, 0);
	cap_handle_t x = derive(a, r, b, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0);
	cap_handle_t x1 = derive(b, x, a, CAP_RIGHT_READ, 0);
	cap_handle_t x2 = derive(b, x, b, CAP_RIGHT_WRITE, 0);
	cap_handle_t x11 = derive(a, x1, b, 0, 0);
	assert_int_equal(cap_delete(b, x), 0);
	assert_ptr_equal(capof(a, x1)->parent, capof(a, r));
	assert_ptr_equal(capof(b, x2)->parent, capof(a, r));
	assert_ptr_equal(capof(b, x11)->parent, capof(a, x1));
	assert_true(cspace_validate(a) && cspace_validate(b));
	/* Deleting a root: its children become roots, independent of each other. */
	assert_int_equal(cap_delete(a, r), 0);
	assert_null(capof(a, x1)->parent);
	assert_null(capof(b, x2)->parent);
	assert_null(capof(a, x1)->next_sibling);
	assert_int_equal(cap_revoke(a, x1, NULL), 0);
	assert_false(alive(b, x11));
	assert_true(alive(b, x2));
	assert_int_equal(o.ko.refs, 2);
	assert_true(cspace_validate(a) && cspace_validate(b));
	/* Destroying a cspace re-parents capabilities derived into others. */
	cap_handle_t y = derive(a, x1, b, 0, 0);
	cap_handle_t y1 = derive(b, y, a, 0, 0);
	cspace_destroy(a);
	assert_null(capof(b, y)->parent);
	assert_true(alive(b, x2));
	assert_int_equal(o.ko.refs, 2);
	assert_int_equal(o.destroyed, 0);
	(void)y1;
	assert_true(cspace_validate(b));
	cspace_destroy(b);
	assert_int_equal(o.destroyed, 1);
}

static void test_move_keeps_position(void **state)
{
	struct cspace *a = mkcs(8), *b = mkcs(2);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_ENDPOINT);
	cap_handle_t r = root(a, &o, CAP_RIGHTS_ALL, 0), out;
	cap_handle_t s1 = derive(a, r, a, CAP_RIGHT_SEND, 0);
	cap_handle_t m = derive(a, r, a, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 4);
	cap_handle_t s2 = derive(a, r, a, CAP_RIGHT_RECV, 0);
	cap_handle_t k1 = derive(a, m, a, CAP_RIGHT_SEND, 0);
	cap_handle_t k2 = derive(a, m, a, 0, 0);
	assert_int_equal(cap_move(a, m, b, &out), 0);
	struct cap *mc = capof(b, out);
	assert_ptr_equal(mc->parent, capof(a, r));
	assert_ptr_equal(capof(a, k1)->parent, mc);
	assert_ptr_equal(capof(a, k2)->parent, mc);
	struct cap_info ci;
	assert_int_equal(cap_identify(b, out, &ci), 0);
	assert_int_equal(ci.rights, CAP_RIGHT_SEND | CAP_RIGHT_GRANT);
	assert_int_equal(ci.badge, 4);
	assert_int_equal(o.ko.refs, 6);
	assert_true(cspace_validate(a) && cspace_validate(b));
	/* Move within one cspace, then the root itself. */
	assert_int_equal(cap_move(b, out, b, &out), 0);
	assert_int_equal(cap_move(a, r, a, &r), 0);
	assert_ptr_equal(capof(b, out)->parent, capof(a, r));
	assert_int_equal(cspace_free_count(b), 1);
	assert_true(cspace_validate(a) && cspace_validate(b));
	/* Revoke of the parent still reaches the moved capability and its children. */
	size_t n;
	assert_int_equal(cap_revoke(a, r, &n), 0);
	assert_int_equal(n, 5);
	assert_false(alive(b, out) || alive(a, k1) || alive(a, s1) || alive(a, s2));
	assert_int_equal(o.ko.refs, 1);
	cspace_destroy(a);
	cspace_destroy(b);
	assert_int_equal(o.destroyed, 1);
}

static struct cspace *reent_cs;
static cap_handle_t reent_h;
static int reent_rc = 1;
static void reent_destroy(struct kobject *ko)
{
	/* Runs after cap_lock is dropped, so it may call back into the module. */
	reent_rc = spin_is_locked(&cap_lock) ? -1 : cap_delete(reent_cs, reent_h);
}

static void test_destroy_once(void **state)
{
	struct cspace *a = mkcs(8), *b = mkcs(8);
	struct tobj o;
	tobj_init(&o, CAP_TYPE_REPLY);
	cap_handle_t r = root(a, &o, CAP_RIGHTS_ALL, 0);
	cap_handle_t c1 = derive(a, r, b, 1, 0);
	cap_handle_t c2 = derive(b, c1, b, 1, 0);
	struct kobject *held;
	assert_int_equal(cap_lookup_obj(b, c2, CAP_TYPE_REPLY, 1, &held, NULL), 0);
	assert_int_equal(cap_delete(a, r), 0);
	assert_int_equal(cap_delete(b, c1), 0);
	assert_int_equal(o.destroyed, 0);
	assert_int_equal(cap_delete(b, c2), 0);
	assert_int_equal(o.destroyed, 0); /* the held reference keeps it */
	kobject_put(held);
	assert_int_equal(o.destroyed, 1);
	assert_false(o.locked_at_destroy);

	/* A destroy callback that deletes another capability. */
	struct tobj t, rt;
	tobj_init(&t, CAP_TYPE_ENDPOINT);
	memset(&rt, 0, sizeof(rt));
	kobject_init(&rt.ko, CAP_TYPE_NOTIFICATION, reent_destroy);
	reent_cs = b;
	reent_h = root(b, &t, 0, 0);
	root(a, &rt, 0, 0);
	cspace_destroy(a);
	assert_int_equal(reent_rc, 0);
	assert_int_equal(t.destroyed, 1);
	assert_int_equal(cspace_free_count(b), 8);
	cspace_destroy(b);
	assert_int_equal(t.destroyed, 1);
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
static uint8_t rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void test_random_model(void **state)
{
	static struct cm m;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull;
		cm_init(&m);
		for (int i = 0; i < 5000; i++) {
			uint8_t op[CM_OP_BYTES];
			for (int k = 0; k < CM_OP_BYTES; k++)
				op[k] = rng_byte();
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
	    cmocka_unit_test(test_revoke_cascade),
	    cmocka_unit_test(test_revoke_deep_chain),
	    cmocka_unit_test(test_delete_reparents),
	    cmocka_unit_test(test_move_keeps_position),
	    cmocka_unit_test(test_destroy_once),
	    cmocka_unit_test(test_full_and_failures_unchanged),
	    cmocka_unit_test(test_validate_detects_corruption),
	    cmocka_unit_test(test_random_model),
	    cmocka_unit_test(test_homes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
