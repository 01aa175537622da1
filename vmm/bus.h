/*
 * The I/O bus: devices register (address range, handler, context) for port
 * I/O or MMIO, and VM exits are dispatched to them here.
 *
 * bus_pio()/bus_mmio() are ordinary functions with no KVM in them, so tests
 * drive devices exactly as a guest would. An access that no device claims is
 * ignored safely (reads return all ones for port I/O and zeros for MMIO) and
 * counted. An access that straddles the end of a range counts as unclaimed.
 *
 * Two kinds of range:
 *  - fixed (bus_register): registered before any vCPU runs and never moved
 *    or removed. Dispatch reads this table without any lock or retry, first:
 *    a fixed device is found exactly as fast as before movable ranges
 *    existed, and always wins over a movable range at the same address.
 *  - movable (bus_add_movable, then bus_move): a slot created before any vCPU
 *    runs, with a handler and context that never change; its place (base,
 *    len) changes while vCPUs run, len 0 meaning it decodes nothing (a PCI
 *    BAR: moved by the guest, or switched off by the command register).
 *    Movable slots are searched only when no fixed range claims the access.
 *    The bus does not check movable ranges against anything: whoever moves
 *    them (vmm/pci/pci_host.c) decides what may overlap what; where two
 *    overlap, the lower slot wins.
 *
 * Locking of the movable table: a sequence counter per space (`seq`). A
 * writer (bus_move) makes it odd with a compare-and-swap (so writers exclude
 * each other without a mutex), stores the slot's base and len, and makes it
 * even again. A reader (a vCPU's dispatch) reads seq, searches, and retries
 * if seq was odd or changed meanwhile: it never blocks and never sees half a
 * move. base and len are atomics read relaxed (plain loads on x86), ordered
 * by the fences around the search. What a reader takes away is a copy of
 * (fn, ctx, base); the device is then called with no bus lock held, so an
 * access racing a move may reach the device at its old place once, as a
 * real bus decodes a cycle that races a BAR write in either place. Hence the
 * rule: a movable slot's ctx must stay valid as long as any vCPU runs
 * (devices are never freed while the VM runs). The counters are atomic.
 * Each device protects its own state.
 */
#ifndef ORBVM_BUS_H
#define ORBVM_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_DEVICES 32
#define BUS_MAX_MOVABLE 64

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

/* A movable range: fn, ctx and name are constant once added; base and len
 * change under the space's seq (see above). */
struct bus_movable {
	atomic_ullong base;
	atomic_ullong len; /* 0: decodes nothing */
	bus_handler_fn fn;
	void *ctx;
	const char *name;
};

struct bus {
	struct bus_range ranges[2][BUS_MAX_DEVICES]; /* [enum bus_space]; fixed */
	unsigned count[2];
	atomic_ullong unknown[2]; /* accesses no device claimed */
	/* Movable slots: added before vCPUs run, moved under seq[space]. */
	struct bus_movable movable[2][BUS_MAX_MOVABLE];
	atomic_uint nmovable[2];
	atomic_uint seq[2]; /* odd while a bus_move is writing */
};

void bus_init(struct bus *b);

/*
 * Registers a fixed device. Returns 0, -ERR_EXIST if the range overlaps
 * another fixed one, -ERR_NOSPACE if the table is full, -ERR_INVAL for an
 * empty range. Call before any vCPU runs.
 */
int bus_register(struct bus *b, enum bus_space space, uint64_t base, uint64_t len,
		 bus_handler_fn fn, void *ctx, const char *name);

/* Whether [base, base+len) overlaps a fixed range (len 0: false). */
bool bus_overlaps_fixed(const struct bus *b, enum bus_space space, uint64_t base, uint64_t len);

/*
 * Adds a movable slot that decodes nothing yet. Returns its id (>= 0),
 * -ERR_NOSPACE or -ERR_INVAL (no fn). Call before any vCPU runs.
 */
int bus_add_movable(struct bus *b, enum bus_space space, bus_handler_fn fn, void *ctx,
		    const char *name);

/*
 * Places movable slot `id` at [base, base+len); len 0 (or a range that wraps
 * past 2^64) makes it decode nothing. Thread-safe against dispatch and other
 * moves; returns false for a bad id.
 */
bool bus_move(struct bus *b, enum bus_space space, int id, uint64_t base, uint64_t len);

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
