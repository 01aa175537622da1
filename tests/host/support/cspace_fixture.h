/*
 * The set-up every host test of the capability code shares: the kernel heap
 * backed by libc, with one allocation made to fail on request, and a test
 * object whose destroy callback counts its calls and notes whether cap_lock
 * was held. Used by tests/host/kernel/test_cspace.c, test_cap_tree.c and
 * test_cap_batch.c, and through cspace_model.h by tests/fuzz/fuzz_cspace.c
 * (so no cmocka here; the cmocka helpers are tests/host/kernel/cspace_test.h).
 * It defines kmalloc, kzalloc and kfree: include it once per program.
 */
#ifndef ORB_TEST_CSPACE_FIXTURE_H
#define ORB_TEST_CSPACE_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obj/cspace.h"

/* The hosted support has no kernel heap: kmalloc is libc's. The allocation
 * numbered kalloc_fail_at (counting from 1 since kalloc_count was set to 0)
 * fails, if kalloc_fail_at is set. */
static int kalloc_fail_at, kalloc_count;

void *kmalloc(size_t size)
{
	if (kalloc_fail_at && ++kalloc_count == kalloc_fail_at)
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

/* A kernel object of any type, for capabilities to name. */
struct tobj {
	struct kobject ko;
	int destroyed;		/* times the destroy callback ran */
	bool locked_at_destroy; /* cap_lock was held during one of them */
};

static inline void tobj_destroy(struct kobject *ko)
{
	struct tobj *t = container_of(ko, struct tobj, ko);
	t->destroyed++;
	t->locked_at_destroy |= spin_is_locked(&cap_lock);
}

static inline void tobj_init(struct tobj *t, enum cap_type type)
{
	memset(t, 0, sizeof(*t));
	kobject_init(&t->ko, type, tobj_destroy);
}

#endif
