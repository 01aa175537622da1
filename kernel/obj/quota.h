/*
 * Quotas: budgets that the kernel memory a process causes is charged to.
 *
 * Portable code (no x86): it also runs in the host tests.
 *
 * A quota (CAP_TYPE_QUOTA) has a limit and a usage, both in bytes. Every
 * allocation the kernel makes on a process's behalf is charged to a quota
 * before it is made and given back (uncharged) exactly when it is freed; a
 * charge that would take the usage above the limit fails with -ERR_QUOTA and
 * nothing is allocated. Which quota pays for what is listed in
 * docs/kernel.md ("Quotas").
 *
 * Quotas form a tree. Creating a child reserves its whole limit (plus the
 * child's own record) in the parent's usage at once, so the children of a
 * quota can never together exceed it, and charging a child touches only the
 * child: one atomic compare-and-swap, no lock, no walk up the tree. The
 * reservation returns to the parent when the child is destroyed, which is
 * only once nothing is charged to it any more: every charge holds the quota
 * alive (objects through a reference of their own, a process's page tables,
 * mapping records and threads through the process's reference). The root
 * quota has no parent; its limit is what the kernel lets user space have
 * (all free memory at start-up but the kernel's reserve).
 *
 * Kernel objects carry their charge in their header (struct kobject: quota,
 * charge); quota_attach() records it and takes a reference, and the object
 * reaper (kobject.c) gives it back after the object's destroy callback ran.
 *
 * Locking: limit and parent are fixed at creation; used is changed only with
 * atomic operations, so charging works under any lock and in any context.
 */
#ifndef ORB_OBJ_QUOTA_H
#define ORB_OBJ_QUOTA_H

#include "obj/cspace.h"

struct quota {
	struct kobject obj;   /* CAP_TYPE_QUOTA */
	struct quota *parent; /* holds a reference; NULL for a root */
	uint64_t limit;	      /* bytes; fixed at creation */
	uint64_t used;	      /* atomic: bytes charged, children's reservations included */
	uint64_t reservation; /* what creating it charged to the parent (limit + record) */
};

/* The bytes a heap allocation of `size` really takes: the slab size class (a
 * power of two, 16..2048) or whole pages above that. */
uint64_t quota_heap_bytes(uint64_t size);

/* Makes a root quota of `limit` bytes (no parent). -ERR_NOMEM. */
int quota_create_root(uint64_t limit, struct quota **out);

/* Makes a child of parent with `limit` bytes, reserving limit plus the
 * child's record in the parent. Checks: limit > 0 (-ERR_INVAL); room in the
 * parent (-ERR_QUOTA, also for limits that would overflow); -ERR_NOMEM. */
int quota_create_child(struct quota *parent, uint64_t limit, struct quota **out);

/* Charges bytes to q: 0, or -ERR_QUOTA (nothing charged) if that would take
 * its usage above its limit. A NULL quota (the kernel's own threads) is never
 * charged. */
int quota_charge(struct quota *q, uint64_t bytes);

/* Gives back bytes charged earlier (panics if more than is charged: a bug). */
void quota_uncharge(struct quota *q, uint64_t bytes);

/* Records that obj's memory (bytes, already charged to q) is q's until obj is
 * destroyed, and takes a reference to q for that long. */
void quota_attach(struct kobject *obj, struct quota *q, uint64_t bytes);

/* The object reaper's half of quota_attach: after obj's destroy callback,
 * gives the charge back and drops the reference (q may be NULL: nothing). */
void quota_release(struct quota *q, uint64_t bytes);

/* A snapshot of q's usage. */
static inline uint64_t quota_used(struct quota *q)
{
	return __atomic_load_n(&q->used, __ATOMIC_RELAXED);
}

#endif
