/*
 * The capability derivation tree: derive, copy, move, delete, revoke.
 *
 * Owns the parent/child/sibling links of struct cap (the slot tables are
 * cspace.c's, object references kobject.c's). Each capability's children
 * form a doubly linked list headed by first_child; a root has no parent and
 * no siblings. The invariants (rights shrink, badges are inherited, links are
 * symmetric) and the semantics of each operation are described in cspace.h.
 *
 * Every public function decodes first (looks up the handles, checks rights,
 * badge and free space with no side effect) and then invokes; the invoke part
 * only relinks pointers and cannot fail. Nothing here recurses.
 *
 * Bounded latency. Revoke and delete do their work in batches of at most
 * CAP_BATCH units (a capability removed, or one child lifted to its
 * grandparent), dropping cap_lock (and so turning interrupts back on) between
 * batches. Lifting children keeps every invariant (rights and badges are
 * inherited transitively) and every capability's place below the ancestors it
 * had, so any number of batches leaves a valid tree. Restart rule: nothing
 * read under the lock is trusted after it is dropped; each batch looks the
 * capability up again by its handle, and stops if the handle went stale
 * meanwhile (the capability was deleted or moved by another thread).
 */
#include "obj/cspace.h"
#include "lib/string.h"
#include "debug/panic.h"

/* Makes c (unlinked) the first child of parent. */
static void tree_link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sibling = NULL;
	c->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = c;
	parent->first_child = c;
}

/* Takes c off its parent's child list (c's own children stay attached to c). */
static void tree_unlink(struct cap *c)
{
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else if (c->parent)
		c->parent->first_child = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = NULL;
	c->prev_sibling = NULL;
	c->next_sibling = NULL;
}

/* Whether a capability to obj may land in dst_cs: its home rules, and a free
 * slot. 0 or -ERR_INVAL / -ERR_NOSPACE; changes nothing. Caller holds cap_lock. */
static int tree_landing_locked(struct cspace *dst_cs, struct kobject *obj)
{
	if (!kobject_may_land_locked(dst_cs, obj))
		return -ERR_INVAL;
	if (dst_cs->free_head == CSPACE_NIL)
		return -ERR_NOSPACE;
	return 0;
}

static int tree_derive(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs,
		       uint32_t rights, uint64_t badge, bool copy, cap_handle_t *out)
{
	int err = 0;
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	/* Decode. */
	struct cap *s = cspace_lookup_locked(src_cs, src);
	if (!s) {
		err = -ERR_BADCAP;
		goto out;
	}
	if (copy) {
		rights = s->rights;
		badge = 0;
	}
	if (rights & ~CAP_RIGHTS_ALL)
		err = -ERR_INVAL;
	else if (rights & ~s->rights)
		err = -ERR_PERM; /* rights only shrink */
	else if (badge && s->badge)
		err = -ERR_PERM; /* a badge is set once */
	else
		err = tree_landing_locked(dst_cs, s->obj);
	if (err)
		goto out;

	/* Invoke: cannot fail from here on. */
	struct cap *c = cspace_slot_take_locked(dst_cs);
	KASSERT(s->obj->refs < UINT32_MAX);
	c->obj = s->obj;
	c->obj->refs++;
	kobject_home_count_locked(c, 1); /* (also settles its home's counts after refs++) */
	c->rights = rights;
	c->badge = badge ? badge : s->badge;
	tree_link_child(s, c);
	*out = cap_handle_locked(c);
out:
	spin_unlock_irqrestore(&cap_lock, f);
	return err;
}

int cap_derive(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, uint32_t rights,
	       uint64_t badge, cap_handle_t *out)
{
	return tree_derive(src_cs, src, dst_cs, rights, badge, false, out);
}

int cap_copy(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, cap_handle_t *out)
{
	return tree_derive(src_cs, src, dst_cs, 0, 0, true, out);
}

int cap_move(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, cap_handle_t *out)
{
	int err = 0;
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	struct cap *s = cspace_lookup_locked(src_cs, src);
	if (!s)
		err = -ERR_BADCAP;
	else
		err = tree_landing_locked(dst_cs, s->obj);
	if (err)
		goto out;

	/* The new slot takes over s's place: every pointer to s is redirected. */
	struct cap *c = cspace_slot_take_locked(dst_cs);
	c->obj = s->obj;
	kobject_home_count_locked(c, 1);
	c->rights = s->rights;
	c->badge = s->badge;
	c->parent = s->parent;
	c->first_child = s->first_child;
	c->next_sibling = s->next_sibling;
	c->prev_sibling = s->prev_sibling;
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c;
	else if (c->parent)
		c->parent->first_child = c;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c;
	for (struct cap *ch = c->first_child; ch; ch = ch->next_sibling)
		ch->parent = c;
	/* s's object reference now belongs to c. */
	s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
	cspace_slot_release_locked(s);
	*out = cap_handle_locked(c);
out:
	spin_unlock_irqrestore(&cap_lock, f);
	return err;
}

size_t cap_lift_children_locked(struct cap *c, size_t budget)
{
	size_t n = 0;
	for (; c->first_child && n < budget; n++) {
		struct cap *ch = c->first_child;
		tree_unlink(ch);
		if (c->parent)
			tree_link_child(c->parent, ch);
	}
	return n;
}

void cap_delete_locked(struct cap *c, struct kobject_reap *reap)
{
	struct cap *p = c->parent;
	/* The children move up to c's parent; without one each becomes a root. */
	struct cap *ch = c->first_child;
	c->first_child = NULL;
	while (ch) {
		struct cap *next = ch->next_sibling;
		ch->parent = NULL;
		ch->prev_sibling = NULL;
		ch->next_sibling = NULL;
		if (p)
			tree_link_child(p, ch);
		ch = next;
	}
	tree_unlink(c);
	struct kobject *obj = c->obj;
	cspace_slot_release_locked(c);
	kobject_unref_locked(obj, reap);
}

int cap_delete_batch(struct cspace *cs, cap_handle_t h, size_t budget)
{
	struct kobject_reap reap = {NULL, NULL};
	int ret = -ERR_BADCAP;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *c = cspace_lookup_locked(cs, h);
	if (c) {
		size_t lifted = cap_lift_children_locked(c, budget);
		ret = c->first_child || lifted >= budget ? 1 : 0; /* (the removal is a unit too) */
		if (!ret)
			cap_delete_locked(c, &reap); /* no children left: O(1) */
	}
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
	return ret;
}

int cap_delete(struct cspace *cs, cap_handle_t h)
{
	int r = cap_delete_batch(cs, h, CAP_BATCH);
	while (r > 0)
		r = cap_delete_batch(cs, h, CAP_BATCH);
	return r;
}

/*
 * Each unit of work on root's first child c: a leaf is removed; otherwise one
 * of c's children is lifted to root (it stays a descendant of root). Every
 * descendant is lifted at most once and removed once, so a revoke nobody
 * interferes with takes at most twice as many units as it removes, and no
 * walk down the tree is ever needed.
 */
int cap_revoke_batch(struct cspace *cs, cap_handle_t h, size_t budget, size_t *removed)
{
	struct kobject_reap reap = {NULL, NULL};
	int ret = -ERR_BADCAP;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *root = cspace_lookup_locked(cs, h);
	if (root) {
		for (size_t work = 0; root->first_child && work < budget;) {
			struct cap *c = root->first_child;
			if (c->first_child) {
				work += cap_lift_children_locked(c, budget - work);
			} else {
				cap_delete_locked(c, &reap);
				(*removed)++;
				work++;
			}
		}
		ret = root->first_child ? 1 : 0;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
	return ret;
}

int cap_revoke(struct cspace *cs, cap_handle_t h, size_t *removed)
{
	size_t n = 0;
	int r = cap_revoke_batch(cs, h, CAP_BATCH, &n);
	if (r < 0)
		return r;
	while (r > 0) /* a stale handle from here on: someone else ended it */
		r = cap_revoke_batch(cs, h, CAP_BATCH, &n);
	if (removed)
		*removed = n;
	return 0;
}
