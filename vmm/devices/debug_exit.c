/*
 * The debug-exit port; see debug_exit.h. Trust boundary: the guest chooses
 * the value and the access size; only `len` bytes (at most 4) are read and
 * the resulting status is cut to 8 bits.
 */
#include <string.h>

#include "debug_exit.h"

void debug_exit_init(struct debug_exit *d, struct vmm_stop *stop)
{
	d->stop = stop;
}

void debug_exit_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct debug_exit *d = ctx;
	(void)offset;
	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	uint32_t v = 0;
	for (uint32_t i = 0; i < len && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	vmm_stop_request_status(d->stop, ((v << 1) | 1) & 0xff);
}
