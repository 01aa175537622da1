/*
 * Virtual address ranges: the bookkeeping behind uvm.c, kept free of system
 * calls so that host tests drive it directly.
 *
 * A vaspace hands out page-aligned ranges of [base, top): first from ranges
 * given back (first fit; the rest of a larger range stays free), else from a
 * bump pointer. Given-back ranges that touch are merged, so a process that
 * maps and unmaps in a loop (a spawner's windows onto its children, malloc's
 * large regions) keeps using the same addresses, and the page tables the
 * kernel made for them, instead of walking on through its address space.
 * At most VASPACE_FREE_MAX ranges are remembered; beyond that the smallest
 * is forgotten (its addresses are not reused, nothing else is lost).
 *
 * Invariants: every range handed out and not given back is disjoint from
 * every other and from the free ranges; free ranges do not touch each other;
 * next only grows. Not locked: the caller serialises (uvm.c holds its lock).
 */
#ifndef ORB_ULIB_VASPACE_H
#define ORB_ULIB_VASPACE_H

#include <stddef.h>
#include <stdint.h>

#define VASPACE_PAGE	 4096ull
#define VASPACE_FREE_MAX 64

struct vaspace_range {
	uint64_t at, len;
};

struct vaspace {
	uint64_t base, top, next;
	struct vaspace_range free[VASPACE_FREE_MAX];
	unsigned nfree;
};

/* An empty space over [base, top) (both page-aligned, base < top). */
void vaspace_init(struct vaspace *s, uint64_t base, uint64_t top);

/* A range of len bytes (a non-zero page multiple); 0 if none is left. */
uint64_t vaspace_take(struct vaspace *s, uint64_t len);

/*
 * Gives [at, at + len) back. It must be a range taken earlier, or a part of
 * one, not given back since; anything else (outside the space, unaligned,
 * overlapping a free range) is refused with -1 and changes nothing. 0 on
 * success.
 */
int vaspace_give(struct vaspace *s, uint64_t at, uint64_t len);

#endif
