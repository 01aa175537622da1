/*
 * Capability spaces and the capability derivation tree.
 *
 * Portable code (no x86): it also runs in the host tests and the fuzzer.
 *
 * Capabilities name kernel objects (obj/kobject.h: the common header, its
 * reference count and destruction, and "Homes").
 *
 * Capabilities. A capability (struct cap) is (object, rights, badge) and lives
 * in a slot of a cspace, a table of nslots slots fixed at creation (at most
 * CAP_MAX_SLOTS). User space names it by a handle that encodes the slot number
 * and the slot's generation (see include/orbital/caps.h): lookup is O(1) and a
 * stale handle (its slot emptied, and perhaps reused) fails with -ERR_BADCAP.
 * Empty slots form a FIFO free list, so a freed slot is reused as late as
 * possible.
 *
 * Derivation tree (as in seL4's mapping database). cspace_insert_root()
 * makes an original capability, the root of a tree. cap_derive()/cap_copy()
 * make a child of the source, in any cspace. The tree spans cspaces: each cap
 * links to its parent, its first child and its siblings. Invariants, checked by
 * cspace_validate():
 *   - a child's rights are a subset of its parent's (rights only shrink);
 *   - if the parent is badged, the child has the same badge (a badge is set
 *     once, when deriving from an unbadged capability, then never changes);
 *   - a child names the same object as its parent;
 *   - links are symmetric (c->first_child->parent == c, prev/next agree).
 * Operations on the tree:
 *   - cap_move keeps the capability's place in the tree (its parent, siblings
 *     and children do not change), only its slot and handle change;
 *   - cap_delete removes one capability; its children stay and become children
 *     of its parent (or roots, if it had none), which keeps the invariants
 *     since rights and badges are inherited transitively;
 *   - cap_revoke removes every descendant of a capability, in every cspace,
 *     but not the capability itself. It walks the subtree iteratively in post
 *     order, removing leaves, so a deep chain never deepens the kernel stack.
 *
 * Decode, then invoke. Every operation first validates all its arguments
 * (handles, rights, badge, free slot) and returns an error with no side
 * effect; only then does it act, and the acting part cannot fail. Errors:
 *   -ERR_BADCAP  empty slot, stale generation, slot out of range, wrong type
 *   -ERR_PERM    rights not a subset of the source's, re-badging a badged cap,
 *                a lookup that lacks a needed right
 *   -ERR_NOSPACE no free slot in the destination cspace
 *   -ERR_INVAL   unknown rights bits, bad object or object type, bad nslots,
 *                an object of another dormant home into a dormant home's
 *                cspace (obj/kobject.h, "Homes")
 * Arguments are checked in the order listed with each function, and the first
 * failure is returned.
 *
 * Locking. One global spinlock, cap_lock (taken with irqsave), guards every
 * derivation tree, every cspace's slots and free list, and every kobject's
 * refs, reap link and home counts. Each public function below takes it itself; the _locked
 * functions expect the caller to hold it. It is the innermost lock: code
 * holding it takes no other lock, never allocates and never sleeps (destroy
 * callbacks are deferred until it is released). No hold of it is longer than
 * CAP_BATCH units of work, whatever user space built: revoke, delete (of a
 * capability with many children) and cspace_destroy work in batches and drop
 * it in between, with the restart rules of their _batch functions. (cap_move
 * is still linear in the moved capability's direct children.)
 *
 * Not handled here: which right an operation on an object needs (the syscall
 * layer asks cap_lookup_obj for it).
 */
#ifndef ORB_OBJ_CSPACE_H
#define ORB_OBJ_CSPACE_H

#include "lib/types.h"
#include "base/spinlock.h"
#include "obj/kobject.h"
#include <orbital/caps.h>

struct cspace;

/* A capability. All fields are guarded by cap_lock. */
struct cap {
	struct kobject *obj; /* NULL iff the slot is empty */
	uint32_t rights;     /* CAP_RIGHT_* */
	uint64_t badge;	     /* 0 = unbadged */
	struct cap *parent;  /* derived from; NULL for a root */
	struct cap *first_child;
	struct cap *next_sibling;
	struct cap *prev_sibling;
	struct cspace *cs; /* the cspace whose slot holds this capability */
};

struct cspace_slot {
	struct cap cap;
	uint32_t generation; /* 1..CAP_GEN_MAX; advances each time the slot is emptied */
	uint32_t next_free;  /* free-list link while unused, CSPACE_NIL at the tail */
	bool used;
};

#define CSPACE_NIL UINT32_MAX

/* A capability space. All fields but nslots, slots and owner are guarded by
 * cap_lock. */
struct cspace {
	struct kobject *owner;	   /* fixed before the first insert: its home, or NULL */
	uint32_t nslots;	   /* fixed at creation, 1..CAP_MAX_SLOTS */
	uint32_t used;		   /* slots holding a capability */
	uint32_t free_head;	   /* FIFO free list of slot numbers; CSPACE_NIL if full */
	uint32_t free_tail;	   /* last free slot; CSPACE_NIL if full */
	struct cspace_slot *slots; /* nslots entries */
	/* Slots emptied so far: written under cap_lock before each slot's
	 * generation changes; read without it by the IPC fast path, whose
	 * per-thread copy of a capability is good only while this is unchanged. */
	uint64_t releases;
};

extern struct spinlock cap_lock;

/* --- Capability spaces ------------------------------------------------- */

/* Allocates a cspace of nslots empty slots. Errors: -ERR_INVAL (nslots is 0
 * or above CAP_MAX_SLOTS), -ERR_NOMEM. */
int cspace_create(uint32_t nslots, struct cspace **out);

/* Deletes every capability in cs (as cap_delete: capabilities derived from
 * them elsewhere survive, re-parented) and frees it. Objects left without
 * references are destroyed before it returns. */
void cspace_destroy(struct cspace *cs);

/* Number of empty slots. */
uint32_t cspace_free_count(struct cspace *cs);

/* Puts an original capability (a new tree root) for obj into a free slot of
 * cs. The kernel's way to hand out a new object's first capability. Checks:
 * obj non-NULL with a valid type, rights within CAP_RIGHTS_ALL, obj's home
 * (-ERR_INVAL, obj/kobject.h, "Homes"); a free slot (-ERR_NOSPACE). */
int cspace_insert_root(struct cspace *cs, struct kobject *obj, uint32_t rights, uint64_t badge,
		       cap_handle_t *out);

/* Type, rights and badge of the capability h names. Checks: h (-ERR_BADCAP). */
int cap_identify(struct cspace *cs, cap_handle_t h, struct cap_info *out);

/*
 * What a system call does with a handle argument: checks that h names a
 * capability (-ERR_BADCAP) to an object of the given type (any type if
 * CAP_TYPE_NONE; else -ERR_BADCAP) holding every right in `rights`
 * (-ERR_PERM), then returns the object with a reference taken (drop it with
 * kobject_put) and the capability's badge (badge may be NULL).
 */
int cap_lookup_obj(struct cspace *cs, cap_handle_t h, enum cap_type type, uint32_t rights,
		   struct kobject **obj, uint64_t *badge);

/* --- Derivation tree (cap_tree.c) -------------------------------------- */

/*
 * Makes a child of the capability src names, in a free slot of dst, with
 * `rights` (a subset of the source's) and a badge: badge 0 keeps the source's
 * badge; a non-zero badge is allowed only if the source is unbadged. Checks,
 * in order: src (-ERR_BADCAP); rights within CAP_RIGHTS_ALL (-ERR_INVAL);
 * rights a subset of the source's (-ERR_PERM); badge (-ERR_PERM); the object's
 * home (-ERR_INVAL, obj/kobject.h, "Homes"); a free slot in dst (-ERR_NOSPACE). src_cs
 * and dst_cs may be the same cspace.
 */
int cap_derive(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, uint32_t rights,
	       uint64_t badge, cap_handle_t *out);

/* cap_derive with the source's rights and badge. */
int cap_copy(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, cap_handle_t *out);

/*
 * Moves the capability src names into a free slot of dst (which may be
 * src_cs), keeping its place in the derivation tree; src becomes stale.
 * Checks: src (-ERR_BADCAP); the object's home (-ERR_INVAL, obj/kobject.h, "Homes"); a
 * free slot in dst (-ERR_NOSPACE, also when
 * dst == src_cs is full: the new slot is taken before the old one is freed).
 * O(number of direct children).
 */
int cap_move(struct cspace *src_cs, cap_handle_t src, struct cspace *dst_cs, cap_handle_t *out);

/* Removes the capability h names; its children become children of its
 * parent. Checks: h (-ERR_BADCAP). In batches (cap_delete_batch). */
int cap_delete(struct cspace *cs, cap_handle_t h);

/* Removes every capability derived from the one h names, recursively, in
 * every cspace, leaving that one in place. Checks: h (-ERR_BADCAP). If
 * removed is not NULL it receives the number of capabilities removed. In
 * batches (cap_revoke_batch): when it returns, the capability has no
 * descendant, including any derived while it ran; if another thread deletes
 * or moves the capability meanwhile, it stops there (and returns 0). */
int cap_revoke(struct cspace *cs, cap_handle_t h, size_t *removed);

/* --- Batches: the bounded steps of the long operations ------------------- */

/* Units of work (a capability removed, a child lifted) per hold of cap_lock. */
#define CAP_BATCH 64

/* One batch of cap_delete: lifts at most budget children of the capability h
 * names to its parent, and removes it once it has none. Returns 1 if there is
 * more to do (call again with the same handle), 0 when it is removed,
 * -ERR_BADCAP if h names nothing (any more). */
int cap_delete_batch(struct cspace *cs, cap_handle_t h, size_t budget);

/* One batch of cap_revoke: at most budget units below the capability h names,
 * the number removed added to *removed. Returns 1 if it still has descendants,
 * 0 if it has none, -ERR_BADCAP if h names nothing (any more). */
int cap_revoke_batch(struct cspace *cs, cap_handle_t h, size_t budget, size_t *removed);

/* One batch of cspace_destroy, from slot *next on (start at 0; advanced):
 * at most budget units. Returns 1 if slots remain, 0 when all are empty. Only
 * for a cspace nobody inserts into any more. */
int cspace_destroy_batch(struct cspace *cs, uint32_t *next, size_t budget);

/* --- For callers that hold cap_lock ------------------------------------- */

/*
 * Without cap_lock: reads the object, rights and badge of the capability h
 * names, as one consistent snapshot, if it is of the given type; or returns
 * false (bad handle, wrong type, or the
 * slot changed meanwhile: the caller falls back to the locked path). The IPC
 * fast path uses it. The object is not referenced: the caller must hold a
 * lock that the object's destroy callback takes before freeing it.
 */
static inline bool cspace_peek_lockless(struct cspace *cs, cap_handle_t h, enum cap_type type,
					struct kobject **obj, uint32_t *rights, uint64_t *badge)
{
	if ((uint32_t)h >> (CAP_SLOT_BITS + CAP_GEN_BITS))
		return false;
	uint32_t slot = CAP_HANDLE_SLOT(h);
	if (slot >= cs->nslots)
		return false;
	struct cspace_slot *s = &cs->slots[slot];
	uint32_t gen = __atomic_load_n(&s->generation, __ATOMIC_ACQUIRE);
	if (gen != CAP_HANDLE_GEN(h) || !__atomic_load_n(&s->used, __ATOMIC_ACQUIRE))
		return false;
	*obj = __atomic_load_n(&s->cap.obj, __ATOMIC_RELAXED);
	*rights = __atomic_load_n(&s->cap.rights, __ATOMIC_RELAXED);
	*badge = __atomic_load_n(&s->cap.badge, __ATOMIC_RELAXED);
	/* The object is alive here if the capability still is at the check below. */
	if (!*obj || __atomic_load_n(&(*obj)->type, __ATOMIC_RELAXED) != type)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* Contents change only after the generation does (slot release), so an
	 * unchanged generation means what we read was one whole capability. */
	return __atomic_load_n(&s->generation, __ATOMIC_RELAXED) == gen &&
	       __atomic_load_n(&s->used, __ATOMIC_RELAXED);
}

/* The capability h names in cs, or NULL (empty, stale, out of range). */
struct cap *cspace_lookup_locked(struct cspace *cs, cap_handle_t h);

/* The handle of a capability held in a slot. */
cap_handle_t cap_handle_locked(const struct cap *c);

/* Removes one capability as cap_delete does; an object left without
 * references is queued on reap for kobject_reap_run. */
void cap_delete_locked(struct cap *c, struct kobject_reap *reap);

/* --- Internal to cspace.c and cap_tree.c --------------------------------- */

/* Takes the head of cs's free list (which must not be empty) and makes it a
 * used slot holding an unlinked capability; returns that capability. */
struct cap *cspace_slot_take_locked(struct cspace *cs);

/* Empties the slot holding c (already unlinked from the tree): advances its
 * generation and appends it to the free list. Does not touch c->obj's refs. */
void cspace_slot_release_locked(struct cap *c);

/* Moves up to budget of c's children to c's parent (making them roots if it
 * has none); returns how many it moved. */
size_t cap_lift_children_locked(struct cap *c, size_t budget);

/* --- Debugging ------------------------------------------------------------ */

/*
 * Checks cs's structure and every capability in it against the invariants
 * above (slot bookkeeping, free list, link symmetry, rights and badge against
 * the parent, same object as the parent, each cap's cs back pointer). Returns
 * true if all hold; logs the first violation otherwise. Takes cap_lock.
 */
bool cspace_validate(struct cspace *cs);

#endif
