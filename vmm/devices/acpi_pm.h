/*
 * ACPI hardware-reduced sleep registers (FADT SLEEP_CONTROL_REG and
 * SLEEP_STATUS_REG, one byte each in I/O space at ACPI_PM_SLEEP_CONTROL and
 * ACPI_PM_SLEEP_STATUS).
 *
 * A write of SLP_EN (bit 5) with SLP_TYP (bits 2..4) equal to the S5 type
 * the DSDT's \_S5 package announces (ACPI_PM_S5_TYPE) powers the VM off:
 * orbvm ends with VMM_STATUS_POWEROFF. Other sleep types are ignored (the VM
 * does not support suspend). The status register reads 0.
 *
 * Locking: none needed; no state changes after init and the stop request
 * is atomic (stop.h), so any vCPU thread may call it at any time.
 */
#ifndef ORBVM_ACPI_PM_H
#define ORBVM_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "stop.h"

#define ACPI_PM_SLEEP_CONTROL 0x600
#define ACPI_PM_SLEEP_STATUS  0x601
#define ACPI_PM_S5_TYPE	      5
#define ACPI_PM_SLP_EN	      0x20
#define ACPI_PM_SLP_TYP_SHIFT 2
#define ACPI_PM_SLP_TYP_MASK  0x1c

struct acpi_pm {
	struct vmm_stop *stop;
};

void acpi_pm_init(struct acpi_pm *pm, struct vmm_stop *stop);
/* Bus handler for the two bytes at ACPI_PM_SLEEP_CONTROL. */
void acpi_pm_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
