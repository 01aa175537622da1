/*
 * In-kernel tests of the frame allocator and the heap on the real machine's
 * memory map.
 */
#include "tests/kernel/ktest.h"
#include "mm/heap.h"
#include "mm/mem_init.h"
#include "mm/phys.h"
#include "lib/string.h"

/* Allocates every free frame (chaining them through their own first word),
 * checks each is new RAM outside the kernel, then frees them all. */
static int kt_pmm(void)
{
	size_t before = pmm_free_count(&kernel_pmm);
	paddr_t head = 0, f;
	size_t n = 0;
	while (pmm_alloc(&kernel_pmm, &f) == 0) {
		KT_ASSERT(f % PAGE_SIZE == 0);
		KT_ASSERT(f >= MiB(1));
		KT_ASSERT(f + PAGE_SIZE <= kernel_phys_start() || f >= kernel_phys_end());
		uint64_t *p = phys_to_virt(f);
		p[0] = head;
		p[1] =
		    f ^ 0x5a5a5a5a5a5a5a5aull; /* a check word: overlapping frames would break it */
		head = f;
		n++;
	}
	KT_ASSERT_EQ(n, before);
	KT_ASSERT_EQ(pmm_free_count(&kernel_pmm), 0);
	paddr_t dummy;
	KT_ASSERT(pmm_alloc_contig(&kernel_pmm, 1, PAGE_SIZE, &dummy) == -ERR_NOMEM);
	while (head) {
		uint64_t *p = phys_to_virt(head);
		KT_ASSERT_EQ(p[1], head ^ 0x5a5a5a5a5a5a5a5aull);
		paddr_t next = p[0];
		pmm_free(&kernel_pmm, head);
		head = next;
	}
	KT_ASSERT_EQ(pmm_free_count(&kernel_pmm), before);

	/* Contiguous and aligned: 2 MiB worth, 2 MiB aligned. */
	paddr_t big;
	KT_ASSERT(pmm_alloc_contig(&kernel_pmm, 512, LARGE_PAGE_SIZE, &big) == 0);
	KT_ASSERT(big % LARGE_PAGE_SIZE == 0);
	for (size_t i = 0; i < 512; i++)
		KT_ASSERT(pmm_is_used(&kernel_pmm, big + i * PAGE_SIZE));
	memset(phys_to_virt(big), 0xab, LARGE_PAGE_SIZE);
	pmm_free_contig(&kernel_pmm, big, 512);
	KT_ASSERT_EQ(pmm_free_count(&kernel_pmm), before);
	kprintf("KTEST info: %zu frames allocated and freed\n", n);
	return 0;
}

static int kt_heap(void)
{
	struct heap_stats s0, s1;
	size_t free0 = pmm_free_count(&kernel_pmm);
	kheap_stats(&s0);
	enum { N = 600 };
	static uint8_t *blocks[N];
	static size_t sizes[N];
	uint32_t seed = 12345;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		sizes[i] = 1 + (seed >> 8) % (i % 10 == 0 ? 20000 : 600);
		blocks[i] = kmalloc(sizes[i]);
		KT_ASSERT(blocks[i]);
		KT_ASSERT(((uintptr_t)blocks[i] & 15) == 0);
		memset(blocks[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < sizes[i]; j++)
			KT_ASSERT(blocks[i][j] == (uint8_t)(i & 0xff));
	for (int i = 0; i < N; i += 2)
		kfree(blocks[i]);
	for (int i = 1; i < N; i += 2)
		kfree(blocks[i]);
	kheap_stats(&s1);
	KT_ASSERT_EQ(s1.blocks_in_use, s0.blocks_in_use);
	KT_ASSERT_EQ(s1.bytes_in_use, s0.bytes_in_use);
	KT_ASSERT(kmalloc(0) == NULL);
	KT_ASSERT(kmalloc((size_t)-1) == NULL);
	/* Memory comes back (at most one cached empty slab per size class stays). */
	KT_ASSERT(free0 - pmm_free_count(&kernel_pmm) <= HEAP_NCLASSES);
	return 0;
}

/* Debug mode (on in test mode) must catch a double free: ends in a panic. */
static int kt_heap_double_free(void)
{
	void *p = kmalloc(100);
	KT_ASSERT(p);
	kfree(p);
	kfree(p);
	return -1; /* not reached when the heap catches it */
}

/* Debug mode catches a write after free when the block is handed out again. */
static int kt_heap_use_after_free(void)
{
	void *neighbour = kmalloc(64); /* keeps the slab alive after p is freed */
	volatile uint8_t *p = kmalloc(64);
	KT_ASSERT(neighbour && p);
	kfree((void *)p);
	p[8] = 0x42;
	for (int i = 0; i < 1000; i++)
		kmalloc(64);
	return -1;
}

const struct ktest ktests_mm[] = {
    {"pmm", kt_pmm},
    {"heap", kt_heap},
    {"heap_double_free", kt_heap_double_free},
    {"heap_use_after_free", kt_heap_use_after_free},
    {NULL, NULL},
};
