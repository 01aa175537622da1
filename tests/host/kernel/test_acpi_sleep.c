/*
 * Host tests of kernel/boot/acpi_sleep.c: the S5 (soft-off) values found in
 * QEMU's real tables, a hardware-reduced FADT as orbvm builds it (the sleep
 * control register), the FADT's boot architecture flags, and refusals for
 * damaged or unusual tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/acpi.h"
#include <orbital/errors.h>

struct blob {
	uint8_t *data;
	size_t len;
	uint64_t paddr;
};

/* Loads DIR/SIG@0xADDR.bin. */
static struct blob load(const char *machine, const char *sig)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", ACPI_DATA_DIR, machine);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct blob b = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, sig, 4) != 0 || e->d_name[4] != '@')
			continue;
		b.paddr = strtoull(e->d_name + 5, NULL, 16);
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		b.len = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		b.data = malloc(b.len);
		assert_int_equal(fread(b.data, 1, b.len, f), b.len);
		fclose(f);
	}
	closedir(d);
	assert_non_null(b.data);
	return b;
}

/* The "physical memory" the parser reads the DSDT through. */
static struct blob *phys_dsdt;

static const void *read_phys(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (!phys_dsdt || pa < phys_dsdt->paddr || len > phys_dsdt->len ||
	    pa - phys_dsdt->paddr > phys_dsdt->len - len)
		return NULL;
	return phys_dsdt->data + (pa - phys_dsdt->paddr);
}

static void check_machine(const char *m)
{
	struct blob fadt = load(m, "FACP"), dsdt = load(m, "DSDT");
	phys_dsdt = &dsdt;
	struct acpi_s5 s5;
	assert_int_equal(acpi_parse_s5(fadt.data, fadt.len, read_phys, NULL, &s5), 0);
	assert_true(s5.found);
	assert_int_equal(s5.pm1a_cnt, 0x604); /* QEMU's PM block at 0x600 */
	assert_int_equal(s5.pm1b_cnt, 0);
	assert_int_equal(s5.slp_typa, 0); /* QEMU: Package (4) {0, 0, 0, 0} */
	assert_int_equal(s5.slp_typb, 0);
	free(fadt.data);
	free(dsdt.data);
	phys_dsdt = NULL;
}

static void test_qemu_pc(void **state)
{
	(void)state;
	check_machine("pc");
}

static void test_qemu_q35(void **state)
{
	(void)state;
	check_machine("q35");
}

/* A byte-valued package is read, and values beyond 3 bits are refused. */
static void test_synthetic_dsdt(void **state)
{
	(void)state;
	uint8_t d[64] = "DSDT";
	static const uint8_t pkg[] = {0x08, '_',  'S',	'5',  '_',  0x12, 0x08,
				      0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00};
	memcpy(d + 36, pkg, sizeof(pkg));
	uint8_t a = 9, b = 9;
	assert_int_equal(acpi_s5_from_dsdt(d, sizeof(d), &a, &b), 0);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);
	d[36 + 9] = 0x08; /* SLP_TYP 8 does not fit */
	assert_int_equal(acpi_s5_from_dsdt(d, sizeof(d), &a, &b), -ERR_NOENT);
	d[36 + 9] = 0x05;
	d[36 + 5] = 0x14; /* a MethodOp instead of a package: not understood */
	assert_int_equal(acpi_s5_from_dsdt(d, sizeof(d), &a, &b), -ERR_NOENT);
}

/* Every truncation of QEMU's DSDT is refused or read correctly, never beyond it. */
static void test_truncated_dsdt(void **state)
{
	(void)state;
	struct blob dsdt = load("pc", "DSDT");
	for (size_t len = 0; len <= dsdt.len; len += (len < 3200 ? 1 : 97)) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, dsdt.data, len);
		uint8_t a = 9, b = 9;
		int err = acpi_s5_from_dsdt(copy, len, &a, &b);
		assert_true(err == 0 || err == -ERR_NOENT);
		if (err == 0)
			assert_true(a == 0 && b == 0);
		free(copy);
	}
	free(dsdt.data);
}

/* A FADT too short, without a PM1a port, or pointing at no DSDT is refused. */
static void test_bad_fadt(void **state)
{
	(void)state;
	struct blob fadt = load("pc", "FACP"), dsdt = load("pc", "DSDT");
	struct acpi_s5 s5;
	phys_dsdt = &dsdt;
	assert_int_equal(acpi_parse_s5(fadt.data, 60, read_phys, NULL, &s5), -ERR_FORMAT);
	uint8_t *f = malloc(fadt.len);
	memcpy(f, fadt.data, fadt.len);
	memset(f + 64, 0, 4); /* no PM1a control port */
	assert_int_equal(acpi_parse_s5(f, fadt.len, read_phys, NULL, &s5), -ERR_FORMAT);
	memcpy(f, fadt.data, fadt.len);
	f[40] ^= 0x40; /* the DSDT address points elsewhere */
	assert_int_equal(acpi_parse_s5(f, fadt.len, read_phys, NULL, &s5), -ERR_FORMAT);
	phys_dsdt = NULL; /* unreadable memory */
	assert_int_equal(acpi_parse_s5(fadt.data, fadt.len, read_phys, NULL, &s5), -ERR_FORMAT);
	assert_false(s5.found);
	free(f);
	free(fadt.data);
	free(dsdt.data);
}

/*
 * A hardware-reduced FADT as orbvm writes it (revision 6, HW_REDUCED_ACPI, no
 * PM1 blocks, the sleep control register at I/O port 0x600) and a DSDT
 * holding Name (\_S5, Package () {5, 0, 0, 0}).
 */
static void hw_reduced_tables(uint8_t *fadt, size_t fadt_len, struct blob *dsdt)
{
	memset(fadt, 0, fadt_len);
	memcpy(fadt, "FACP", 4);
	fadt[4] = (uint8_t)fadt_len;
	fadt[5] = (uint8_t)(fadt_len >> 8);
	fadt[8] = 6;
	fadt[40 + 1] = 0x20;  /* DSDT at 0x2000 */
	fadt[112 + 2] = 0x10; /* flags: HW_REDUCED_ACPI (bit 20) */
	fadt[244] = 1;	      /* sleep control: system I/O, */
	fadt[245] = 8;	      /* 8 bits wide, */
	fadt[247] = 1;	      /* byte access, */
	fadt[248] = 0x00;     /* port 0x600 */
	fadt[249] = 0x06;
	static uint8_t d[64] = "DSDT";
	static const uint8_t pkg[] = {0x08, '\\', '_',	'S',  '5',  '_',  0x12,
				      0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00};
	d[4] = sizeof(d);
	memcpy(d + 36, pkg, sizeof(pkg));
	*dsdt = (struct blob){.data = d, .len = sizeof(d), .paddr = 0x2000};
}

/* orbvm (and any ACPI 5+ hardware-reduced machine): S5 through the sleep control register. */
static void test_hw_reduced(void **state)
{
	(void)state;
	uint8_t fadt[276];
	struct blob dsdt;
	struct acpi_s5 s5;
	hw_reduced_tables(fadt, sizeof(fadt), &dsdt);
	phys_dsdt = &dsdt;
	assert_int_equal(acpi_parse_s5(fadt, sizeof(fadt), read_phys, NULL, &s5), 0);
	assert_true(s5.found);
	assert_int_equal(s5.sleep_ctl, 0x600);
	assert_int_equal(s5.pm1a_cnt, 0);
	assert_int_equal(s5.slp_typa, 5);
	/* The register in memory space is not supported; a port above 0xFFFF is no port. */
	fadt[244] = 0;
	assert_int_equal(acpi_parse_s5(fadt, sizeof(fadt), read_phys, NULL, &s5), -ERR_FORMAT);
	fadt[244] = 1;
	fadt[250] = 1;
	assert_int_equal(acpi_parse_s5(fadt, sizeof(fadt), read_phys, NULL, &s5), -ERR_FORMAT);
	fadt[250] = 0;
	/* Too short to hold the register, or with no register at all. */
	assert_int_equal(acpi_parse_s5(fadt, 250, read_phys, NULL, &s5), -ERR_FORMAT);
	fadt[248] = fadt[249] = 0;
	assert_int_equal(acpi_parse_s5(fadt, sizeof(fadt), read_phys, NULL, &s5), -ERR_FORMAT);
	/* Without the flag, the same table (no PM1a port) is refused as before. */
	fadt[249] = 0x06;
	fadt[112 + 2] = 0;
	assert_int_equal(acpi_parse_s5(fadt, sizeof(fadt), read_phys, NULL, &s5), -ERR_FORMAT);
	assert_false(s5.found);
	phys_dsdt = NULL;
}

/* IAPC_BOOT_ARCH: none in QEMU pc's revision-1 FADT, the 8042 in q35's, orbvm's three. */
static void test_boot_flags(void **state)
{
	(void)state;
	uint16_t flags = 0xffff;
	struct blob pc = load("pc", "FACP"), q35 = load("q35", "FACP");
	assert_int_equal(acpi_fadt_boot_flags(pc.data, pc.len, &flags), -ERR_NOENT);
	assert_int_equal(acpi_fadt_boot_flags(q35.data, q35.len, &flags), 0);
	assert_int_equal(flags, ACPI_BOOT_8042);
	assert_int_equal(acpi_fadt_boot_flags(q35.data, 100, &flags), -ERR_FORMAT);
	uint8_t fadt[276];
	struct blob dsdt;
	hw_reduced_tables(fadt, sizeof(fadt), &dsdt);
	fadt[109] = 0x16; /* orbvm: an 8042, no VGA, no ASPM */
	assert_int_equal(acpi_fadt_boot_flags(fadt, sizeof(fadt), &flags), 0);
	assert_int_equal(flags, ACPI_BOOT_8042 | ACPI_BOOT_NO_VGA | 0x10);
	free(pc.data);
	free(q35.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_pc),	   cmocka_unit_test(test_qemu_q35),
	    cmocka_unit_test(test_synthetic_dsdt), cmocka_unit_test(test_truncated_dsdt),
	    cmocka_unit_test(test_bad_fadt),	   cmocka_unit_test(test_hw_reduced),
	    cmocka_unit_test(test_boot_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
