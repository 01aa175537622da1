/*
 * i8042 reset line; see i8042.h. Guest bytes other than the reset command are
 * ignored.
 */
#include <string.h>

#include "i8042.h"

void i8042_init(struct i8042 *k, struct vmm_stop *stop)
{
	k->stop = stop;
}

void i8042_data_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)ctx;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
}

void i8042_command_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = ctx;
	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	if (data[0] == I8042_CMD_RESET)
		vmm_stop_request(k->stop, VMM_STATUS_REBOOT);
}
