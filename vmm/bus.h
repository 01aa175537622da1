/*
 * The I/O bus: devices register (address range, handler, context) for port
 * I/O or MMIO, and VM exits are dispatched to them here.
 *
 * bus_pio()/bus_mmio() are ordinary functions with no KVM in them, so tests
 * drive devices exactly as a guest would. An access that no device claims is
 * ignored safely (reads return all ones for port I/O and zeros for MMIO) and
 * counted. An access that straddles the end of a range counts as unclaimed.
 *
 * Locking: devices are registered before any vCPU runs and never removed, so
 * dispatch reads the table without a lock; the counters are atomic. Each
 * device protects its own state.
 */
#ifndef ORBVM_BUS_H
#define ORBVM_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_DEVICES 32

/*
 * A device access: `offset` is relative to the start of the registered
 * range, `data` holds `len` (1, 2, 4 or 8) bytes, little-endian. A read
 * handler fills data; a write handler reads it.
 */
typedef void (*bus_handler_fn)(void *ctx, uint64_t offset, uint8_t *data, uint32_t len,
			       bool is_write);

enum bus_space { BUS_PIO = 0, BUS_MMIO = 1 };

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_handler_fn fn;
	void *ctx;
	const char *name;
};

struct bus {
	struct bus_range ranges[2][BUS_MAX_DEVICES]; /* [enum bus_space] */
	unsigned count[2];
	atomic_ullong unknown[2]; /* accesses no device claimed */
};

void bus_init(struct bus *b);

/*
 * Registers a device. Returns 0, -ERR_EXIST if the range overlaps another,
 * -ERR_NOSPACE if the table is full, -ERR_INVAL for an empty range.
 */
int bus_register(struct bus *b, enum bus_space space, uint64_t base, uint64_t len,
		 bus_handler_fn fn, void *ctx, const char *name);

/* Dispatches one access; returns true if a device handled it. */
bool bus_access(struct bus *b, enum bus_space space, uint64_t addr, uint8_t *data, uint32_t len,
		bool is_write);

static inline bool bus_pio(struct bus *b, uint16_t port, uint8_t *data, uint32_t len, bool is_write)
{
	return bus_access(b, BUS_PIO, port, data, len, is_write);
}

static inline bool bus_mmio(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len,
			    bool is_write)
{
	return bus_access(b, BUS_MMIO, addr, data, len, is_write);
}

static inline unsigned long long bus_unknown(struct bus *b, enum bus_space space)
{
	return atomic_load(&b->unknown[space]);
}

#endif
