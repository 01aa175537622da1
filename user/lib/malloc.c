/*
 * malloc(), free(), calloc(), realloc(): the allocator of alloc.c fed with
 * Memory objects mapped into the process itself (uvm.c), under one lock. A
 * region's token is its Memory handle, so a large block's region goes back
 * to the kernel when it is freed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "ulib.h"
#include "uvm.h"

static struct alloc_heap malloc_heap;
static struct ulib_lock malloc_lock;
static bool malloc_ready;

static void *malloc_grow(void *ctx, size_t size, uint32_t *token)
{
	(void)ctx;
	void *p;
	cap_handle_t mem;
	if (uvm_map_new(size, ORB_PROT_READ | ORB_PROT_WRITE, &p, &mem) < 0)
		return NULL;
	*token = mem;
	return p;
}

static void malloc_release(void *ctx, void *region, size_t size, uint32_t token)
{
	(void)ctx;
	uvm_unmap_delete(region, size, token);
}

static void malloc_corrupt(void *ctx, const char *what, const void *p)
{
	(void)ctx;
	printf("malloc: %s at %p\n", what, p);
	abort();
}

/* Takes the lock; sets the heap up on first use. */
static struct alloc_heap *malloc_enter(void)
{
	ulib_lock(&malloc_lock);
	if (!malloc_ready) {
		alloc_init(&malloc_heap, malloc_grow, malloc_release, malloc_corrupt, NULL);
		malloc_ready = true;
	}
	return &malloc_heap;
}

void *malloc(size_t size)
{
	void *p = alloc_malloc(malloc_enter(), size);
	ulib_unlock(&malloc_lock);
	return p;
}

void free(void *p)
{
	if (!p)
		return;
	alloc_free(malloc_enter(), p);
	ulib_unlock(&malloc_lock);
}

void *calloc(size_t n, size_t size)
{
	void *p = alloc_calloc(malloc_enter(), n, size);
	ulib_unlock(&malloc_lock);
	return p;
}

void *realloc(void *p, size_t size)
{
	void *q = alloc_realloc(malloc_enter(), p, size);
	ulib_unlock(&malloc_lock);
	return q;
}
