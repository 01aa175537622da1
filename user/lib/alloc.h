/*
 * The allocator behind malloc(): pure logic, no system calls, so the host
 * tests run it as is (tests/host/user/test_ulib_alloc.c). The memory itself comes
 * from callbacks: user/lib/malloc.c backs them with Memory objects mapped into
 * the process, the host tests with the C library's allocator.
 *
 * Layout: every block starts with a 16-byte header (magic, a token, the
 * block's size including the header, a multiple of 16), so payloads are
 * 16-byte aligned. Small blocks are carved from regions of at least
 * ALLOC_CHUNK bytes; each region ends with a 16-byte fence block that is
 * never free, so two regions are never merged. Free blocks sit on one list in
 * address order and are merged with free neighbours on free(), so no two free
 * blocks are ever adjacent. A request of `large` bytes or more gets a region
 * of its own (magic ALLOC_MAGIC_LARGE), handed back through release() when
 * freed. Regions are never returned otherwise.
 *
 * Not thread-safe: the caller serialises (malloc.c holds a lock).
 */
#ifndef ORB_ULIB_ALLOC_H
#define ORB_ULIB_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALLOC_ALIGN 16u
#define ALLOC_PAGE  4096u
#define ALLOC_CHUNK (256u * 1024) /* smallest region for small blocks */
#define ALLOC_LARGE (256u * 1024) /* requests this big get their own region */
#define ALLOC_MIN   32u		  /* smallest block: header + free-list link */

#define ALLOC_MAGIC_FREE  0x45455246u /* "FREE" */
#define ALLOC_MAGIC_USED  0x44455355u /* "USED" */
#define ALLOC_MAGIC_LARGE 0x4752414cu /* "LARG" */
#define ALLOC_MAGIC_FENCE 0x434e4546u /* "FENC" */

struct alloc_hdr {
	uint32_t magic;
	uint32_t token; /* large blocks: what grow() returned with the region */
	size_t size;	/* of the whole block, header included */
};

struct alloc_heap {
	/*
	 * Returns a region of exactly size bytes (a multiple of ALLOC_PAGE,
	 * page-aligned, readable and writable) and a token for release(), or
	 * NULL when out of memory.
	 */
	void *(*grow)(void *ctx, size_t size, uint32_t *token);
	/* Gives back a large block's region. */
	void (*release)(void *ctx, void *region, size_t size, uint32_t token);
	/* Reports a corrupted heap or a bad pointer; may not return. */
	void (*corrupt)(void *ctx, const char *what, const void *p);
	void *ctx;
	size_t large;		/* threshold for a region of its own (ALLOC_LARGE) */
	struct alloc_hdr *free; /* free blocks in address order */
	size_t regions;		/* regions for small blocks obtained so far */
	size_t large_live;	/* large blocks outstanding */
};

void alloc_init(struct alloc_heap *h, void *(*grow)(void *, size_t, uint32_t *),
		void (*release)(void *, void *, size_t, uint32_t),
		void (*corrupt)(void *, const char *, const void *), void *ctx);
void *alloc_malloc(struct alloc_heap *h, size_t n);
void alloc_free(struct alloc_heap *h, void *p);
void *alloc_calloc(struct alloc_heap *h, size_t n, size_t size);
void *alloc_realloc(struct alloc_heap *h, void *p, size_t n);
/* The usable size of a block malloc returned. */
size_t alloc_usable(const struct alloc_heap *h, const void *p);

/*
 * Checks the free list (address order, magics, sizes, no two adjacent free
 * blocks). Returns the number of free bytes, or -1 (after calling corrupt).
 */
long alloc_check(struct alloc_heap *h);

#endif
