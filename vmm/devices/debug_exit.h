/*
 * The debug-exit port (--debug-exit PORT), compatible with QEMU's
 * isa-debug-exit: a guest write of value v (1, 2 or 4 bytes) to any of the
 * four ports PORT..PORT+3 stops the VM, and orbvm exits with status
 * (v << 1) | 1, truncated to 8 bits as the process exit status is. So a
 * test kernel written for QEMU (Orbital writes 0x10 for a pass: status 33)
 * reports the same status under orbvm. Reads return all ones. Unlike the
 * boot-time marker port (debug_port.h), nothing is recorded.
 *
 * Locking: none needed; the stop request is atomic (stop.h).
 */
#ifndef ORBVM_DEBUG_EXIT_H
#define ORBVM_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "stop.h"

#define DEBUG_EXIT_PORTS 4

struct debug_exit {
	struct vmm_stop *stop;
};

void debug_exit_init(struct debug_exit *d, struct vmm_stop *stop);
/* Bus handler for the DEBUG_EXIT_PORTS ports at the configured base. */
void debug_exit_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
