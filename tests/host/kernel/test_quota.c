/*
 * Tests of kernel/obj/quota.c: the portable quota accounting.
 *
 * The cases check the heap size classes charged for records; charging up to
 * the limit exactly and no further (nothing changes on a refusal); a NULL
 * quota never charged; child quotas reserving their limit and record in the
 * parent, never exceeding it, and giving the reservation back only when the
 * last reference goes (children keep parents alive); limits that overflow;
 * an allocation failure leaving the parent as it was; objects carrying their
 * charge (quota_attach) until the reaper destroys them, the quota freed after
 * its last charge; giving back more than was charged being a panic; a chain
 * of 100,000 nested quotas freed from its leaf on a 128 KiB stack (no
 * recursion); and threads charging and uncharging at once never taking the
 * usage past the limit.
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
#include "obj/quota.h"

/* The hosted support has no kernel heap: back kmalloc with libc; the next
 * allocation fails if fail_next is set. */
static int fail_next;
static int live_allocs;
void *kmalloc(size_t size)
{
	if (fail_next) {
		fail_next = 0;
		return NULL;
	}
	void *p = malloc(size);
	if (p)
		live_allocs++;
	return p;
}
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	return p ? memset(p, 0, size) : NULL;
}
void kfree(void *p)
{
	if (p)
		live_allocs--;
	free(p);
}

static uint64_t record(void)
{
	return quota_heap_bytes(sizeof(struct quota));
}

/* A root quota held by one reference of the test's. */
static struct quota *mkroot(uint64_t limit)
{
	struct quota *q = NULL;
	assert_int_equal(quota_create_root(limit, &q), 0);
	kobject_get(&q->obj);
	return q;
}

static struct quota *mkchild(struct quota *parent, uint64_t limit)
{
	struct quota *q = NULL;
	assert_int_equal(quota_create_child(parent, limit, &q), 0);
	kobject_get(&q->obj);
	return q;
}

static void test_heap_bytes(void **state)
{
	(void)state;
	assert_int_equal(quota_heap_bytes(0), 16);
	assert_int_equal(quota_heap_bytes(1), 16);
	assert_int_equal(quota_heap_bytes(16), 16);
	assert_int_equal(quota_heap_bytes(17), 32);
	assert_int_equal(quota_heap_bytes(1024), 1024);
	assert_int_equal(quota_heap_bytes(1025), PAGE_SIZE);
	assert_int_equal(quota_heap_bytes(PAGE_SIZE), 2 * PAGE_SIZE); /* (the block's header) */
	assert_int_equal(quota_heap_bytes(UINT64_MAX), UINT64_MAX);
}

static void test_charge_to_limit(void **state)
{
	(void)state;
	struct quota *q = mkroot(10000);
	assert_int_equal(quota_charge(q, 6000), 0);
	assert_int_equal(quota_charge(q, 4001), -ERR_QUOTA);
	assert_int_equal(quota_used(q), 6000);
	assert_int_equal(quota_charge(q, UINT64_MAX), -ERR_QUOTA);
	assert_int_equal(quota_used(q), 6000);
	assert_int_equal(quota_charge(q, 4000), 0);
	assert_int_equal(quota_used(q), 10000);
	assert_int_equal(quota_charge(q, 1), -ERR_QUOTA);
	assert_int_equal(quota_charge(q, 0), 0);
	quota_uncharge(q, 10000);
	assert_int_equal(quota_used(q), 0);
	/* Nothing is charged to no quota (the kernel's own threads). */
	assert_int_equal(quota_charge(NULL, UINT64_MAX), 0);
	quota_uncharge(NULL, 5);
	kobject_put(&q->obj);
	assert_int_equal(live_allocs, 0);
}

static void test_uncharge_too_much_panics(void **state)
{
	(void)state;
	struct quota *q = mkroot(100);
	assert_int_equal(quota_charge(q, 10), 0);
	assert_true(host_panics(quota_uncharge(q, 11)));
	/* (the usage is garbage after a caught kernel bug: reset it to free q) */
	q->used = 0;
	kobject_put(&q->obj);
	assert_int_equal(live_allocs, 0);
}

static void test_tree_reserves(void **state)
{
	(void)state;
	struct quota *root = mkroot(1 << 20);
	struct quota *a = mkchild(root, 1 << 19);
	assert_int_equal(quota_used(root), (1 << 19) + record());
	assert_int_equal(a->limit, 1 << 19);
	assert_int_equal(quota_used(a), 0);
	/* A child as large as what is left fails: its record does not fit too. */
	struct quota *x = NULL;
	uint64_t left = (1 << 20) - quota_used(root);
	assert_int_equal(quota_create_child(root, left, &x), -ERR_QUOTA);
	assert_int_equal(quota_create_child(root, left - record(), &x), 0);
	assert_int_equal(quota_used(root), 1 << 20);
	kobject_get(&x->obj);
	kobject_put(&x->obj); /* destroyed: its reservation returns */
	assert_int_equal(quota_used(root), (1 << 19) + record());
	/* Charges to a child never touch the parent. */
	assert_int_equal(quota_charge(a, 1 << 19), 0);
	assert_int_equal(quota_charge(a, 1), -ERR_QUOTA);
	assert_int_equal(quota_used(root), (1 << 19) + record());
	quota_uncharge(a, 1 << 19);
	/* A grandchild; dropping the middle's reference keeps it while the
	 * grandchild lives. */
	struct quota *g = mkchild(a, 1000);
	assert_int_equal(quota_used(a), 1000 + record());
	kobject_put(&a->obj);
	assert_int_equal(quota_used(root), (1 << 19) + record());
	kobject_put(&g->obj);
	assert_int_equal(quota_used(root), 0);
	kobject_put(&root->obj);
	assert_int_equal(live_allocs, 0);
}

static void test_bad_limits(void **state)
{
	(void)state;
	struct quota *root = mkroot(UINT64_MAX);
	struct quota *x = NULL;
	assert_int_equal(quota_create_child(root, 0, &x), -ERR_INVAL);
	assert_int_equal(quota_create_child(root, UINT64_MAX, &x), -ERR_QUOTA);
	assert_int_equal(quota_create_child(root, UINT64_MAX - record() + 1, &x), -ERR_QUOTA);
	assert_int_equal(quota_used(root), 0);
	/* The largest that fits. */
	assert_int_equal(quota_create_child(root, UINT64_MAX - record(), &x), 0);
	assert_int_equal(quota_used(root), UINT64_MAX);
	assert_int_equal(quota_charge(root, 1), -ERR_QUOTA);
	kobject_get(&x->obj);
	kobject_put(&x->obj);
	assert_int_equal(quota_used(root), 0);
	/* No memory for the child: the parent is as it was. */
	fail_next = 1;
	assert_int_equal(quota_create_child(root, 100, &x), -ERR_NOMEM);
	assert_int_equal(quota_used(root), 0);
	kobject_put(&root->obj);
	assert_int_equal(live_allocs, 0);
}

struct tobj {
	struct kobject ko;
	int *destroyed;
};

static void tobj_destroy(struct kobject *ko)
{
	struct tobj *t = container_of(ko, struct tobj, ko);
	(*t->destroyed)++;
	kfree(t);
}

static void test_objects_carry_charge(void **state)
{
	(void)state;
	struct quota *root = mkroot(1 << 20);
	struct quota *q = mkchild(root, 4096);
	int destroyed = 0;
	struct tobj *o[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(quota_charge(q, 1000), 0);
		o[i] = kzalloc(sizeof(*o[i]));
		o[i]->destroyed = &destroyed;
		kobject_init(&o[i]->ko, CAP_TYPE_ENDPOINT, tobj_destroy);
		quota_attach(&o[i]->ko, q, 1000);
		kobject_get(&o[i]->ko);
	}
	assert_int_equal(quota_used(q), 3000);
	/* Each object holds q: dropping our own reference frees nothing yet. */
	kobject_put(&q->obj);
	assert_int_equal(quota_used(root), 4096 + record());
	kobject_put(&o[1]->ko);
	assert_int_equal(destroyed, 1);
	assert_int_equal(quota_used(q), 2000);
	/* Objects outlive whoever charged them: the last one gives q back. */
	kobject_put(&o[0]->ko);
	kobject_put(&o[2]->ko);
	assert_int_equal(destroyed, 3);
	assert_int_equal(quota_used(root), 0);
	kobject_put(&root->obj);
	assert_int_equal(live_allocs, 0);
}

/* A chain of nested quotas, each holding only its child's reference to its
 * parent: dropping the leaf frees them all, without recursion (run on a
 * small stack). */
#define DEEP 100000

static void *deep_main(void *arg)
{
	struct quota *root = arg, *q = root;
	/* Each level is a record smaller than its parent: the largest child that fits. */
	uint64_t limit = (uint64_t)(DEEP + 1) * record();
	for (int i = 0; i < DEEP; i++, limit -= record()) {
		struct quota *c = NULL;
		assert_int_equal(quota_create_child(q, limit - record(), &c), 0);
		kobject_get(&c->obj);
		if (q != root)
			kobject_put(&q->obj); /* only its child holds it now */
		q = c;
	}
	assert_int_equal(quota_used(root), (uint64_t)(DEEP + 1) * record());
	kobject_put(&q->obj); /* the leaf's last reference: the whole chain goes */
	return NULL;
}

static void test_deep_chain(void **state)
{
	(void)state;
	struct quota *root = mkroot(UINT64_MAX);
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	assert_int_equal(pthread_create(&t, &attr, deep_main, root), 0);
	pthread_join(t, NULL);
	assert_int_equal(quota_used(root), 0);
	kobject_put(&root->obj);
	assert_int_equal(live_allocs, 0);
}

#define RACE_THREADS 4
#define RACE_ROUNDS  200000

static struct quota *race_q;
static uint64_t race_max_seen;

static void *race_main(void *arg)
{
	uint64_t n = (uint64_t)(uintptr_t)arg, held = 0;
	for (int i = 0; i < RACE_ROUNDS; i++) {
		if (quota_charge(race_q, n) == 0)
			held += n;
		uint64_t u = quota_used(race_q);
		if (u > __atomic_load_n(&race_max_seen, __ATOMIC_RELAXED))
			__atomic_store_n(&race_max_seen, u, __ATOMIC_RELAXED);
		if (held && (i & 1)) {
			quota_uncharge(race_q, n);
			held -= n;
		}
	}
	quota_uncharge(race_q, held);
	return NULL;
}

static void test_racing_charges(void **state)
{
	(void)state;
	race_q = mkroot(10007);
	pthread_t t[RACE_THREADS];
	for (uintptr_t i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_main, (void *)(i * 37 + 101)), 0);
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_true(race_max_seen <= 10007);
	assert_true(race_max_seen > 0);
	assert_int_equal(quota_used(race_q), 0);
	kobject_put(&race_q->obj);
	assert_int_equal(live_allocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_heap_bytes),
	    cmocka_unit_test(test_charge_to_limit),
	    cmocka_unit_test(test_uncharge_too_much_panics),
	    cmocka_unit_test(test_tree_reserves),
	    cmocka_unit_test(test_bad_limits),
	    cmocka_unit_test(test_objects_carry_charge),
	    cmocka_unit_test(test_deep_chain),
	    cmocka_unit_test(test_racing_charges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
