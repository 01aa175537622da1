/*
 * The boot-time marker port, as Firecracker offers it: a guest that writes
 * the byte 123 to I/O port 0x3F0 records the time elapsed since orbvm
 * started. Other values are ignored, reads return 0xFF. Up to
 * DEBUG_PORT_MAX_MARKS marks are kept; with --boot-time orbvm prints them at
 * exit. Linux guests run vmm/guests/boot-marker.c (built as
 * $(BUILD)/vmm/boot-marker), or, on kernels with /dev/port:
 *     printf '{' | dd of=/dev/port bs=1 seek=1008 count=1   # '{' is 123
 *
 * Locking: vCPU threads claim a mark's slot with an atomic increment of
 * count and each writes only its own slot; the marks are read after every
 * vCPU thread stopped.
 */
#ifndef ORBVM_DEBUG_PORT_H
#define ORBVM_DEBUG_PORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DEBUG_PORT	     0x3f0
#define DEBUG_PORT_MAGIC     123
#define DEBUG_PORT_MAX_MARKS 16

struct debug_port {
	uint64_t start_ns;		      /* CLOCK_MONOTONIC at orbvm start */
	uint64_t marks[DEBUG_PORT_MAX_MARKS]; /* ns since start */
	atomic_uint count;		      /* marks recorded (may exceed the array) */
};

/* Monotonic clock in nanoseconds. */
uint64_t debug_port_now_ns(void);
void debug_port_init(struct debug_port *d, uint64_t start_ns);
void debug_port_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* Prints one line per mark ("orbvm: boot-time marker 1: 1.234567 s"). */
void debug_port_report(const struct debug_port *d, FILE *out);

#endif
