/*
 * Device registration and access dispatch; see bus.h.
 *
 * Trust boundary: addresses, lengths and data come from the guest (through
 * KVM's exit information). Lookups compare with subtraction so that no
 * guest-chosen value can overflow, and only accesses that lie wholly inside
 * one registered range reach a device.
 */
#include <string.h>

#include "bus.h"
#include "err.h"

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	atomic_init(&b->unknown[BUS_PIO], 0);
	atomic_init(&b->unknown[BUS_MMIO], 0);
}

int bus_register(struct bus *b, enum bus_space space, uint64_t base, uint64_t len,
		 bus_handler_fn fn, void *ctx, const char *name)
{
	if (len == 0 || base + len < base || !fn)
		return err_set(ERR_INVAL, "bad bus range for %s", name);
	for (unsigned i = 0; i < b->count[space]; i++) {
		const struct bus_range *r = &b->ranges[space][i];
		if (base < r->base + r->len && r->base < base + len)
			return err_set(ERR_EXIST, "%s overlaps %s at 0x%llx", name, r->name,
				       (unsigned long long)r->base);
	}
	if (b->count[space] == BUS_MAX_DEVICES)
		return err_set(ERR_NOSPACE, "too many devices (registering %s)", name);
	b->ranges[space][b->count[space]++] =
	    (struct bus_range){.base = base, .len = len, .fn = fn, .ctx = ctx, .name = name};
	return 0;
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

bool bus_access(struct bus *b, enum bus_space space, uint64_t addr, uint8_t *data, uint32_t len,
		bool is_write)
{
	if (len == 0 || len > 8) {
		atomic_fetch_add(&b->unknown[space], 1);
		return false;
	}
	const struct bus_range *r = bus_find(b, space, addr, len);
	if (!r) {
		atomic_fetch_add(&b->unknown[space], 1);
		if (!is_write)
			memset(data, space == BUS_PIO ? 0xff : 0x00, len);
		return false;
	}
	r->fn(r->ctx, addr - r->base, data, len, is_write);
	return true;
}
