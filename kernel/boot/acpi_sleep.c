/*
 * ACPI soft-off (S5): where to write, and what, to power the machine down;
 * and the one other thing the kernel reads in the FADT, its boot
 * architecture flags (is there an i8042, a VGA).
 *
 * Powering off through ACPI means writing SLP_TYPa | SLP_EN to the PM1a
 * control register (and SLP_TYPb to PM1b, if there is one), or, on a
 * hardware-reduced machine (FADT flag HW_REDUCED_ACPI: no PM1 blocks), to the
 * sleep control register (an I/O port here; one in memory space is not
 * supported). The register's port is in the FADT; SLP_TYP comes from the \_S5 package in the DSDT,
 * which is AML. We do not run AML: the \_S5 object is in practice a plain named package of integer
 * constants, which this file finds by pattern (NameOp
 * "_S5_" PackageOp PkgLength NumElements, then two small integers), the way
 * many small kernels do. A DSDT that defines \_S5 any other way is reported
 * as not understood, and the caller halts the CPUs instead.
 *
 * Trust: the FADT and the DSDT are firmware input. Every field is read
 * within the lengths validated here, the DSDT through the caller's
 * acpi_phys_read_fn (which refuses ranges it cannot map).
 */
#include "boot/acpi.h"
#include "lib/string.h"
#include "lib/unaligned.h"
#include <orbital/errors.h>

#define FADT_DSDT	40
#define FADT_PM1A_CNT	64
#define FADT_PM1B_CNT	68
#define FADT_REVISION	8
#define FADT_BOOT_ARCH	109 /* 2 bytes, ACPI 2.0 and later */
#define FADT_FLAGS	112
#define FADT_X_DSDT	140
#define FADT_SLEEP_CTL	244 /* Generic Address Structure, 12 bytes */
#define FADT_HW_REDUCED (1u << 20)
#define GAS_SYSTEM_IO	1
#define ACPI_HEADER_LEN 36
#define DSDT_MAX_LEN	(4u << 20)
#define AML_NAME_OP	0x08
#define AML_PACKAGE_OP	0x12
#define AML_ZERO_OP	0x00
#define AML_ONE_OP	0x01
#define AML_BYTE_PREFIX 0x0a

/* One integer element of the package at p[0..len): its value and size, or -1. */
static int aml_small_int(const uint8_t *p, size_t len, uint8_t *value)
{
	if (len >= 1 && (p[0] == AML_ZERO_OP || p[0] == AML_ONE_OP)) {
		*value = p[0];
		return 1;
	}
	if (len >= 2 && p[0] == AML_BYTE_PREFIX) {
		*value = p[1];
		return 2;
	}
	return -1;
}

int acpi_s5_from_dsdt(const uint8_t *dsdt, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	for (size_t i = ACPI_HEADER_LEN; i + 4 <= len; i++) {
		if (memcmp(dsdt + i, "_S5_", 4) != 0)
			continue;
		/* NameOp before it (with or without a root prefix '\'). */
		if (!(i >= 1 && dsdt[i - 1] == AML_NAME_OP) &&
		    !(i >= 2 && dsdt[i - 1] == '\\' && dsdt[i - 2] == AML_NAME_OP))
			continue;
		size_t p = i + 4;
		if (p >= len || dsdt[p] != AML_PACKAGE_OP)
			continue;
		p++;
		if (p >= len)
			break;
		size_t lead = dsdt[p] >> 6; /* PkgLength: extra bytes after the lead byte */
		p += 1 + lead;
		if (p >= len)
			break;
		uint8_t count = dsdt[p++];
		if (count < 2)
			continue;
		int n = aml_small_int(dsdt + p, len - p, slp_typa);
		if (n < 0)
			continue;
		p += (size_t)n;
		if (aml_small_int(dsdt + p, len - p, slp_typb) < 0)
			continue;
		if (*slp_typa > 7 || *slp_typb > 7)
			continue; /* SLP_TYP is a 3-bit field */
		return 0;
	}
	return -ERR_NOENT;
}

int acpi_fadt_boot_flags(const uint8_t *fadt, size_t fadt_len, uint16_t *flags)
{
	if (fadt_len < FADT_BOOT_ARCH + 2)
		return fadt_len > FADT_REVISION && fadt[FADT_REVISION] < 2 ? -ERR_NOENT
									   : -ERR_FORMAT;
	if (fadt[FADT_REVISION] < 2)
		return -ERR_NOENT;
	*flags = get_le16(fadt + FADT_BOOT_ARCH);
	return 0;
}

int acpi_parse_s5(const uint8_t *fadt, size_t fadt_len, acpi_phys_read_fn read, void *ctx,
		  struct acpi_s5 *out)
{
	memset(out, 0, sizeof(*out));
	if (fadt_len < FADT_PM1B_CNT + 4)
		return -ERR_FORMAT;
	out->pm1a_cnt = get_le32(fadt + FADT_PM1A_CNT);
	out->pm1b_cnt = get_le32(fadt + FADT_PM1B_CNT);
	uint64_t dsdt = get_le32(fadt + FADT_DSDT);
	if (fadt_len >= FADT_X_DSDT + 8 && get_le64(fadt + FADT_X_DSDT))
		dsdt = get_le64(fadt + FADT_X_DSDT);
	if (fadt_len >= FADT_FLAGS + 4 && (get_le32(fadt + FADT_FLAGS) & FADT_HW_REDUCED)) {
		/* Hardware-reduced: the sleep control register, a port, or nothing. */
		if (fadt_len < FADT_SLEEP_CTL + 12 || fadt[FADT_SLEEP_CTL] != GAS_SYSTEM_IO)
			return -ERR_FORMAT;
		uint64_t port = get_le64(fadt + FADT_SLEEP_CTL + 4);
		if (!port || port > 0xffff)
			return -ERR_FORMAT;
		out->sleep_ctl = (uint32_t)port;
		out->pm1a_cnt = out->pm1b_cnt = 0;
	} else if (!out->pm1a_cnt || out->pm1a_cnt > 0xffff || out->pm1b_cnt > 0xffff) {
		return -ERR_FORMAT;
	}
	if (!dsdt)
		return -ERR_FORMAT;
	const uint8_t *hdr = read(ctx, dsdt, ACPI_HEADER_LEN);
	if (!hdr || memcmp(hdr, "DSDT", 4) != 0)
		return -ERR_FORMAT;
	uint32_t len = get_le32(hdr + 4);
	if (len < ACPI_HEADER_LEN || len > DSDT_MAX_LEN)
		return -ERR_FORMAT;
	const uint8_t *body = read(ctx, dsdt, len);
	if (!body)
		return -ERR_FORMAT;
	int err = acpi_s5_from_dsdt(body, len, &out->slp_typa, &out->slp_typb);
	if (err)
		return err;
	out->found = true;
	return 0;
}
