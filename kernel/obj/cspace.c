/*
 * Capability spaces: slots, handles, lookup.
 *
 * Owns cap_lock, the cspace tables (slot array and FIFO free list), the
 * encoding and checking of handles, the operations that touch a single slot
 * (insert_root, identify, lookup_obj) and the structural checker. The
 * derivation tree operations are in cap_tree.c; object reference counts,
 * deferred destruction and homes in kobject.c. The design and the locking
 * rules are described in cspace.h.
 *
 * Invariants (under cap_lock): a slot is used iff its cap.obj is non-NULL;
 * an unused slot's cap is all zero and the slot is on the free list exactly
 * once; cs->used counts used slots; every generation is in 1..CAP_GEN_MAX.
 */
#include "obj/cspace.h"
#include "lib/string.h"
#include "debug/panic.h"
#include "console/kprintf.h"
#include "mm/heap.h"

struct spinlock cap_lock = SPINLOCK_INIT("cap");

static struct cspace_slot *slot_of(const struct cap *c)
{
	return container_of(c, struct cspace_slot, cap);
}

/* --- Slots --------------------------------------------------------------- */

int cspace_create(uint32_t nslots, struct cspace **out)
{
	if (nslots == 0 || nslots > CAP_MAX_SLOTS)
		return -ERR_INVAL;
	struct cspace *cs = kzalloc(sizeof(*cs));
	if (!cs)
		return -ERR_NOMEM;
	cs->slots = kzalloc((size_t)nslots * sizeof(struct cspace_slot));
	if (!cs->slots) {
		kfree(cs);
		return -ERR_NOMEM;
	}
	cs->nslots = nslots;
	cs->used = 0;
	for (uint32_t i = 0; i < nslots; i++) {
		cs->slots[i].generation = 1;
		cs->slots[i].next_free = i + 1 < nslots ? i + 1 : CSPACE_NIL;
		cs->slots[i].used = false;
	}
	cs->free_head = 0;
	cs->free_tail = nslots - 1;
	*out = cs;
	return 0;
}

/*
 * Restart rule: *next is the first slot not yet emptied; those below it stay
 * empty, because nobody inserts into a cspace being destroyed (its owner is
 * gone) while others may only empty its slots (a revoke elsewhere) or relink
 * its capabilities (lift, move), which the next batch reads afresh.
 */
int cspace_destroy_batch(struct cspace *cs, uint32_t *next, size_t budget)
{
	struct kobject_reap reap = {NULL, NULL};
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	for (size_t work = 0; *next < cs->nslots && work < budget;) {
		struct cap *c = &cs->slots[*next].cap;
		if (cs->slots[*next].used) {
			work += cap_lift_children_locked(c, budget - work);
			if (c->first_child || work >= budget)
				break; /* the rest (and the removal): next batch */
			cap_delete_locked(c, &reap);
			work++;
		}
		(*next)++;
	}
	int ret = *next < cs->nslots ? 1 : 0;
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
	return ret;
}

void cspace_destroy(struct cspace *cs)
{
	uint32_t next = 0;
	while (cspace_destroy_batch(cs, &next, CAP_BATCH) > 0)
		;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	KASSERT(cs->used == 0);
	spin_unlock_irqrestore(&cap_lock, f);
	kfree(cs->slots);
	kfree(cs);
}

uint32_t cspace_free_count(struct cspace *cs)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	uint32_t n = cs->nslots - cs->used;
	spin_unlock_irqrestore(&cap_lock, f);
	return n;
}

struct cap *cspace_slot_take_locked(struct cspace *cs)
{
	uint32_t i = cs->free_head;
	KASSERT(i != CSPACE_NIL && i < cs->nslots);
	struct cspace_slot *s = &cs->slots[i];
	KASSERT(!s->used);
	cs->free_head = s->next_free;
	if (cs->free_head == CSPACE_NIL)
		cs->free_tail = CSPACE_NIL;
	s->next_free = CSPACE_NIL;
	s->used = true;
	memset(&s->cap, 0, sizeof(s->cap));
	s->cap.cs = cs;
	cs->used++;
	return &s->cap;
}

void cspace_slot_release_locked(struct cap *c)
{
	struct cspace *cs = c->cs;
	struct cspace_slot *s = slot_of(c);
	uint32_t i = (uint32_t)(s - cs->slots);
	KASSERT(s->used && i < cs->nslots);
	KASSERT(!c->parent && !c->first_child && !c->next_sibling && !c->prev_sibling);
	/* A new generation makes every handle to the old contents stale. It
	 * changes before the contents are cleared, for cspace_peek_lockless();
	 * the release count first of all, for the fast path's copies. */
	__atomic_store_n(&cs->releases, cs->releases + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&s->used, false, __ATOMIC_RELAXED);
	__atomic_store_n(&s->generation, s->generation >= CAP_GEN_MAX ? 1 : s->generation + 1,
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (c->obj)
		kobject_home_count_locked(c, -1);
	memset(&s->cap, 0, sizeof(s->cap));
	s->next_free = CSPACE_NIL;
	if (cs->free_tail == CSPACE_NIL)
		cs->free_head = i;
	else
		cs->slots[cs->free_tail].next_free = i;
	cs->free_tail = i;
	cs->used--;
}

/*
 * Trust boundary: h comes from user space, unchecked. The reserved top bits,
 * the slot number (against nslots, before indexing) and the generation are all
 * checked here; nothing else ever indexes cs->slots with a user value.
 */
struct cap *cspace_lookup_locked(struct cspace *cs, cap_handle_t h)
{
	if ((uint32_t)h >> (CAP_SLOT_BITS + CAP_GEN_BITS))
		return NULL;
	uint32_t slot = CAP_HANDLE_SLOT(h);
	if (slot >= cs->nslots)
		return NULL;
	struct cspace_slot *s = &cs->slots[slot];
	if (!s->used || s->generation != CAP_HANDLE_GEN(h))
		return NULL;
	return &s->cap;
}

cap_handle_t cap_handle_locked(const struct cap *c)
{
	const struct cspace_slot *s = slot_of(c);
	return CAP_HANDLE((uint32_t)(s - c->cs->slots), s->generation);
}

/* --- Single-slot operations --------------------------------------------- */

int cspace_insert_root(struct cspace *cs, struct kobject *obj, uint32_t rights, uint64_t badge,
		       cap_handle_t *out)
{
	if (!obj || obj->type <= CAP_TYPE_NONE || obj->type >= CAP_TYPE_COUNT)
		return -ERR_INVAL;
	if (rights & ~CAP_RIGHTS_ALL)
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	int err = 0;
	if (!kobject_may_land_locked(cs, obj))
		err = -ERR_INVAL;
	else if (cs->free_head == CSPACE_NIL)
		err = -ERR_NOSPACE;
	if (err) {
		spin_unlock_irqrestore(&cap_lock, f);
		return err;
	}
	struct cap *c = cspace_slot_take_locked(cs);
	c->obj = obj;
	c->rights = rights;
	c->badge = badge;
	kobject_ref_locked(obj);
	kobject_home_count_locked(c, 1);
	*out = cap_handle_locked(c);
	spin_unlock_irqrestore(&cap_lock, f);
	return 0;
}

int cap_identify(struct cspace *cs, cap_handle_t h, struct cap_info *out)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *c = cspace_lookup_locked(cs, h);
	if (c) {
		out->type = c->obj->type;
		out->rights = c->rights;
		out->badge = c->badge;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return c ? 0 : -ERR_BADCAP;
}

int cap_lookup_obj(struct cspace *cs, cap_handle_t h, enum cap_type type, uint32_t rights,
		   struct kobject **obj, uint64_t *badge)
{
	int err = 0;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *c = cspace_lookup_locked(cs, h);
	if (!c || (type != CAP_TYPE_NONE && c->obj->type != type))
		err = -ERR_BADCAP;
	else if ((c->rights & rights) != rights)
		err = -ERR_PERM;
	if (!err) {
		/* The reference keeps the object alive after cap_lock is dropped,
		 * even if the capability is revoked meanwhile. */
		kobject_ref_locked(c->obj);
		*obj = c->obj;
		if (badge)
			*badge = c->badge;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return err;
}

/* --- Checker ------------------------------------------------------------- */

#define VALIDATE_MAX_WALK (1u << 24) /* bound on sibling walks: a cycle is a failure */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			kerr("cspace_validate: " __VA_ARGS__);                                     \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool validate_cap(struct cspace *cs, uint32_t i)
{
	const struct cap *c = &cs->slots[i].cap;
	CHECK(c->obj, "slot %u used without object\n", i);
	CHECK(c->obj->type > CAP_TYPE_NONE && c->obj->type < CAP_TYPE_COUNT,
	      "slot %u: bad object type\n", i);
	CHECK(c->obj->refs > 0, "slot %u: object without references\n", i);
	CHECK(c->cs == cs, "slot %u: wrong cspace back pointer\n", i);
	CHECK(!(c->rights & ~CAP_RIGHTS_ALL), "slot %u: unknown rights\n", i);
	const struct cap *p = c->parent;
	if (p) {
		CHECK(slot_of(p)->used && p->obj, "slot %u: parent in an empty slot\n", i);
		CHECK(p->obj == c->obj, "slot %u: parent names another object\n", i);
		CHECK(!(c->rights & ~p->rights), "slot %u: rights exceed the parent's\n", i);
		CHECK(!p->badge || c->badge == p->badge, "slot %u: badge differs from parent's\n",
		      i);
		/* c must be on p's child list: walk back to its head. */
		const struct cap *first = c;
		uint32_t steps = 0;
		while (first->prev_sibling && steps++ < VALIDATE_MAX_WALK)
			first = first->prev_sibling;
		CHECK(first == p->first_child, "slot %u: not on its parent's child list\n", i);
	} else {
		CHECK(!c->prev_sibling && !c->next_sibling, "slot %u: root with siblings\n", i);
	}
	if (c->prev_sibling)
		CHECK(c->prev_sibling->next_sibling == c && c->prev_sibling->parent == p,
		      "slot %u: prev link asymmetric\n", i);
	if (c->next_sibling)
		CHECK(c->next_sibling->prev_sibling == c && c->next_sibling->parent == p,
		      "slot %u: next link asymmetric\n", i);
	if (c->first_child)
		CHECK(c->first_child->parent == c && !c->first_child->prev_sibling,
		      "slot %u: first child link asymmetric\n", i);
	return true;
}

static bool validate_locked(struct cspace *cs)
{
	CHECK(cs->nslots > 0 && cs->nslots <= CAP_MAX_SLOTS, "bad nslots %u\n", cs->nslots);
	static const struct cap zero;
	uint32_t used = 0;
	for (uint32_t i = 0; i < cs->nslots; i++) {
		const struct cspace_slot *s = &cs->slots[i];
		CHECK(s->generation >= 1 && s->generation <= CAP_GEN_MAX, "slot %u: bad gen\n", i);
		if (!s->used) {
			CHECK(!memcmp(&s->cap, &zero, sizeof(zero)), "slot %u: free, not clear\n",
			      i);
			continue;
		}
		used++;
		CHECK(s->next_free == CSPACE_NIL, "slot %u: used but linked as free\n", i);
		if (!validate_cap(cs, i))
			return false;
	}
	CHECK(used == cs->used, "used count %u, counted %u\n", cs->used, used);
	uint32_t nfree = 0, last = CSPACE_NIL;
	for (uint32_t i = cs->free_head; i != CSPACE_NIL; i = cs->slots[i].next_free) {
		CHECK(i < cs->nslots, "free list leaves the table\n");
		CHECK(!cs->slots[i].used, "used slot %u on the free list\n", i);
		CHECK(++nfree <= cs->nslots - used, "free list too long or cyclic\n");
		last = i;
	}
	CHECK(nfree == cs->nslots - used, "free list has %u of %u free slots\n", nfree,
	      cs->nslots - used);
	CHECK(last == cs->free_tail, "free list tail is wrong\n");
	return true;
}

bool cspace_validate(struct cspace *cs)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	bool ok = validate_locked(cs);
	spin_unlock_irqrestore(&cap_lock, f);
	return ok;
}
