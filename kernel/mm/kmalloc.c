/*
 * The kernel heap instance: a struct heap whose pages come from kernel_pmm
 * through the direct map.
 */
#include "mm/heap.h"
#include "mm/mem_init.h"
#include "mm/phys.h"

static struct heap kernel_heap;

static void *kheap_alloc_pages(void *ctx, size_t n)
{
	paddr_t pa;
	(void)ctx;
	int err =
	    n == 1 ? pmm_alloc(&kernel_pmm, &pa) : pmm_alloc_contig(&kernel_pmm, n, PAGE_SIZE, &pa);
	if (err)
		return NULL;
	return phys_to_virt(pa);
}

static void kheap_free_pages(void *ctx, void *p, size_t n)
{
	(void)ctx;
	if (n == 1)
		pmm_free(&kernel_pmm, virt_to_phys(p));
	else
		pmm_free_contig(&kernel_pmm, virt_to_phys(p), n);
}

static const struct heap_page_ops kheap_ops = {
    .alloc_pages = kheap_alloc_pages,
    .free_pages = kheap_free_pages,
};

void kheap_setup(bool debug)
{
	heap_init(&kernel_heap, &kheap_ops, debug);
}

void *kmalloc(size_t size)
{
	return heap_alloc(&kernel_heap, size);
}

void *kzalloc(size_t size)
{
	return heap_zalloc(&kernel_heap, size);
}

void kfree(void *p)
{
	heap_free(&kernel_heap, p);
}

void kheap_stats(struct heap_stats *out)
{
	heap_get_stats(&kernel_heap, out);
}
