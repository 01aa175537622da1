/*
 * ACPI sleep control/status registers; see acpi_pm.h. Any guest byte is
 * accepted; only the exact S5 request has an effect.
 */
#include <string.h>

#include "acpi_pm.h"

void acpi_pm_init(struct acpi_pm *pm, struct vmm_stop *stop)
{
	pm->stop = stop;
}

void acpi_pm_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct acpi_pm *pm = ctx;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	if (offset != 0)
		return; /* writes to the status register clear nothing: no status is kept */
	uint8_t v = data[0];
	unsigned typ = (v & ACPI_PM_SLP_TYP_MASK) >> ACPI_PM_SLP_TYP_SHIFT;
	if ((v & ACPI_PM_SLP_EN) && typ == ACPI_PM_S5_TYPE)
		vmm_stop_request(pm->stop, VMM_STATUS_POWEROFF);
}
