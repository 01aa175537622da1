/*
 * Quotas: the budget tree and its charging (see quota.h).
 *
 * Invariants: used <= limit at every moment (a charge that would break it is
 * refused, so used never goes over, even for a moment); a child's
 * reservation (limit + record) is part of its parent's used from the child's
 * creation to its destruction; a quota is destroyed only with used == 0,
 * because every charge keeps a reference to it.
 */
#include "obj/quota.h"
#include "mm/heap.h"
#include "debug/panic.h"
#include <orbital/errors.h>

#define HEAP_SMALL_MAX 1024u /* (the 2048 class takes a page per block, like a large one) */

uint64_t quota_heap_bytes(uint64_t size)
{
	if (size <= HEAP_SMALL_MAX) {
		uint64_t c = 16;
		while (c < size)
			c <<= 1;
		return c;
	}
	if (size > UINT64_MAX - 2 * PAGE_SIZE)
		return UINT64_MAX;
	/* Whole pages, with room for the block's header. */
	return (size + 64 + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
}

/*
 * Frees q and gives its reservation back to its parent. If that drops the
 * parent's last reference, the parent goes too, and so on up: in this loop,
 * not by recursion, so a chain of thousands of nested quotas (cheap to make:
 * each costs its parent only a record more than itself) cannot overflow the
 * kernel stack.
 */
static void quota_destroy(struct kobject *obj)
{
	struct quota *q = container_of(obj, struct quota, obj);
	while (q) {
		/* Every charge holds a reference, so nothing can be charged now. */
		KASSERT(__atomic_load_n(&q->used, __ATOMIC_RELAXED) == 0);
		struct quota *parent = q->parent;
		uint64_t reservation = q->reservation;
		kfree(q);
		if (!parent)
			break;
		quota_uncharge(parent, reservation);
		struct kobject_reap reap = {NULL, NULL};
		irqflags_t f = spin_lock_irqsave(&cap_lock);
		kobject_unref_locked(&parent->obj, &reap);
		spin_unlock_irqrestore(&cap_lock, f);
		/* Its last reference: destroy it here (a quota carries no charge of its own). */
		q = reap.head ? parent : NULL;
	}
}

static int quota_alloc(uint64_t limit, struct quota **out)
{
	struct quota *q = kzalloc(sizeof(*q));
	if (!q)
		return -ERR_NOMEM;
	q->limit = limit;
	kobject_init(&q->obj, CAP_TYPE_QUOTA, quota_destroy);
	*out = q;
	return 0;
}

int quota_create_root(uint64_t limit, struct quota **out)
{
	return quota_alloc(limit, out);
}

int quota_create_child(struct quota *parent, uint64_t limit, struct quota **out)
{
	if (limit == 0)
		return -ERR_INVAL;
	uint64_t record = quota_heap_bytes(sizeof(struct quota));
	if (limit > UINT64_MAX - record)
		return -ERR_QUOTA;
	uint64_t reservation = limit + record;
	int err = quota_charge(parent, reservation);
	if (err)
		return err;
	struct quota *q;
	err = quota_alloc(limit, &q);
	if (err) {
		quota_uncharge(parent, reservation);
		return err;
	}
	kobject_get(&parent->obj);
	q->parent = parent;
	q->reservation = reservation;
	*out = q;
	return 0;
}

int quota_charge(struct quota *q, uint64_t bytes)
{
	if (!q)
		return 0;
	uint64_t used = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
	do {
		if (bytes > q->limit - used) /* (used <= limit always: no wrap) */
			return -ERR_QUOTA;
	} while (!__atomic_compare_exchange_n(&q->used, &used, used + bytes, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

void quota_uncharge(struct quota *q, uint64_t bytes)
{
	if (!q)
		return;
	uint64_t old = __atomic_fetch_sub(&q->used, bytes, __ATOMIC_RELAXED);
	KASSERT(old >= bytes);
}

void quota_attach(struct kobject *obj, struct quota *q, uint64_t bytes)
{
	KASSERT(!obj->quota);
	if (!q) {
		KASSERT(bytes == 0);
		return;
	}
	kobject_get(&q->obj);
	obj->quota = q;
	obj->charge = bytes;
}

void quota_release(struct quota *q, uint64_t bytes)
{
	if (!q)
		return;
	quota_uncharge(q, bytes);
	kobject_put(&q->obj);
}
