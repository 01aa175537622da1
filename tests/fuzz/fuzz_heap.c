/*
 * libFuzzer target for kernel/mm/heap.c.
 *
 * The input is a program of 3-byte operations on a debug-mode heap with 64
 * block slots: allocate or zero-allocate a size in 0..9215 (sizes past 2048
 * take the large-block path), or free a slot. A model of the live blocks
 * checks, after every operation, that blocks are 16-byte aligned, that their
 * fill patterns survived (no overlap, no heap metadata in live blocks), that
 * zalloc zeroed, and that the statistics are exact; at the end everything is
 * freed and every page must have gone back to the page provider. Any mismatch
 * or unexpected panic aborts, which libFuzzer reports as a crash.
 *
 * Built by tests/fuzz/fuzz.mk (`make fuzz`) into build/fuzz/fuzz_heap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/heap.h"

#define SLOTS 64

static size_t live_pages;

static void *fz_alloc_pages(void *ctx, size_t n)
{
	(void)ctx;
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	if (p) {
		memset(p, 0xee, n * PAGE_SIZE);
		live_pages += n;
	}
	return p;
}

static void fz_free_pages(void *ctx, void *p, size_t n)
{
	(void)ctx;
	live_pages -= n;
	free(p);
}

static const struct heap_page_ops fz_ops = {fz_alloc_pages, fz_free_pages, NULL};

static void require(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_heap: %s\n", what);
		abort();
	}
}

static uint8_t pattern(size_t slot, size_t i)
{
	return (uint8_t)(slot * 31 + i * 7 + 1);
}

static void check_block(const uint8_t *b, size_t size, size_t slot)
{
	for (size_t i = 0; i < size; i++)
		require(b[i] == pattern(slot, i), "live block clobbered");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct heap h;
	uint8_t *blk[SLOTS] = {0};
	size_t sz[SLOTS] = {0};
	size_t live = 0, bytes = 0;
	heap_init(&h, &fz_ops, true);

	for (size_t at = 0; at + 3 <= len; at += 3) {
		uint8_t op = data[at], a = data[at + 1], b = data[at + 2];
		size_t slot = op % SLOTS;
		if (op & 0x80) {
			if (!blk[slot])
				continue;
			check_block(blk[slot], sz[slot], slot);
			heap_free(&h, blk[slot]);
			blk[slot] = NULL;
			live--;
			bytes -= sz[slot];
		} else {
			if (blk[slot])
				continue;
			size_t size = ((size_t)a << 8 | b) % 9216;
			bool zero = op & 0x40;
			uint8_t *p = zero ? heap_zalloc(&h, size) : heap_alloc(&h, size);
			if (size == 0) {
				require(p == NULL, "size 0 gave a block");
				continue;
			}
			require(p != NULL, "allocation failed");
			require((uintptr_t)p % 16 == 0, "block not 16-byte aligned");
			require(heap_block_size(&h, p) >= size, "usable size too small");
			for (size_t i = 0; zero && i < size; i++)
				require(p[i] == 0, "zalloc block not zeroed");
			for (size_t i = 0; i < size; i++)
				p[i] = pattern(slot, i);
			blk[slot] = p;
			sz[slot] = size;
			live++;
			bytes += size;
		}
		struct heap_stats st;
		heap_get_stats(&h, &st);
		require(st.blocks_in_use == live, "blocks_in_use wrong");
		require(st.bytes_in_use == bytes, "bytes_in_use wrong");
		require(st.pages_held == live_pages, "pages_held wrong");
	}
	for (size_t s = 0; s < SLOTS; s++) {
		if (blk[s]) {
			check_block(blk[s], sz[s], s);
			heap_free(&h, blk[s]);
		}
	}
	struct heap_stats st;
	heap_get_stats(&h, &st);
	require(st.blocks_in_use == 0 && st.bytes_in_use == 0, "stats not zero at the end");
	require(st.pages_held == 0 && live_pages == 0, "pages not all returned");
	return 0;
}
