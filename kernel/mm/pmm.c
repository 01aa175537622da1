/*
 * Physical frame allocator (see pmm.h for the interface).
 *
 * Owns two bitmaps over frames [0, nframes), stored back to back in the
 * caller's storage (pmm_bitmap_bytes() counts both):
 *  - the used map (p->bitmap): bit set = allocated, reserved or not RAM;
 *  - the RAM map (just after it): bit set = the frame was added with
 *    pmm_add_range(). It lets pmm_add_range() be idempotent (adding a range
 *    twice, or overlapping ranges, never frees an allocated or reserved frame
 *    again and never counts a frame twice) and lets pmm_free() reject frames
 *    that were never RAM.
 * Plus the hot stack: frames freed one at a time are pushed there and
 * pmm_alloc() pops them first (LIFO, likely still in the cache). Entries are
 * deleted lazily: contiguous allocation and reservation do not search the
 * stack, so an entry whose used bit is set again when popped is skipped, and a
 * frame may appear more than once. The used map alone decides what is free.
 *
 * Invariants (all guarded by p->lock):
 *  - a frame that is not RAM has its used bit set; so do the padding bits past
 *    nframes in the last word, which keeps every search inside the range;
 *  - free_frames == clear bits in the used map; usable_frames == set bits in
 *    the RAM map;
 *  - every hot-stack entry is a RAM frame inside the range.
 *
 * Callers add all RAM first and reserve afterwards (pmm_setup does): a frame
 * reserved before it is added becomes free when it is added.
 *
 * Locking: every public function takes p->lock with interrupts disabled. A
 * panic releases the lock first, so the hosted tests can go on using the
 * allocator after a caught panic. This file never calls another allocator.
 */
#include "mm/pmm.h"
#include "debug/panic.h"

#define PMM_WORD_BITS 64
#define PMM_ALL_USED  (~(uint64_t)0)

static size_t pmm_words(size_t nframes)
{
	return nframes / PMM_WORD_BITS + (nframes % PMM_WORD_BITS != 0);
}

static uint64_t *pmm_ram_map(struct pmm *p)
{
	return p->bitmap + pmm_words(p->nframes);
}

static bool pmm_test(const uint64_t *map, size_t idx)
{
	return (map[idx / PMM_WORD_BITS] >> (idx % PMM_WORD_BITS)) & 1;
}

/* Bits of word w that fall inside frames [first, end); the word must overlap the range. */
static uint64_t pmm_word_mask(size_t w, size_t first, size_t end)
{
	size_t lo = w * PMM_WORD_BITS;
	size_t a = MAX(first, lo) - lo;
	size_t b = MIN(end, lo + PMM_WORD_BITS) - lo;
	if (b - a == PMM_WORD_BITS)
		return PMM_ALL_USED;
	return (((uint64_t)1 << (b - a)) - 1) << a;
}

/* First frame >= from whose used bit is clear, or nframes. Caller holds the lock. */
static size_t pmm_find_clear(struct pmm *p, size_t from)
{
	size_t nwords = pmm_words(p->nframes);
	if (from >= p->nframes)
		return p->nframes;
	size_t w = from / PMM_WORD_BITS;
	uint64_t x = ~p->bitmap[w] & (PMM_ALL_USED << (from % PMM_WORD_BITS));
	while (!x) {
		if (++w == nwords)
			return p->nframes;
		x = ~p->bitmap[w];
	}
	/* Padding bits are set, so the result is below nframes; MIN is belt and braces. */
	return MIN(w * PMM_WORD_BITS + (size_t)__builtin_ctzll(x), p->nframes);
}

/* First frame in [from, end) whose used bit is set, or end. Caller holds the lock. */
static size_t pmm_find_used(struct pmm *p, size_t from, size_t end)
{
	if (from >= end)
		return end;
	size_t w = from / PMM_WORD_BITS;
	uint64_t x = p->bitmap[w] & (PMM_ALL_USED << (from % PMM_WORD_BITS));
	while (!x) {
		if ((++w) * PMM_WORD_BITS >= end)
			return end;
		x = p->bitmap[w];
	}
	return MIN(w * PMM_WORD_BITS + (size_t)__builtin_ctzll(x), end);
}

size_t pmm_bitmap_bytes(size_t nframes)
{
	return 2 * pmm_words(nframes) * sizeof(uint64_t);
}

void pmm_init(struct pmm *p, uint64_t *storage, size_t nframes)
{
	spin_init(&p->lock, "pmm");
	p->bitmap = storage;
	p->nframes = nframes;
	p->free_frames = 0;
	p->usable_frames = 0;
	p->search_hint = 0;
	p->hot_count = 0;
	size_t nwords = pmm_words(nframes);
	uint64_t *ram = pmm_ram_map(p);
	for (size_t w = 0; w < nwords; w++) {
		p->bitmap[w] = PMM_ALL_USED;
		ram[w] = 0;
	}
}

/* Frame index of the first byte at or above addr, saturating. */
static uint64_t pmm_frame_up(uint64_t addr)
{
	return addr / PAGE_SIZE + (addr % PAGE_SIZE != 0);
}

/* base + len without wrapping around (ranges from firmware are not trusted to fit). */
static uint64_t pmm_range_end(paddr_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

void pmm_add_range(struct pmm *p, paddr_t base, uint64_t len)
{
	/* Round inward: only frames entirely inside the range are RAM. */
	uint64_t first = pmm_frame_up(base);
	uint64_t end = pmm_range_end(base, len) / PAGE_SIZE;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	end = MIN(end, (uint64_t)p->nframes);
	uint64_t *ram = pmm_ram_map(p);
	for (size_t w = first / PMM_WORD_BITS; first < end && w * PMM_WORD_BITS < end; w++) {
		uint64_t fresh = pmm_word_mask(w, first, end) & ~ram[w];
		/* A frame that was not RAM had its used bit set; it is free now. */
		ram[w] |= fresh;
		p->bitmap[w] &= ~fresh;
		size_t n = (size_t)__builtin_popcountll(fresh);
		p->usable_frames += n;
		p->free_frames += n;
	}
	spin_unlock_irqrestore(&p->lock, f);
}

void pmm_reserve_range(struct pmm *p, paddr_t base, uint64_t len)
{
	/* Round outward: every frame the range touches is reserved. */
	uint64_t first = base / PAGE_SIZE;
	uint64_t end = len ? pmm_frame_up(pmm_range_end(base, len)) : first;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	end = MIN(end, (uint64_t)p->nframes);
	for (size_t w = first / PMM_WORD_BITS; first < end && w * PMM_WORD_BITS < end; w++) {
		uint64_t newly = pmm_word_mask(w, first, end) & ~p->bitmap[w];
		p->bitmap[w] |= newly;
		p->free_frames -= (size_t)__builtin_popcountll(newly);
	}
	spin_unlock_irqrestore(&p->lock, f);
}

int pmm_alloc(struct pmm *p, paddr_t *out)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	/* Hot stack first; skip entries a contiguous allocation or a reservation took. */
	while (p->hot_count > 0) {
		paddr_t frame = p->hot[--p->hot_count];
		size_t idx = frame / PAGE_SIZE;
		if (!pmm_test(p->bitmap, idx)) {
			p->bitmap[idx / PMM_WORD_BITS] |= (uint64_t)1 << (idx % PMM_WORD_BITS);
			p->free_frames--;
			spin_unlock_irqrestore(&p->lock, f);
			*out = frame;
			return 0;
		}
	}
	if (p->free_frames == 0) {
		spin_unlock_irqrestore(&p->lock, f);
		return -ERR_NOMEM;
	}
	/* Some word has a clear bit: scan from the hint, wrapping around once. */
	size_t nwords = pmm_words(p->nframes);
	size_t w = p->search_hint < nwords ? p->search_hint : 0;
	for (size_t i = 0; i < nwords && p->bitmap[w] == PMM_ALL_USED; i++)
		w = w + 1 == nwords ? 0 : w + 1;
	uint64_t clear = ~p->bitmap[w];
	KASSERT(clear != 0); /* free_frames > 0 promised a clear bit */
	size_t idx = w * PMM_WORD_BITS + (size_t)__builtin_ctzll(clear);
	p->bitmap[w] |= clear & -clear;
	p->free_frames--;
	p->search_hint = w;
	spin_unlock_irqrestore(&p->lock, f);
	*out = (paddr_t)idx * PAGE_SIZE;
	return 0;
}

int pmm_alloc_contig(struct pmm *p, size_t count, size_t align, paddr_t *out)
{
	if (count == 0 || align < PAGE_SIZE || (align & (align - 1)) != 0)
		return -ERR_INVAL;
	size_t step = align / PAGE_SIZE; /* a power of two */
	irqflags_t f = spin_lock_irqsave(&p->lock);
	size_t n = p->nframes;
	size_t s = 0;
	bool found = false;
	while (count <= p->free_frames) {
		s = pmm_find_clear(p, s);
		if (s >= n)
			break;
		/* s < n and step <= 2^52 here, so rounding up cannot wrap. */
		s = ALIGN_UP(s, step);
		if (s >= n || count > n - s)
			break;
		size_t used = pmm_find_used(p, s, s + count);
		if (used == s + count) {
			found = true;
			break;
		}
		s = used + 1; /* no run starting at or before `used` can fit */
	}
	if (!found) {
		spin_unlock_irqrestore(&p->lock, f);
		return -ERR_NOMEM;
	}
	for (size_t w = s / PMM_WORD_BITS; w * PMM_WORD_BITS < s + count; w++)
		p->bitmap[w] |= pmm_word_mask(w, s, s + count);
	p->free_frames -= count;
	spin_unlock_irqrestore(&p->lock, f);
	*out = (paddr_t)s * PAGE_SIZE;
	return 0;
}

/*
 * Checks that frames [idx, idx+count) starting at address base may be freed:
 * aligned, inside the range, RAM, and in use. On failure it releases the lock
 * and panics (a bad free is a kernel bug; the message names the frame).
 */
static void pmm_check_free(struct pmm *p, irqflags_t f, paddr_t base, size_t count)
{
	unsigned long long a = (unsigned long long)base;
	if (base % PAGE_SIZE != 0) {
		spin_unlock_irqrestore(&p->lock, f);
		panic("pmm: free of unaligned address 0x%llx", a);
	}
	size_t idx = base / PAGE_SIZE;
	if (base / PAGE_SIZE >= p->nframes || count > p->nframes - idx) {
		size_t n = p->nframes;
		spin_unlock_irqrestore(&p->lock, f);
		panic(
		    "pmm: free of frame 0x%llx (%zu frames) outside the managed range [0, 0x%llx)",
		    a, count, (unsigned long long)n * PAGE_SIZE);
	}
	const uint64_t *ram = pmm_ram_map(p);
	for (size_t i = idx; i < idx + count; i++) {
		unsigned long long fa = (unsigned long long)i * PAGE_SIZE;
		if (!pmm_test(ram, i)) {
			spin_unlock_irqrestore(&p->lock, f);
			panic("pmm: free of frame 0x%llx that is not RAM", fa);
		}
		if (!pmm_test(p->bitmap, i)) {
			spin_unlock_irqrestore(&p->lock, f);
			panic("pmm: double free of frame 0x%llx", fa);
		}
	}
}

void pmm_free(struct pmm *p, paddr_t frame)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	pmm_check_free(p, f, frame, 1);
	size_t idx = frame / PAGE_SIZE;
	size_t w = idx / PMM_WORD_BITS;
	p->bitmap[w] &= ~((uint64_t)1 << (idx % PMM_WORD_BITS));
	p->free_frames++;
	if (p->hot_count < PMM_HOT_MAX)
		p->hot[p->hot_count++] = frame;
	else if (w < p->search_hint)
		p->search_hint = w;
	spin_unlock_irqrestore(&p->lock, f);
}

void pmm_free_contig(struct pmm *p, paddr_t base, size_t count)
{
	if (count == 0)
		return;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	pmm_check_free(p, f, base, count);
	size_t s = base / PAGE_SIZE;
	for (size_t w = s / PMM_WORD_BITS; w * PMM_WORD_BITS < s + count; w++)
		p->bitmap[w] &= ~pmm_word_mask(w, s, s + count);
	p->free_frames += count;
	if (s / PMM_WORD_BITS < p->search_hint)
		p->search_hint = s / PMM_WORD_BITS;
	spin_unlock_irqrestore(&p->lock, f);
}

bool pmm_is_used(struct pmm *p, paddr_t frame)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	size_t idx = frame / PAGE_SIZE;
	bool used = frame / PAGE_SIZE >= p->nframes || pmm_test(p->bitmap, idx);
	spin_unlock_irqrestore(&p->lock, f);
	return used;
}

size_t pmm_free_count(struct pmm *p)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	size_t n = p->free_frames;
	spin_unlock_irqrestore(&p->lock, f);
	return n;
}

size_t pmm_usable_count(struct pmm *p)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	size_t n = p->usable_frames;
	spin_unlock_irqrestore(&p->lock, f);
	return n;
}
