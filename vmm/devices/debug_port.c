/*
 * Boot-time marker port; see debug_port.h. Trust boundary: a guest can write
 * as often as it likes; the array index is bounded by DEBUG_PORT_MAX_MARKS.
 */
#include <string.h>
#include <time.h>

#include "debug_port.h"

uint64_t debug_port_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void debug_port_init(struct debug_port *d, uint64_t start_ns)
{
	memset(d, 0, sizeof(*d));
	d->start_ns = start_ns;
}

void debug_port_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct debug_port *d = ctx;
	(void)offset;
	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	if (data[0] != DEBUG_PORT_MAGIC)
		return;
	/* Several vCPUs may mark at once: each claims its own slot. */
	unsigned slot = atomic_fetch_add(&d->count, 1);
	if (slot < DEBUG_PORT_MAX_MARKS)
		d->marks[slot] = debug_port_now_ns() - d->start_ns;
}

void debug_port_report(const struct debug_port *d, FILE *out)
{
	unsigned count = atomic_load(&d->count);
	if (!count) {
		fprintf(out, "orbvm: boot-time: the guest wrote no marker (byte %d to port 0x%x)\n",
			DEBUG_PORT_MAGIC, DEBUG_PORT);
		return;
	}
	unsigned n = count < DEBUG_PORT_MAX_MARKS ? count : DEBUG_PORT_MAX_MARKS;
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "orbvm: boot-time marker %u: %llu.%06llu s\n", i + 1,
			(unsigned long long)(d->marks[i] / 1000000000ull),
			(unsigned long long)(d->marks[i] % 1000000000ull / 1000));
}
