/*
 * Kernel heap: slab caches for small blocks, whole pages for large ones (see
 * heap.h for the interface). kmalloc.c owns the kernel's instance.
 *
 * Every page the heap holds starts with a header whose first word is a magic
 * number, so heap_free() finds the header by rounding the pointer down to its
 * page and can tell a slab from a large block from garbage:
 *
 *  slab page:   [struct slab][size table][pad to 16][obj 0][obj 1]...[obj n-1]
 *  large block: [struct heap_large][pad to 16][block ......................]
 *
 * A slab serves one power-of-two class (16..2048 bytes). Its header holds the
 * class, the object count, the free count and an allocation bitmap (bit set =
 * object live); the bitmap is also the free list: allocation takes the lowest
 * clear bit (at most four 64-bit words to scan), so freed objects keep no link
 * inside them, the whole object can be poisoned, and a write after free cannot
 * corrupt heap metadata. The size table after the header records each live
 * object's requested size (one byte, size-1, for classes up to 256; two bytes
 * above), so stats.bytes_in_use is exact.
 *
 * Slab lists: h->partial[c] links, doubly, the slabs of class c that have at
 * least one free object; full slabs are on no list. A slab that becomes empty
 * goes straight back to ops->free_pages (no empty slab is cached): the heap
 * then holds no page it does not use, so leak checks that count free frames
 * work, and the frame allocator's hot stack makes the round trip cheap.
 *
 * Debug mode: fresh slab objects and freed objects are filled with
 * HEAP_POISON, and an object is checked to still hold it when handed out
 * again; freed large blocks and released slabs are poisoned too (their pages
 * leave the heap, so that only helps stale readers notice).
 *
 * Invariants (guarded by h->lock): the slabs on partial[c] are exactly the
 * slabs of class c with 0 < nfree < nobjs (empty slabs are released at once);
 * stats.pages_held == pages obtained from ops and not yet given back;
 * stats.blocks_in_use / bytes_in_use == live blocks / their requested sizes.
 *
 * Locking: every public function takes h->lock with interrupts disabled and
 * calls ops->alloc_pages/free_pages with it held, so the lock order is
 * heap.lock before the page provider's lock (kernel_pmm.lock); page_ops must
 * never call back into this heap. Panics release the lock first.
 *
 * Trust: heap_free() and heap_block_size() read the first bytes of the page
 * the pointer falls in. For a pointer into a heap block that page is the
 * block's own header page (or, for a later page of a large block, block data,
 * which fails the magic check); a wild pointer into an unmapped page faults
 * there, as any use of it would. A header is believed only when its magic
 * matches and its owner is this heap. Sizes come from kernel callers, possibly
 * computed from user input, so all size arithmetic is overflow-checked.
 *
 * Note: a 2048-byte slab holds one object (the header shares the page), so
 * that class costs a whole page per block, like a small large block would.
 */
#include "mm/heap.h"
#include "debug/panic.h"
#include "lib/string.h"

#define HEAP_SLAB_MAGIC	 0x534c4142u /* "SLAB" */
#define HEAP_LARGE_MAGIC 0x4c524745u /* "LRGE" */
#define HEAP_DEAD_MAGIC	 0x44454144u /* "DEAD": the page went back to page_ops */
#define HEAP_ALIGN	 16
#define HEAP_MAP_WORDS	 4 /* enough for the 16-byte class: < 256 objects */

struct slab {
	uint32_t magic;
	uint16_t cls;	  /* class index: object size is 16 << cls */
	uint16_t nobjs;	  /* object slots in this page */
	uint16_t nfree;	  /* clear bits among the first nobjs of used[] */
	uint16_t obj_off; /* offset of object 0 from the page start */
	struct heap *owner;
	struct slab *next; /* partial list links (guarded by owner->lock) */
	struct slab *prev;
	uint64_t used[HEAP_MAP_WORDS]; /* bit set = live; bits >= nobjs stay set */
};

struct heap_large {
	uint32_t magic;
	uint32_t reserved;
	size_t pages; /* pages obtained for this block */
	size_t size;  /* requested size */
	struct heap *owner;
};

#define HEAP_LARGE_OFF ALIGN_UP(sizeof(struct heap_large), (size_t)HEAP_ALIGN)

_Static_assert(sizeof(struct slab) % 8 == 0, "size table must start 8-byte aligned");
_Static_assert(HEAP_LARGE_OFF < PAGE_SIZE, "large header fits in a page");

static size_t heap_class_size(unsigned cls)
{
	return (size_t)1 << (cls + HEAP_MIN_CLASS_SHIFT);
}

/* Bytes of size-table entry per object: requested sizes up to 256 fit in one byte as size-1. */
static size_t heap_size_width(unsigned cls)
{
	return heap_class_size(cls) <= 256 ? 1 : 2;
}

/* Smallest class holding size (1 <= size <= HEAP_MAX_SMALL). */
static unsigned heap_class_of(size_t size)
{
	if (size <= ((size_t)1 << HEAP_MIN_CLASS_SHIFT))
		return 0;
	unsigned shift = 64 - (unsigned)__builtin_clzll((unsigned long long)size - 1);
	return shift - HEAP_MIN_CLASS_SHIFT;
}

/* How many objects of class cls fit in one page, and where the first starts. */
static void heap_slab_geometry(unsigned cls, uint16_t *nobjs, uint16_t *obj_off)
{
	size_t sz = heap_class_size(cls), w = heap_size_width(cls);
	size_t n = (PAGE_SIZE - sizeof(struct slab)) / (sz + w);
	while (ALIGN_UP(sizeof(struct slab) + n * w, (size_t)HEAP_ALIGN) + n * sz > PAGE_SIZE)
		n--;
	KASSERT(n >= 1 && n <= HEAP_MAP_WORDS * 64);
	*nobjs = (uint16_t)n;
	*obj_off = (uint16_t)ALIGN_UP(sizeof(struct slab) + n * w, (size_t)HEAP_ALIGN);
}

static uint8_t *heap_slab_obj(struct slab *s, size_t i)
{
	return (uint8_t *)s + s->obj_off + i * heap_class_size(s->cls);
}

static void heap_slab_set_size(struct slab *s, size_t i, size_t size)
{
	uint8_t *table = (uint8_t *)(s + 1);
	if (heap_size_width(s->cls) == 1)
		table[i] = (uint8_t)(size - 1);
	else
		((uint16_t *)table)[i] = (uint16_t)size;
}

static size_t heap_slab_get_size(struct slab *s, size_t i)
{
	const uint8_t *table = (const uint8_t *)(s + 1);
	if (heap_size_width(s->cls) == 1)
		return (size_t)table[i] + 1;
	return ((const uint16_t *)table)[i];
}

static void heap_list_push(struct heap *h, struct slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static void heap_list_remove(struct heap *h, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

void heap_init(struct heap *h, const struct heap_page_ops *ops, bool debug)
{
	spin_init(&h->lock, "heap");
	h->ops = ops;
	h->debug = debug;
	for (size_t c = 0; c < HEAP_NCLASSES; c++)
		h->partial[c] = NULL;
	memset(&h->stats, 0, sizeof(h->stats));
}

/* Gets a page from ops and makes it an empty slab of class cls on the partial list. */
static struct slab *heap_slab_new(struct heap *h, unsigned cls)
{
	struct slab *s = h->ops->alloc_pages(h->ops->ctx, 1);
	if (!s)
		return NULL;
	h->stats.pages_held++;
	s->magic = HEAP_SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	heap_slab_geometry(cls, &s->nobjs, &s->obj_off);
	s->nfree = s->nobjs;
	s->owner = h;
	for (size_t w = 0; w < HEAP_MAP_WORDS; w++) {
		size_t lo = w * 64;
		if (s->nobjs >= lo + 64)
			s->used[w] = 0;
		else if (s->nobjs <= lo)
			s->used[w] = ~(uint64_t)0;
		else
			s->used[w] = ~(uint64_t)0 << (s->nobjs - lo);
	}
	if (h->debug)
		memset(heap_slab_obj(s, 0), HEAP_POISON, (size_t)s->nobjs * heap_class_size(cls));
	heap_list_push(h, s);
	return s;
}

/* Checks a free object still holds the poison; panics (lock released) if not. */
static void heap_check_poison(struct heap *h, irqflags_t f, const uint8_t *obj, size_t size,
			      size_t class_size)
{
	for (size_t i = 0; i < size; i++) {
		if (obj[i] != HEAP_POISON) {
			spin_unlock_irqrestore(&h->lock, f);
			panic("heap: write after free at 0x%llx (class %zu)",
			      (unsigned long long)(uintptr_t)(obj + i), class_size);
		}
	}
}

static void *heap_alloc_small(struct heap *h, irqflags_t f, size_t size)
{
	unsigned cls = heap_class_of(size);
	struct slab *s = h->partial[cls];
	if (!s && !(s = heap_slab_new(h, cls)))
		return NULL;
	size_t w = 0;
	while (s->used[w] == ~(uint64_t)0)
		w++; /* a slab on the partial list has a clear bit among its first nobjs */
	size_t i = w * 64 + (size_t)__builtin_ctzll(~s->used[w]);
	KASSERT(w < HEAP_MAP_WORDS && i < s->nobjs);
	uint8_t *obj = heap_slab_obj(s, i);
	size_t csize = heap_class_size(cls);
	if (h->debug)
		heap_check_poison(h, f, obj, csize, csize);
	s->used[w] |= (uint64_t)1 << (i % 64);
	heap_slab_set_size(s, i, size);
	if (--s->nfree == 0)
		heap_list_remove(h, s);
	return obj;
}

static void *heap_alloc_large(struct heap *h, size_t size)
{
	/* Overflow check before rounding: size + header + PAGE_SIZE - 1 must not wrap. */
	if (size > SIZE_MAX - HEAP_LARGE_OFF - PAGE_SIZE)
		return NULL;
	size_t pages = (size + HEAP_LARGE_OFF + PAGE_SIZE - 1) / PAGE_SIZE;
	struct heap_large *l = h->ops->alloc_pages(h->ops->ctx, pages);
	if (!l)
		return NULL;
	h->stats.pages_held += pages;
	l->magic = HEAP_LARGE_MAGIC;
	l->reserved = 0;
	l->pages = pages;
	l->size = size;
	l->owner = h;
	return (uint8_t *)l + HEAP_LARGE_OFF;
}

void *heap_alloc(struct heap *h, size_t size)
{
	if (size == 0)
		return NULL;
	irqflags_t f = spin_lock_irqsave(&h->lock);
	void *p = size <= HEAP_MAX_SMALL ? heap_alloc_small(h, f, size) : heap_alloc_large(h, size);
	if (p) {
		h->stats.bytes_in_use += size;
		h->stats.blocks_in_use++;
		h->stats.allocs++;
	}
	spin_unlock_irqrestore(&h->lock, f);
	return p;
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);
	if (p)
		memset(p, 0, size);
	return p;
}

/* What heap_find() learnt about a live block. */
struct heap_block {
	struct slab *slab;	  /* the block's slab, or NULL for a large block */
	struct heap_large *large; /* the large header, or NULL */
	size_t index;		  /* object index in the slab */
};

/*
 * Finds the header of the live block that starts at p, or releases the lock and
 * panics: p must be exactly what heap_alloc returned, still live, from this heap.
 */
static struct heap_block heap_find(struct heap *h, irqflags_t f, void *p, bool freeing)
{
	const char *what = freeing ? "free" : "size query";
	const char *gone = freeing ? "double free" : "size query of freed block";
	unsigned long long a = (unsigned long long)(uintptr_t)p;
	uintptr_t page = ALIGN_DOWN((uintptr_t)p, (uintptr_t)PAGE_SIZE);
	size_t off = (uintptr_t)p - page;
	uint32_t magic = *(const uint32_t *)page;
	struct heap_block b = {NULL, NULL, 0};

	if (magic == HEAP_SLAB_MAGIC && ((struct slab *)page)->owner == h) {
		/* The header is ours, so cls, obj_off and nobjs can be trusted. */
		struct slab *s = (struct slab *)page;
		size_t csize = heap_class_size(s->cls);
		size_t i = (off - s->obj_off) / csize;
		if (off < s->obj_off || (off - s->obj_off) % csize != 0 || i >= s->nobjs) {
			spin_unlock_irqrestore(&h->lock, f);
			panic("heap: invalid %s of 0x%llx: not an object start (class %zu)", what,
			      a, csize);
		}
		if (!((s->used[i / 64] >> (i % 64)) & 1)) {
			spin_unlock_irqrestore(&h->lock, f);
			panic("heap: %s of 0x%llx (class %zu)", gone, a, csize);
		}
		b.slab = s;
		b.index = i;
		return b;
	}
	if (magic == HEAP_LARGE_MAGIC && ((struct heap_large *)page)->owner == h) {
		if (off != HEAP_LARGE_OFF) {
			spin_unlock_irqrestore(&h->lock, f);
			panic("heap: invalid %s of 0x%llx: not the start of a large block", what,
			      a);
		}
		b.large = (struct heap_large *)page;
		return b;
	}
	spin_unlock_irqrestore(&h->lock, f);
	if (magic == HEAP_SLAB_MAGIC || magic == HEAP_LARGE_MAGIC)
		panic("heap: invalid %s of 0x%llx: block of another heap", what, a);
	if (magic == HEAP_DEAD_MAGIC)
		panic("heap: %s of 0x%llx (its page was already released)", gone, a);
	panic("heap: invalid %s of 0x%llx: not a heap block", what, a);
}

/* Gives an empty slab's page back. */
static void heap_slab_release(struct heap *h, struct slab *s)
{
	heap_list_remove(h, s);
	if (h->debug)
		memset(s + 1, HEAP_POISON, PAGE_SIZE - sizeof(*s));
	s->magic = HEAP_DEAD_MAGIC;
	h->stats.pages_held--;
	h->ops->free_pages(h->ops->ctx, s, 1);
}

void heap_free(struct heap *h, void *p)
{
	if (!p)
		return;
	irqflags_t f = spin_lock_irqsave(&h->lock);
	struct heap_block b = heap_find(h, f, p, true);
	size_t size;
	if (b.slab) {
		struct slab *s = b.slab;
		size = heap_slab_get_size(s, b.index);
		s->used[b.index / 64] &= ~((uint64_t)1 << (b.index % 64));
		if (h->debug)
			memset(p, HEAP_POISON, heap_class_size(s->cls));
		if (s->nfree++ == 0)
			heap_list_push(h, s);
		if (s->nfree == s->nobjs)
			heap_slab_release(h, s);
	} else {
		struct heap_large *l = b.large;
		size_t pages = l->pages;
		size = l->size;
		if (h->debug)
			memset(p, HEAP_POISON, pages * PAGE_SIZE - HEAP_LARGE_OFF);
		l->magic = HEAP_DEAD_MAGIC;
		h->stats.pages_held -= pages;
		h->ops->free_pages(h->ops->ctx, l, pages);
	}
	h->stats.bytes_in_use -= size;
	h->stats.blocks_in_use--;
	h->stats.frees++;
	spin_unlock_irqrestore(&h->lock, f);
}

size_t heap_block_size(struct heap *h, void *p)
{
	if (!p)
		return 0;
	irqflags_t f = spin_lock_irqsave(&h->lock);
	struct heap_block b = heap_find(h, f, p, false);
	size_t n =
	    b.slab ? heap_class_size(b.slab->cls) : b.large->pages * PAGE_SIZE - HEAP_LARGE_OFF;
	spin_unlock_irqrestore(&h->lock, f);
	return n;
}

void heap_get_stats(struct heap *h, struct heap_stats *out)
{
	irqflags_t f = spin_lock_irqsave(&h->lock);
	*out = h->stats;
	spin_unlock_irqrestore(&h->lock, f);
}
