/*
 * Split virtqueue walker and used-ring writer; the rules are in virtqueue.h.
 *
 * Ring layout (guest memory, little-endian):
 *   descriptors: struct virtq_desc[size]                       (align 16)
 *   available:   u16 flags, u16 idx, u16 ring[size], u16 used_event  (align 2)
 *   used:        u16 flags, u16 idx, struct virtq_used_elem ring[size],
 *                u16 avail_event                                 (align 4)
 * The whole of each area is bounds-checked once in virtq_enable(); after
 * that, offsets below `size` stay inside the checked areas. Guest RAM never
 * moves or shrinks while the VM runs, so the host views stay valid.
 *
 * The indices shared with the vCPUs are read and written with atomics:
 * avail->idx with acquire (the ring entries written before it are then
 * visible), used->idx with release (the used elements are visible first).
 */
#include <string.h>

#include <orbital/errors.h>

#include "virtio/virtqueue.h"

#define AVAIL_FLAGS   0
#define AVAIL_IDX     2
#define AVAIL_RING(i) (4 + 2 * (uint64_t)(i))
#define USED_FLAGS    0
#define USED_IDX      2
#define USED_RING(i)  (4 + 8 * (uint64_t)(i))

static uint64_t desc_bytes(uint16_t size)
{
	return 16 * (uint64_t)size;
}

static uint64_t avail_bytes(uint16_t size)
{
	return 6 + 2 * (uint64_t)size;
}

static uint64_t used_bytes(uint16_t size)
{
	return 6 + 8 * (uint64_t)size;
}

/* Whether [a, a+alen) and [b, b+blen) share a byte (both inside RAM, no overflow). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

int virtq_enable(struct virtq *q, const struct guest_mem *mem)
{
	q->ready = false;
	if (q->size == 0 || q->size > VIRTQ_MAX_SIZE || (q->size & (q->size - 1)) != 0)
		return -ERR_INVAL;
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -ERR_INVAL;
	/* SAFETY: the bounds check of the three areas, each in full. */
	uint8_t *d = mem_ptr(mem, q->desc_gpa, desc_bytes(q->size));
	uint8_t *a = mem_ptr(mem, q->avail_gpa, avail_bytes(q->size));
	uint8_t *u = mem_ptr(mem, q->used_gpa, used_bytes(q->size));
	if (!d || !a || !u)
		return -ERR_FAULT;
	/* The device writes the used ring: it must not change the driver's areas. */
	if (overlap(q->used_gpa, used_bytes(q->size), q->desc_gpa, desc_bytes(q->size)) ||
	    overlap(q->used_gpa, used_bytes(q->size), q->avail_gpa, avail_bytes(q->size)))
		return -ERR_INVAL;
	q->mem = mem;
	q->desc = d;
	q->avail = a;
	q->used = u;
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
	return 0;
}

/* The u16 at byte offset `off` of a checked, 2-aligned ring area. */
static uint16_t *ring_u16(uint8_t *area, uint64_t off)
{
	return (uint16_t *)(void *)(area + off);
}

/* Copies descriptor i (< size, so inside the checked table) out of the guest. */
static void desc_read(const struct virtq *q, uint16_t i, struct virtq_desc *d)
{
	memcpy(d, q->desc + 16 * (uint64_t)i, sizeof(*d));
}

/*
 * Adds the copied descriptor d to chain c: direction order, byte limit,
 * bounds check of its buffer. `total` is the chain's byte count so far.
 */
static int chain_add(const struct virtq *q, const struct virtq_desc *d, struct virtq_chain *c,
		     uint64_t *total, bool *seen_write)
{
	bool is_write = d->flags & VIRTQ_DESC_F_WRITE;
	if (!is_write && *seen_write)
		return -ERR_FORMAT; /* readable after writable */
	*seen_write |= is_write;
	*total += d->len;
	if (*total > VIRTQ_MAX_CHAIN_BYTES)
		return -ERR_FORMAT;
	if (d->len == 0)
		return 0;
	if (c->n == VIRTQ_MAX_SIZE)
		return -ERR_FORMAT; /* more buffers than a chain may hold */
	/* SAFETY: the bounds check of one guest buffer. */
	uint8_t *p = mem_ptr(q->mem, d->addr, d->len);
	if (!p)
		return -ERR_FAULT;
	c->iov[c->n] = (struct virtq_iov){.host = p, .gpa = d->addr, .len = d->len};
	c->n++;
	if (is_write) {
		c->in_bytes += d->len;
	} else {
		c->n_out++;
		c->out_bytes += d->len;
	}
	return 0;
}

/*
 * Walks the indirect table that descriptor d points to (the chain's last
 * descriptor) into c: entries 0.. following `next` inside the table, at
 * most as many as the table holds. Each entry is copied once.
 */
static int table_walk(const struct virtq *q, const struct virtq_desc *d, struct virtq_chain *c,
		      uint64_t *total, bool *seen_write)
{
	if (!q->indirect || (d->flags & VIRTQ_DESC_F_NEXT) || d->len == 0 || d->len % 16 != 0 ||
	    d->len / 16 > VIRTQ_MAX_SIZE)
		return -ERR_FORMAT;
	uint32_t entries = d->len / 16;
	/* SAFETY: the bounds check of the whole table; entries are read inside it. */
	const uint8_t *table = mem_ptr(q->mem, d->addr, d->len);
	if (!table)
		return -ERR_FAULT;
	uint32_t i = 0;
	for (uint32_t count = 0;; count++) {
		struct virtq_desc e;
		if (count >= entries)
			return -ERR_FORMAT; /* some entry repeats: a loop */
		memcpy(&e, table + 16 * (uint64_t)i, sizeof(e));
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return -ERR_FORMAT; /* one level of tables only */
		int r = chain_add(q, &e, c, total, seen_write);
		if (r < 0)
			return r;
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (e.next >= entries)
			return -ERR_INVAL;
		i = e.next;
	}
}

/*
 * Walks the chain starting at `head` into c. Each descriptor is read once
 * into `d` and only that copy is used.
 */
static int chain_walk(const struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	uint16_t i = head;
	uint64_t total = 0;
	bool seen_write = false;

	c->n = 0;
	c->n_out = 0;
	c->out_bytes = 0;
	c->in_bytes = 0;
	for (unsigned count = 0;; count++) {
		struct virtq_desc d;

		/* More descriptors than the table holds: some index repeats. */
		if (count >= q->size)
			return -ERR_FORMAT;
		desc_read(q, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return table_walk(q, &d, c, &total, &seen_write);
		int r = chain_add(q, &d, c, &total, &seen_write);
		if (r < 0)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= q->size)
			return -ERR_INVAL;
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	c->head = VIRTQ_NO_HEAD;
	c->n = c->n_out = 0;
	c->out_bytes = c->in_bytes = 0;
	if (!q->ready)
		return 0;
	uint16_t avail_idx = __atomic_load_n(ring_u16(q->avail, AVAIL_IDX), __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->size)
		return -ERR_RANGE;
	uint16_t slot = q->last_avail & (q->size - 1);
	uint16_t head = __atomic_load_n(ring_u16(q->avail, AVAIL_RING(slot)), __ATOMIC_RELAXED);
	q->last_avail++;
	if (head >= q->size)
		return -ERR_INVAL;
	c->head = head;
	int r = chain_walk(q, head, c);
	if (r < 0) {
		c->n = c->n_out = 0;
		c->out_bytes = c->in_bytes = 0;
		return r;
	}
	return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	if (!q->ready)
		return;
	uint16_t slot = q->used_idx & (q->size - 1);
	struct virtq_used_elem e = {.id = head, .len = len};
	memcpy(q->used + USED_RING(slot), &e, sizeof(e));
	q->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	__atomic_store_n(ring_u16(q->used, USED_IDX), q->used_idx, __ATOMIC_RELEASE);
}

bool virtq_has_pending(const struct virtq *q)
{
	if (!q->ready)
		return false;
	uint16_t avail_idx = __atomic_load_n(ring_u16(q->avail, AVAIL_IDX), __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	return pending != 0 && pending <= q->size;
}

bool virtq_should_interrupt(const struct virtq *q)
{
	if (!q->ready)
		return false;
	/* The used index store must be ordered before this flags load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t flags = __atomic_load_n(ring_u16(q->avail, AVAIL_FLAGS), __ATOMIC_RELAXED);
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/*
 * Copies between [off, off+len) of the part iov[first..last) and buf;
 * to_guest picks the direction. The part's total is `part_bytes`.
 */
static int chain_copy(const struct virtq_chain *c, unsigned first, unsigned last,
		      uint64_t part_bytes, uint64_t off, uint8_t *buf, uint64_t len, bool to_guest)
{
	if (off > part_bytes || len > part_bytes - off)
		return -ERR_RANGE;
	for (unsigned i = first; i < last && len > 0; i++) {
		const struct virtq_iov *v = &c->iov[i];
		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		uint64_t n = v->len - off;
		if (n > len)
			n = len;
		/* SAFETY: [off, off+n) lies inside this iov, checked by virtq_pop. */
		if (to_guest)
			memcpy(v->host + off, buf, n);
		else
			memcpy(buf, v->host + off, n);
		buf += n;
		len -= n;
		off = 0;
	}
	return 0;
}

int virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, uint64_t len)
{
	return chain_copy(c, 0, c->n_out, c->out_bytes, off, dst, len, false);
}

int virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, uint64_t len)
{
	return chain_copy(c, c->n_out, c->n, c->in_bytes, off, (uint8_t *)(uintptr_t)src, len,
			  true);
}
