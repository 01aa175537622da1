/*
 * Device registration and access dispatch; see bus.h (the locking of
 * movable ranges is described there).
 *
 * Trust boundary: addresses, lengths and data come from the guest (through
 * KVM's exit information). Lookups compare with subtraction so that no
 * guest-chosen value can overflow, and only accesses that lie wholly inside
 * one registered range reach a device.
 */
#include <sched.h>
#include <string.h>

#include "bus.h"
#include "err.h"

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	for (int s = 0; s < 2; s++) {
		atomic_init(&b->unknown[s], 0);
		atomic_init(&b->nmovable[s], 0);
		atomic_init(&b->seq[s], 0);
		for (unsigned i = 0; i < BUS_MAX_MOVABLE; i++) {
			atomic_init(&b->movable[s][i].base, 0);
			atomic_init(&b->movable[s][i].len, 0);
		}
	}
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

bool bus_overlaps_fixed(const struct bus *b, enum bus_space space, uint64_t base, uint64_t len)
{
	if (len && base + len < base)
		return true; /* wraps: treated as overlapping everything */
	for (unsigned i = 0; i < b->count[space]; i++) {
		const struct bus_range *r = &b->ranges[space][i];
		if (overlaps(base, len, r->base, r->len))
			return true;
	}
	return false;
}

int bus_register(struct bus *b, enum bus_space space, uint64_t base, uint64_t len,
		 bus_handler_fn fn, void *ctx, const char *name)
{
	if (len == 0 || base + len < base || !fn)
		return err_set(ERR_INVAL, "bad bus range for %s", name);
	for (unsigned i = 0; i < b->count[space]; i++) {
		const struct bus_range *r = &b->ranges[space][i];
		if (overlaps(base, len, r->base, r->len))
			return err_set(ERR_EXIST, "%s overlaps %s at 0x%llx", name, r->name,
				       (unsigned long long)r->base);
	}
	if (b->count[space] == BUS_MAX_DEVICES)
		return err_set(ERR_NOSPACE, "too many devices (registering %s)", name);
	b->ranges[space][b->count[space]++] =
	    (struct bus_range){.base = base, .len = len, .fn = fn, .ctx = ctx, .name = name};
	return 0;
}

int bus_add_movable(struct bus *b, enum bus_space space, bus_handler_fn fn, void *ctx,
		    const char *name)
{
	if (!fn)
		return err_set(ERR_INVAL, "no handler for %s", name);
	unsigned n = atomic_load(&b->nmovable[space]);
	if (n == BUS_MAX_MOVABLE)
		return err_set(ERR_NOSPACE, "too many movable ranges (adding %s)", name);
	struct bus_movable *m = &b->movable[space][n];
	m->fn = fn;
	m->ctx = ctx;
	m->name = name;
	atomic_store_explicit(&m->len, 0, memory_order_relaxed);
	atomic_store_explicit(&b->nmovable[space], n + 1, memory_order_release);
	return (int)n;
}

bool bus_move(struct bus *b, enum bus_space space, int id, uint64_t base, uint64_t len)
{
	if (id < 0 || (unsigned)id >= atomic_load(&b->nmovable[space]))
		return false;
	if (base + len < base)
		len = 0;
	struct bus_movable *m = &b->movable[space][id];
	atomic_uint *seq = &b->seq[space];
	unsigned s = atomic_load_explicit(seq, memory_order_relaxed);
	for (;;) { /* even -> odd: this writer owns the table */
		if (!(s & 1) && atomic_compare_exchange_weak_explicit(
				    seq, &s, s + 1, memory_order_acquire, memory_order_relaxed))
			break;
		sched_yield();
		s = atomic_load_explicit(seq, memory_order_relaxed);
	}
	atomic_thread_fence(memory_order_release); /* odd seq before the new place */
	atomic_store_explicit(&m->len, 0, memory_order_relaxed);
	atomic_store_explicit(&m->base, base, memory_order_relaxed);
	atomic_store_explicit(&m->len, len, memory_order_relaxed);
	atomic_store_explicit(seq, s + 2, memory_order_release);
	return true;
}

static const struct bus_range *bus_find(const struct bus *b, enum bus_space space, uint64_t addr,
					uint32_t len)
{
	for (unsigned i = 0; i < b->count[space]; i++) {
		const struct bus_range *r = &b->ranges[space][i];
		if (addr >= r->base && addr - r->base < r->len && len <= r->len - (addr - r->base))
			return r;
	}
	return NULL;
}

/* The movable slot holding [addr, addr+len): a consistent copy of it into
 * *out (fn, ctx, base), or false. Lock-free; retries while a move runs. */
static bool bus_find_movable(struct bus *b, enum bus_space space, uint64_t addr, uint32_t len,
			     struct bus_range *out)
{
	unsigned n = atomic_load_explicit(&b->nmovable[space], memory_order_acquire);
	if (n == 0)
		return false;
	atomic_uint *seq = &b->seq[space];
	for (;;) {
		unsigned s = atomic_load_explicit(seq, memory_order_acquire);
		if (s & 1) {
			sched_yield();
			continue;
		}
		bool found = false;
		for (unsigned i = 0; i < n && !found; i++) {
			struct bus_movable *m = &b->movable[space][i];
			uint64_t base = atomic_load_explicit(&m->base, memory_order_relaxed);
			uint64_t rlen = atomic_load_explicit(&m->len, memory_order_relaxed);
			if (addr >= base && addr - base < rlen && len <= rlen - (addr - base)) {
				*out = (struct bus_range){.base = base, .fn = m->fn, .ctx = m->ctx};
				found = true;
			}
		}
		atomic_thread_fence(memory_order_acquire); /* the search before the re-check */
		if (atomic_load_explicit(seq, memory_order_relaxed) == s)
			return found;
	}
}

bool bus_access(struct bus *b, enum bus_space space, uint64_t addr, uint8_t *data, uint32_t len,
		bool is_write)
{
	if (len == 0 || len > 8) {
		atomic_fetch_add(&b->unknown[space], 1);
		return false;
	}
	const struct bus_range *r = bus_find(b, space, addr, len);
	if (r) {
		r->fn(r->ctx, addr - r->base, data, len, is_write);
		return true;
	}
	struct bus_range mv;
	if (bus_find_movable(b, space, addr, len, &mv)) {
		mv.fn(mv.ctx, addr - mv.base, data, len, is_write);
		return true;
	}
	atomic_fetch_add(&b->unknown[space], 1);
	if (!is_write)
		memset(data, space == BUS_PIO ? 0xff : 0x00, len);
	return false;
}
