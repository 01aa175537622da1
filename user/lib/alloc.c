/*
 * The allocator behind malloc() (see alloc.h for the layout and invariants).
 * First fit over an address-ordered free list: simple, and good enough for
 * the small programs of Orbital's user space. Every header read is checked
 * against its magic, so a stray free() or an overrun into the next header is
 * reported rather than followed.
 */
#include "alloc.h"

#include <string.h>

#define HDR sizeof(struct alloc_hdr)

_Static_assert(sizeof(struct alloc_hdr) == ALLOC_ALIGN, "the header keeps payloads aligned");

static struct alloc_hdr **alloc_next(struct alloc_hdr *b)
{
	return (struct alloc_hdr **)(void *)(b + 1);
}

static struct alloc_hdr *alloc_after(struct alloc_hdr *b)
{
	return (struct alloc_hdr *)(void *)((char *)b + b->size);
}

static size_t alloc_round(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

/* The block size for an n-byte request, or 0 if it cannot be represented. */
static size_t alloc_need(size_t n)
{
	if (n > SIZE_MAX / 2)
		return 0;
	size_t need = alloc_round(n ? n : 1, ALLOC_ALIGN) + HDR;
	return need < ALLOC_MIN ? ALLOC_MIN : need;
}

void alloc_init(struct alloc_heap *h, void *(*grow)(void *, size_t, uint32_t *),
		void (*release)(void *, void *, size_t, uint32_t),
		void (*corrupt)(void *, const char *, const void *), void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->grow = grow;
	h->release = release;
	h->corrupt = corrupt;
	h->ctx = ctx;
	h->large = ALLOC_LARGE;
}

/* Puts a free block on the list in address order, merging it with its neighbours. */
static void alloc_insert(struct alloc_heap *h, struct alloc_hdr *b)
{
	struct alloc_hdr *prev = NULL, *cur = h->free;
	while (cur && cur < b) {
		prev = cur;
		cur = *alloc_next(cur);
	}
	b->magic = ALLOC_MAGIC_FREE;
	*alloc_next(b) = cur;
	if (cur && alloc_after(b) == cur) {
		b->size += cur->size;
		*alloc_next(b) = *alloc_next(cur);
		cur->magic = 0;
	}
	if (prev && alloc_after(prev) == b) {
		prev->size += b->size;
		*alloc_next(prev) = *alloc_next(b);
		b->magic = 0;
	} else if (prev) {
		*alloc_next(prev) = b;
	} else {
		h->free = b;
	}
}

/* Gets a new region for small blocks holding at least need bytes. */
static bool alloc_grow(struct alloc_heap *h, size_t need)
{
	size_t size = alloc_round(need + HDR, ALLOC_PAGE);
	if (size < ALLOC_CHUNK)
		size = ALLOC_CHUNK;
	uint32_t token = 0;
	char *r = h->grow(h->ctx, size, &token);
	if (!r)
		return false;
	struct alloc_hdr *fence = (struct alloc_hdr *)(void *)(r + size - HDR);
	fence->magic = ALLOC_MAGIC_FENCE;
	fence->token = token;
	fence->size = HDR;
	struct alloc_hdr *b = (struct alloc_hdr *)(void *)r;
	b->size = size - HDR;
	h->regions++;
	alloc_insert(h, b);
	return true;
}

/* Cuts block b (used, of b->size bytes) down to need bytes if the rest makes a block. */
static void alloc_trim(struct alloc_heap *h, struct alloc_hdr *b, size_t need)
{
	if (b->size - need < ALLOC_MIN)
		return;
	struct alloc_hdr *rest = (struct alloc_hdr *)(void *)((char *)b + need);
	rest->size = b->size - need;
	rest->token = 0;
	b->size = need;
	alloc_insert(h, rest);
}

static void *alloc_large(struct alloc_heap *h, size_t need)
{
	size_t size = alloc_round(need, ALLOC_PAGE);
	if (size < need)
		return NULL;
	uint32_t token = 0;
	struct alloc_hdr *b = h->grow(h->ctx, size, &token);
	if (!b)
		return NULL;
	b->magic = ALLOC_MAGIC_LARGE;
	b->token = token;
	b->size = size;
	h->large_live++;
	return b + 1;
}

void *alloc_malloc(struct alloc_heap *h, size_t n)
{
	size_t need = alloc_need(n);
	if (!need)
		return NULL;
	if (need >= h->large)
		return alloc_large(h, need);
	for (int attempt = 0; attempt < 2; attempt++) {
		struct alloc_hdr **link = &h->free;
		for (struct alloc_hdr *b = h->free; b; link = alloc_next(b), b = *link) {
			if (b->magic != ALLOC_MAGIC_FREE) {
				h->corrupt(h->ctx, "free list damaged", b);
				return NULL;
			}
			if (b->size < need)
				continue;
			*link = *alloc_next(b);
			b->magic = ALLOC_MAGIC_USED;
			b->token = 0;
			alloc_trim(h, b, need);
			return b + 1;
		}
		if (attempt == 0 && !alloc_grow(h, need))
			return NULL;
	}
	return NULL;
}

/* The header of a block malloc returned, or NULL (after reporting) if p is not one. */
static struct alloc_hdr *alloc_header(const struct alloc_heap *h, const void *p)
{
	if (((uintptr_t)p & (ALLOC_ALIGN - 1)) != 0) {
		h->corrupt(h->ctx, "misaligned pointer", p);
		return NULL;
	}
	struct alloc_hdr *b = (struct alloc_hdr *)p - 1;
	if ((b->magic != ALLOC_MAGIC_USED && b->magic != ALLOC_MAGIC_LARGE) ||
	    b->size < ALLOC_MIN || (b->size & (ALLOC_ALIGN - 1)) != 0) {
		h->corrupt(h->ctx, b->magic == ALLOC_MAGIC_FREE ? "double free" : "bad pointer", p);
		return NULL;
	}
	return b;
}

void alloc_free(struct alloc_heap *h, void *p)
{
	if (!p)
		return;
	struct alloc_hdr *b = alloc_header(h, p);
	if (!b)
		return;
	if (b->magic == ALLOC_MAGIC_LARGE) {
		b->magic = 0;
		h->large_live--;
		h->release(h->ctx, b, b->size, b->token);
		return;
	}
	alloc_insert(h, b);
}

void *alloc_calloc(struct alloc_heap *h, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = alloc_malloc(h, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

size_t alloc_usable(const struct alloc_heap *h, const void *p)
{
	const struct alloc_hdr *b = alloc_header(h, p);
	return b ? b->size - HDR : 0;
}

/* Grows used block b in place to need bytes by taking the free block after it, if any. */
static bool alloc_extend(struct alloc_heap *h, struct alloc_hdr *b, size_t need)
{
	struct alloc_hdr *next = alloc_after(b);
	struct alloc_hdr **link = &h->free;
	while (*link && *link < next)
		link = alloc_next(*link);
	if (*link != next || b->size + next->size < need)
		return false;
	*link = *alloc_next(next);
	b->size += next->size;
	next->magic = 0;
	alloc_trim(h, b, need);
	return true;
}

void *alloc_realloc(struct alloc_heap *h, void *p, size_t n)
{
	if (!p)
		return alloc_malloc(h, n);
	if (n == 0) {
		alloc_free(h, p);
		return NULL;
	}
	struct alloc_hdr *b = alloc_header(h, p);
	size_t need = alloc_need(n);
	if (!b || !need)
		return NULL;
	if (b->magic == ALLOC_MAGIC_USED) {
		if (need <= b->size) {
			alloc_trim(h, b, need);
			return p;
		}
		if (need < h->large && alloc_extend(h, b, need))
			return p;
	} else if (need <= b->size && need >= h->large && need > b->size / 2) {
		return p; /* a large block that still fits without wasting half its region */
	}
	void *q = alloc_malloc(h, n);
	if (!q)
		return NULL;
	size_t old = b->size - HDR;
	memcpy(q, p, old < n ? old : n);
	alloc_free(h, p);
	return q;
}

long alloc_check(struct alloc_heap *h)
{
	long total = 0;
	struct alloc_hdr *prev = NULL;
	for (struct alloc_hdr *b = h->free; b; prev = b, b = *alloc_next(b)) {
		if (b->magic != ALLOC_MAGIC_FREE || b->size < ALLOC_MIN ||
		    (b->size & (ALLOC_ALIGN - 1)) != 0 || (prev && prev >= b) ||
		    (prev && alloc_after(prev) == b)) {
			h->corrupt(h->ctx, "free list damaged", b);
			return -1;
		}
		/* The block after a free one is used (or a fence), never free. */
		struct alloc_hdr *after = alloc_after(b);
		if (after->magic != ALLOC_MAGIC_USED && after->magic != ALLOC_MAGIC_FENCE) {
			h->corrupt(h->ctx, "free block not followed by a used one", b);
			return -1;
		}
		total += (long)b->size;
	}
	return total;
}
