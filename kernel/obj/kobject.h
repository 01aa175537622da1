/*
 * Kernel objects: the header every object starts with, its reference count,
 * its deferred destruction and its home (the rule that frees what only
 * itself reaches).
 *
 * Portable code (no x86): it also runs in the host tests and the fuzzer.
 *
 * Objects. Every kernel object (endpoint, thread, memory range, ...) starts
 * with a struct kobject: its type, a reference count and a destroy callback.
 * refs counts the capabilities that name the object plus the references taken
 * with kobject_get(). When it drops to zero the object's destroy callback runs
 * exactly once, always after cap_lock has been released (so the callback may
 * take other locks, free memory and call back into this module). The memory
 * an object was charged for goes back to its quota (obj/quota.h) right after
 * its destroy callback.
 *
 * Homes. Reference counting alone never frees an object that holds a
 * capability to itself (a Process whose cspace names it). So an object may
 * have a home: the object that owns a cspace (cs->owner), e.g. a Process is
 * its own home and a Thread object's home is its process. For each object
 * with a home this module counts `inner`, the capabilities naming it that sit
 * in its home's own cspace; an object other than the home is `enclosed` when
 * every reference to it is such a capability, and then its home_weight (the
 * references it holds on its home, directly or through what it owns) counts
 * in the home's `sub`. A home that is `dormant` (its owner says so: a process
 * that has not started a thread) is an orphan when every reference to it is
 * one of those, refs == inner + sub: nobody outside can reach it any more, so
 * nobody could ever start, kill or use it. Its check callback then runs once
 * (from kobject_reap_run, after cap_lock is dropped, with a reference held)
 * and ends it. A dormant home also takes no capability whose object has
 * another home that is dormant too (-ERR_INVAL): so dormant homes never
 * keep each other in a cycle. (What a dormant home holds of a home that is
 * not dormant is let go when that one ends: its owner ends it.)
 *
 * Not here: capabilities and cspaces (obj/cspace.h), which call the _locked
 * functions below as capabilities come and go.
 *
 * Locking: cap_lock (obj/cspace.h) guards refs, the reap link and the home
 * counts of every object; the functions without _locked take it themselves,
 * the _locked ones expect the caller to hold it. type, destroy, home,
 * home_weight and check are fixed before the object is published.
 */
#ifndef ORB_OBJ_KOBJECT_H
#define ORB_OBJ_KOBJECT_H

#include "lib/types.h"
#include <orbital/caps.h>

struct kobject;
struct quota;
struct cap;
struct cspace;
typedef void (*kobject_destroy_fn)(struct kobject *obj);

struct kobject {
	enum cap_type type;	    /* fixed by kobject_init */
	uint32_t refs;		    /* cap_lock: capabilities + kobject_get references */
	kobject_destroy_fn destroy; /* fixed by kobject_init; may be NULL */
	struct kobject *reap_next;  /* cap_lock: link on a pending-destroy list */
	struct quota *quota;	    /* what its memory is charged to (obj/quota.h), or NULL */
	uint64_t charge;	    /* bytes charged to quota; given back after destroy */
	/* Homes (see "Homes" above); all zero for an object without one. */
	struct kobject *home;	  /* fixed before it is published, or NULL */
	uint32_t home_weight;	  /* fixed: references it holds (directly or not) on home */
	uint32_t inner;		  /* cap_lock: capabilities naming it in home's own cspace */
	uint32_t sub;		  /* cap_lock (a home): weights of its enclosed objects */
	bool enclosed;		  /* cap_lock: refs > 0 and all of them are inner */
	bool dormant;		  /* cap_lock (a home): watched, see "Homes" */
	bool check_queued;	  /* cap_lock (a home): on a reap list for its check */
	kobject_destroy_fn check; /* fixed (a home): called once when it is an orphan */
};

/* Objects whose refs reached zero, to be destroyed once cap_lock is dropped. */
struct kobject_reap {
	struct kobject *head, *tail;
};

/* Initializes an object header with no references. type is one of the
 * CAP_TYPE_* values other than NONE (panics otherwise: a kernel bug). */
void kobject_init(struct kobject *obj, enum cap_type type, kobject_destroy_fn destroy);

/* Takes a kernel reference to an object that is known to be alive (the caller
 * holds a capability or reference to it). */
void kobject_get(struct kobject *obj);

/* Drops a reference; runs the destroy callback if it was the last one. The
 * caller must not hold cap_lock. */
void kobject_put(struct kobject *obj);

/* Before obj is published: gives it a home (see "Homes") and the number of
 * references it holds on it. home == obj makes it a home, dormant, whose
 * check callback is `check`. */
void kobject_set_home(struct kobject *obj, struct kobject *home, uint32_t weight,
		      kobject_destroy_fn check);

/* Ends the dormancy of a home (its check never runs after this). */
void kobject_wake(struct kobject *home);

/* Runs home's check now if it is a dormant orphan; the caller holds `held`
 * references to it besides those. For a caller that placed a capability in
 * home's cspace (placing one never runs the check by itself). The caller must
 * not hold cap_lock or any lock the check takes. */
void kobject_check_orphan(struct kobject *home, uint32_t held);

/* Runs the destroy callbacks (and home checks) of the objects queued on
 * reap. The caller must not hold cap_lock. */
void kobject_reap_run(struct kobject_reap *reap);

/* --- For callers that hold cap_lock (cspace.c, cap_tree.c, quota.c) ------ */

/* Takes one reference to obj (alive: the caller holds one or a capability). */
void kobject_ref_locked(struct kobject *obj);

/* Drops one reference to obj, queueing it on reap at zero (or its home for
 * a check, if that makes the home an orphan). */
void kobject_unref_locked(struct kobject *obj, struct kobject_reap *reap);

/* False if obj may not be placed in cs: cs's owner is dormant and obj has
 * another home, dormant too (see "Homes"). */
bool kobject_may_land_locked(const struct cspace *cs, const struct kobject *obj);

/* Counts a capability just given its object (c->obj, c->cs set), +1, or
 * about to lose it, -1, in its object's home counts (see "Homes"). Never
 * runs a check. */
void kobject_home_count_locked(struct cap *c, int delta);

#endif
