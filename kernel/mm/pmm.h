/*
 * Physical frame allocator.
 *
 * Owns the state of every 4 KiB physical frame below the highest usable
 * address: one bit per frame (set = in use or not RAM), plus a small "hot"
 * stack of recently freed frames that single-frame allocation serves first
 * (they are likely still in the cache, and popping is O(1)).
 *
 * The storage holds two bitmaps: "used" and, after it, "is RAM" (set by
 * pmm_add_range), so adding a range twice never frees an allocated frame and
 * freeing a frame that was never RAM is caught. Add RAM first, then reserve:
 * a frame reserved before its RAM is added would become free when added.
 *
 * Invariants:
 *  - a frame is free iff its bitmap bit is clear; the hot stack is only a hint
 *    list of frames that were free when pushed (entries whose bit has since
 *    been set by a contiguous allocation are skipped when popped);
 *  - free_frames == number of clear bits;
 *  - frames never added with pmm_add_range() are never handed out.
 * Freeing a frame that is already free, or one outside the managed range, is a
 * kernel bug and panics.
 *
 * This file is portable; it never touches the frames themselves (the caller
 * supplies the bitmap storage), so it runs unchanged in the host unit tests.
 */
#ifndef ORB_MM_PMM_H
#define ORB_MM_PMM_H

#include "lib/types.h"
#include "base/spinlock.h"

#define PMM_HOT_MAX 64

struct pmm {
	struct spinlock lock;
	/* Everything below is guarded by lock. */
	uint64_t *bitmap;     /* 1 bit per frame, set = used; the RAM map follows it */
	size_t nframes;	      /* frames [0, nframes) are tracked */
	size_t free_frames;   /* clear bits in bitmap */
	size_t usable_frames; /* frames ever added as RAM */
	size_t search_hint;   /* word index where the next bitmap search starts */
	size_t hot_count;
	paddr_t hot[PMM_HOT_MAX];
};

/* Bytes of bitmap storage needed to track nframes frames (a multiple of 8). */
size_t pmm_bitmap_bytes(size_t nframes);

/* Starts with every frame marked used; storage must hold pmm_bitmap_bytes(nframes). */
void pmm_init(struct pmm *p, uint64_t *storage, size_t nframes);

/* Marks the whole frames inside [base, base+len) free (RAM). Parts beyond nframes are ignored. */
void pmm_add_range(struct pmm *p, paddr_t base, uint64_t len);

/* Marks every frame touching [base, base+len) used (kernel image, modules, firmware...). */
void pmm_reserve_range(struct pmm *p, paddr_t base, uint64_t len);

/* Allocates one frame; returns 0 and sets *out, or -ERR_NOMEM. */
int pmm_alloc(struct pmm *p, paddr_t *out);

/* Allocates count physically contiguous frames whose first frame is aligned to
 * align bytes (a power of two, at least PAGE_SIZE); returns 0 or -ERR_NOMEM /
 * -ERR_INVAL. */
int pmm_alloc_contig(struct pmm *p, size_t count, size_t align, paddr_t *out);

/* Frees one frame / count contiguous frames. Panics on double free or bad address. */
void pmm_free(struct pmm *p, paddr_t frame);
void pmm_free_contig(struct pmm *p, paddr_t base, size_t count);

/* True if the frame is currently allocated (or not RAM). */
bool pmm_is_used(struct pmm *p, paddr_t frame);

size_t pmm_free_count(struct pmm *p);	/* free frames */
size_t pmm_usable_count(struct pmm *p); /* frames that are RAM */

#endif
