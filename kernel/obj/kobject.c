/*
 * Kernel objects: headers, reference counts, deferred destruction and homes
 * (see kobject.h for the rules).
 *
 * Invariants (under cap_lock): an object is queued through reap_next for
 * its destroy once, when refs reaches 0, or (a home) for its check while
 * check_queued, holding a reference then; an object whose home is another
 * object is enclosed exactly when refs > 0 and refs == inner, and a home's
 * sub is the sum of the home_weight of its enclosed objects.
 */
#include "obj/kobject.h"
#include "obj/cspace.h"
#include "obj/quota.h"
#include "debug/panic.h"

void kobject_init(struct kobject *obj, enum cap_type type, kobject_destroy_fn destroy)
{
	KASSERT(type > CAP_TYPE_NONE && type < CAP_TYPE_COUNT);
	obj->type = type;
	obj->refs = 0;
	obj->destroy = destroy;
	obj->reap_next = NULL;
	obj->quota = NULL;
	obj->charge = 0;
	obj->home = NULL;
	obj->home_weight = 0;
	obj->inner = obj->sub = 0;
	obj->enclosed = obj->dormant = obj->check_queued = false;
	obj->check = NULL;
}

void kobject_set_home(struct kobject *obj, struct kobject *home, uint32_t weight,
		      kobject_destroy_fn check)
{
	KASSERT(obj->refs == 0 && home);
	obj->home = home;
	obj->home_weight = weight;
	if (home == obj) {
		obj->dormant = true;
		obj->check = check;
	}
}

static void reap_queue(struct kobject_reap *reap, struct kobject *obj)
{
	obj->reap_next = NULL;
	if (reap->tail)
		reap->tail->reap_next = obj;
	else
		reap->head = obj;
	reap->tail = obj;
}

/* h is a dormant home that only its own capabilities and objects reach. */
static bool home_orphaned_locked(const struct kobject *h, uint32_t held)
{
	return h->dormant && h->refs > held && h->refs - held == h->inner + h->sub;
}

/* After obj's refs or inner changed: its enclosed state, its home's sub, and
 * (with a reap list) the home queued for its check if it is now an orphan. */
static void home_update_locked(struct kobject *obj, struct kobject_reap *reap)
{
	struct kobject *h = obj->home;
	if (!h)
		return;
	if (h != obj) {
		bool enc = obj->refs > 0 && obj->refs == obj->inner;
		if (enc != obj->enclosed) {
			obj->enclosed = enc;
			h->sub = enc ? h->sub + obj->home_weight : h->sub - obj->home_weight;
		}
	}
	if (reap && !h->check_queued && home_orphaned_locked(h, 0)) {
		h->check_queued = true;
		h->refs++; /* the check's; kobject_reap_run drops it */
		reap_queue(reap, h);
	}
}

void kobject_ref_locked(struct kobject *obj)
{
	KASSERT(obj->refs < UINT32_MAX);
	obj->refs++;
	home_update_locked(obj, NULL); /* (more references: never an orphan) */
}

void kobject_unref_locked(struct kobject *obj, struct kobject_reap *reap)
{
	KASSERT(obj->refs > 0);
	obj->refs--;
	home_update_locked(obj, reap);
	if (obj->refs == 0)
		reap_queue(reap, obj);
}

bool kobject_may_land_locked(const struct cspace *cs, const struct kobject *obj)
{
	return !(cs->owner && cs->owner->dormant && obj->home && obj->home != cs->owner &&
		 obj->home->dormant);
}

void kobject_home_count_locked(struct cap *c, int delta)
{
	struct kobject *obj = c->obj;
	if (!obj->home)
		return;
	if (obj->home == c->cs->owner) {
		KASSERT(delta > 0 ? obj->inner < UINT32_MAX : obj->inner > 0);
		obj->inner += delta;
	}
	home_update_locked(obj, NULL); /* (and after a reference taken for c) */
}

void kobject_wake(struct kobject *home)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	home->dormant = false;
	spin_unlock_irqrestore(&cap_lock, f);
}

void kobject_check_orphan(struct kobject *home, uint32_t held)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	bool orphan = home_orphaned_locked(home, held);
	if (orphan)
		home->dormant = false; /* the check runs once */
	spin_unlock_irqrestore(&cap_lock, f);
	if (orphan)
		home->check(home);
}

/* A home queued by home_update_locked: its check, then the queue's reference. */
static void reap_check(struct kobject *h)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	h->check_queued = false;
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_check_orphan(h, 1);
	kobject_put(h);
}

void kobject_reap_run(struct kobject_reap *reap)
{
	struct kobject *obj = reap->head;
	reap->head = reap->tail = NULL;
	while (obj) {
		/* Read the link first: the callback may free the object. */
		struct kobject *next = obj->reap_next;
		obj->reap_next = NULL;
		if (obj->check_queued) { /* (set only while we hold a reference) */
			reap_check(obj);
			obj = next;
			continue;
		}
		struct quota *q = obj->quota; /* (read first, too) */
		uint64_t charge = obj->charge;
		if (obj->destroy)
			obj->destroy(obj);
		quota_release(q, charge); /* the memory is back: so is its charge */
		obj = next;
	}
}

void kobject_get(struct kobject *obj)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kobject_ref_locked(obj);
	spin_unlock_irqrestore(&cap_lock, f);
}

void kobject_put(struct kobject *obj)
{
	struct kobject_reap reap = {NULL, NULL};
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kobject_unref_locked(obj, &reap);
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
}
