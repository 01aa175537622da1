/*
 * The part of the i8042 keyboard controller a VM needs: its reset line.
 *
 * Writing command 0xFE to port 0x64 pulses the CPU reset line, which ends
 * orbvm with the reboot status (VMM_STATUS_REBOOT). Port 0x60 (data) reads
 * 0 and port 0x64 (status) reads 0 (no data, input buffer empty), so a guest
 * that probes finds an idle controller with nothing attached.
 *
 * Locking: none needed; no state changes after init and the stop request
 * is atomic (stop.h), so any vCPU thread may call it at any time.
 */
#ifndef ORBVM_I8042_H
#define ORBVM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "stop.h"

#define I8042_DATA_PORT	   0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET	   0xfe

struct i8042 {
	struct vmm_stop *stop;
};

void i8042_init(struct i8042 *k, struct vmm_stop *stop);
/* Bus handler for one port; register it for 0x60 and for 0x64 (offset 0 each). */
void i8042_data_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
void i8042_command_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
