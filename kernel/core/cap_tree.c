/*
 * The capability derivation tree: derive, copy, move, delete, revoke.
 *
 * Owns the parent/child/sibling links of struct cap (the slot tables and
 * object references are cspace.c's). Each capability's children form a
 * doubly linked list headed by first_child; a root has no parent and no
 * siblings. The invariants (rights shrink, badges are inherited, links are
 * symmetric) and the semantics of each operation are described in cspace.h.
 *
 * Every public function decodes first (looks up the handles, checks rights,
 * badge and free space with no side effect) and then invokes; the invoke part
 * only relinks pointers and cannot fail. Nothing here recurses: revoke walks
 * the subtree with a loop, so its stack use does not depend on the depth.
 */
#include "core/cspace.h"
#include "lib/string.h"
#include "lib/panic.h"

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
	else if (dst_cs->free_head == CSPACE_NIL)
		err = -ERR_NOSPACE;
	if (err)
		goto out;

	/* Invoke: cannot fail from here on. */
	struct cap *c = cspace_slot_take_locked(dst_cs);
	KASSERT(s->obj->refs < UINT32_MAX);
	c->obj = s->obj;
	c->obj->refs++;
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
	else if (dst_cs->free_head == CSPACE_NIL)
		err = -ERR_NOSPACE;
	if (err)
		goto out;

	/* The new slot takes over s's place: every pointer to s is redirected. */
	struct cap *c = cspace_slot_take_locked(dst_cs);
	c->obj = s->obj;
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

int cap_delete(struct cspace *cs, cap_handle_t h)
{
	struct kobject_reap reap = {NULL, NULL};
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *c = cspace_lookup_locked(cs, h);
	if (c)
		cap_delete_locked(c, &reap);
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
	return c ? 0 : -ERR_BADCAP;
}

int cap_revoke(struct cspace *cs, cap_handle_t h, size_t *removed)
{
	struct kobject_reap reap = {NULL, NULL};
	size_t n = 0;
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap *root = cspace_lookup_locked(cs, h);
	if (!root) {
		spin_unlock_irqrestore(&cap_lock, f);
		return -ERR_BADCAP;
	}
	/*
	 * Post-order walk without recursion: go down first children to a leaf,
	 * remove it, continue from its parent. Every edge is walked down once and
	 * up once, so this is linear in the size of the subtree.
	 */
	struct cap *c = root;
	for (;;) {
		while (c->first_child)
			c = c->first_child;
		if (c == root)
			break;
		struct cap *p = c->parent;
		cap_delete_locked(c, &reap);
		n++;
		c = p;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	kobject_reap_run(&reap);
	if (removed)
		*removed = n;
	return 0;
}
