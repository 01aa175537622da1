/*
 * Kernel heap: kmalloc/kfree.
 *
 * Small objects (up to HEAP_MAX_SMALL bytes) come from slab caches, one per
 * power-of-two size class from 16 bytes; each slab is one page whose header
 * holds the class, a free list and an allocation bitmap (so a double free or a
 * pointer that is not an object start is caught at once). Larger requests get
 * whole pages with a header on the first page. Every block is 16-byte aligned.
 *
 * Debug mode (heap_init(..., true), on in test builds and with the `heapdebug`
 * boot option) fills freed memory with HEAP_POISON and checks the poison when
 * the block is handed out again, so a write after free is reported.
 *
 * The heap gets pages through the page_ops callbacks, so it is portable: the
 * kernel hands it direct-mapped frames, the host tests hand it aligned_alloc
 * memory.
 */
#ifndef ORB_MM_HEAP_H
#define ORB_MM_HEAP_H

#include "lib/types.h"
#include "base/spinlock.h"

#define HEAP_MIN_CLASS_SHIFT 4	/* 16 bytes */
#define HEAP_MAX_CLASS_SHIFT 11 /* 2048 bytes */
#define HEAP_NCLASSES	     (HEAP_MAX_CLASS_SHIFT - HEAP_MIN_CLASS_SHIFT + 1)
#define HEAP_MAX_SMALL	     ((size_t)1 << HEAP_MAX_CLASS_SHIFT)
#define HEAP_POISON	     0x6b

struct heap_page_ops {
	/* Returns n contiguous, PAGE_SIZE-aligned pages, or NULL. */
	void *(*alloc_pages)(void *ctx, size_t n);
	void (*free_pages)(void *ctx, void *p, size_t n);
	void *ctx;
};

struct heap_stats {
	size_t bytes_in_use;  /* sum of requested sizes of live blocks */
	size_t blocks_in_use; /* live blocks */
	size_t pages_held;    /* pages currently obtained from page_ops */
	size_t allocs, frees; /* totals since init */
};

struct slab; /* private to heap.c */

struct heap {
	struct spinlock lock;
	/* Everything below is guarded by lock. */
	const struct heap_page_ops *ops;
	bool debug;
	struct slab *partial[HEAP_NCLASSES]; /* slabs with at least one free object */
	struct heap_stats stats;
};

void heap_init(struct heap *h, const struct heap_page_ops *ops, bool debug);

/* Returns a 16-byte aligned block of at least size bytes, or NULL (size 0 gives NULL). */
void *heap_alloc(struct heap *h, size_t size);
void *heap_zalloc(struct heap *h, size_t size);

/* Frees a block from heap_alloc; NULL is ignored. Panics on a double free or a
 * pointer the heap never returned. */
void heap_free(struct heap *h, void *p);

/* Usable size of a live block. */
size_t heap_block_size(struct heap *h, void *p);

void heap_get_stats(struct heap *h, struct heap_stats *out);

/* The kernel's heap (set up by kmain through kheap_init in mm/kmalloc.c). */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
void kheap_stats(struct heap_stats *out);

#endif
