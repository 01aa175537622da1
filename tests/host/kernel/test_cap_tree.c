/*
 * Tests of kernel/obj/cap_tree.c and kobject.c: the derivation tree, object
 * references and homes. Capability spaces and handles are test_cspace.c.
 *
 * The cases check revocation that cascades through several cspaces and
 * levels while leaving the revoker and unrelated capabilities alone;
 * revocation, deletion and cspace destruction of a 10,000-deep chain on a
 * 128 KiB thread stack (no recursion); delete re-parenting; move keeping the
 * tree position; objects destroyed exactly once and never under cap_lock
 * (a destroy callback may call back into the module); and the orphan check
 * of dormant homes (references from inside only, refused foreign objects).
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
#include "cspace_test.h"

/* Homes: the orphan check of a dormant home (see kobject.h). */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_revoke_cascade),   cmocka_unit_test(test_revoke_deep_chain),
	    cmocka_unit_test(test_delete_reparents), cmocka_unit_test(test_move_keeps_position),
	    cmocka_unit_test(test_destroy_once),     cmocka_unit_test(test_homes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
