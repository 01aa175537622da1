/*
 * Unit tests for the ACPI description of orbvm's PCI host bridge
 * (vmm/acpi/tables.c's MCFG, vmm/acpi/dsdt_pci.c): the XSDT lists the MCFG,
 * the MCFG's one allocation (base, segment 0, buses 0..0) and checksum, and
 * ACPICA's disassembler (iasl -d; skipped when not installed) accepts the
 * DSDT and finds PCI0 (PNP0A08 with _CID PNP0A03, _SEG, _BBN, _CRS with the
 * bus range and the windows, a _PRT to LNKA..LNKD), the four links with
 * their GSIs and the ECAM reservation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi/acpi.h"

static struct acpi_blob a;
static const struct acpi_pci pci = {.ecam_base = 0xe0000000,
				    .bus_end = 0,
				    .io_min = 0xc000,
				    .io_max = 0xffff,
				    .mem32_min = 0xc0000000,
				    .mem32_max = 0xcfffffff,
				    .mem64_min = 0x800000000ull,
				    .mem64_max = 0xfffffffffull,
				    .gsi_base = 20};
static const struct acpi_mmio_dev devs[2] = {{0xd0000000, 0x200, 16}, {0xd0001000, 0x200, 17}};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int setup(void **state)
{
	(void)state;
	return acpi_build_pci(&a, 0xe0000, devs, 2, 64, &pci);
}

static void test_mcfg(void **state)
{
	(void)state;
	const uint8_t *x = a.data + a.offset[ACPI_XSDT];
	assert_int_equal(le32(x + 4), 36 + 24);
	uint64_t mcfg_addr = le64(x + 52);
	assert_int_equal(mcfg_addr, a.base + a.offset[ACPI_MCFG]);
	const uint8_t *m = a.data + a.offset[ACPI_MCFG];
	assert_memory_equal(m, "MCFG", 4);
	assert_int_equal(le32(m + 4), 60);
	assert_int_equal(acpi_checksum(m, 60), 0);
	assert_int_equal(le64(m + 44), 0xe0000000);
	assert_int_equal(m[52] | m[53] << 8, 0);
	assert_int_equal(m[54], 0);
	assert_int_equal(m[55], 0);
	const uint8_t *d = a.data + a.offset[ACPI_DSDT];
	assert_int_equal(acpi_checksum(d, le32(d + 4)), 0);
	assert_true(a.len <= 0x10000);
	/* Without PCI: no MCFG, two XSDT entries. */
	static struct acpi_blob b;
	assert_int_equal(acpi_build_pci(&b, 0xe0000, NULL, 0, 1, NULL), 0);
	assert_int_equal(b.size[ACPI_MCFG], 0);
	assert_int_equal(le32(b.data + b.offset[ACPI_XSDT] + 4), 36 + 16);
}

static int run(const char *cmd)
{
	return system(cmd);
}

static void test_iasl_pci_objects(void **state)
{
	(void)state;
	if (run("command -v iasl >/dev/null 2>&1") != 0) {
		printf("SKIP: iasl not installed (Debian package acpica-tools)\n");
		skip();
	}
	char dir[] = "/tmp/orbvm-pci-acpi-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *names[] = {"dsdt", "mcfg"};
	const enum acpi_table_id ids[] = {ACPI_DSDT, ACPI_MCFG};
	char cmd[2048];
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s.dat", dir, names[i]);
		FILE *f = fopen(cmd, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(a.data + a.offset[ids[i]], 1, a.size[ids[i]], f),
				 a.size[ids[i]]);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && iasl -d %s.dat > %s.log 2>&1 && "
			 "! grep -qiE '(^|[^a-z])(error|warning)' %s.log",
			 dir, names[i], names[i], names[i]);
		if (run(cmd) != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s/%s.log", dir, names[i]);
			if (run(cmd) != 0)
				fprintf(stderr, "(no log)\n");
			fail_msg("iasl -d failed on the %s", names[i]);
		}
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && d=dsdt.dsl && grep -q 'Device (PCI0)' $d && grep -q 'PNP0A08' $d && "
		 "grep -q 'PNP0A03' $d && grep -q '_SEG' $d && grep -q '_BBN' $d && "
		 "grep -q 'WordBusNumber' $d && grep -q 'WordIO' $d && grep -q 'DWordMemory' $d && "
		 "grep -q 'QWordMemory' $d && grep -q '0xCFFFFFFF' $d && "
		 "grep -q '0x0000000FFFFFFFFF' $d && grep -q '_PRT' $d && "
		 "grep -q '0x001FFFFF' $d && grep -q 'LNKD' $d && grep -q 'PNP0C0F' $d && "
		 "grep -q 'Level, ActiveHigh, Shared' $d && grep -q '0x00000017' $d && "
		 "grep -q 'PNP0C02' $d && grep -q '0xE0000000' $d && grep -q '_SRS' $d && "
		 "grep -q 'LNRO0005' $d && [ $(grep -c '_SB.LNK[A-D], *$' $d) -eq 124 ] && "
		 "grep -q 'End Bus Number : 00' mcfg.dsl && grep -q 'E0000000' mcfg.dsl",
		 dir);
	if (run(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/dsdt.dsl %s/mcfg.dsl", dir, dir);
		if (run(cmd) != 0)
			fprintf(stderr, "(could not show the tables)\n");
		fail_msg("the PCI objects are not what was meant");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(run(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_mcfg, setup),
	    cmocka_unit_test_setup(test_iasl_pci_objects, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
