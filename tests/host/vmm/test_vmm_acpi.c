/*
 * Unit tests for orbvm's ACPI tables (vmm/acpi/): signatures, lengths,
 * checksums, the pointers between tables, the FADT's hardware-reduced
 * registers and boot flags, the MADT entries, the DSDT's AML (COM1, the
 * i8042's keyboard and mouse), and a check that ACPICA's
 * disassembler (iasl -d, Debian package acpica-tools) accepts every table
 * without errors (skipped with a message when iasl is not installed), with
 * and without virtio-mmio devices in the DSDT.
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
#include "devices/acpi_pm.h"

static struct acpi_blob a;     /* no virtio devices */
static struct acpi_blob a_dev; /* four virtio-mmio devices */
static const struct acpi_mmio_dev devs[4] = {
    {0xd0000000, 0x200, 16},
    {0xd0001000, 0x200, 17},
    {0xd0002000, 0x200, 18},
    {0xd0003000, 0x200, 19},
};

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static const uint8_t *table(enum acpi_table_id id)
{
	return a.data + a.offset[id];
}

/* Finds the table at guest physical address gpa inside the blob. */
static const uint8_t *at(uint64_t gpa)
{
	assert_true(gpa >= a.base && gpa < a.base + a.len);
	return a.data + (gpa - a.base);
}

static int setup(void **state)
{
	(void)state;
	if (acpi_build(&a, 0xe0000) < 0)
		return -1;
	return acpi_build_devs(&a_dev, 0xe0000, devs, 4);
}

static void test_checksum_helper(void **state)
{
	(void)state;
	uint8_t b[5] = {1, 2, 3, 4, 0};
	b[4] = acpi_checksum(b, 4);
	assert_int_equal(sum(b, 5), 0);
}

static void test_rsdp(void **state)
{
	(void)state;
	const uint8_t *r = table(ACPI_RSDP);
	assert_int_equal(a.offset[ACPI_RSDP], 0); /* at 0xE0000 exactly */
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(r[15], 2);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(le32(r + 20), 36);
	assert_int_equal(sum(r, 36), 0);
	assert_int_equal(le64(r + 24), a.base + a.offset[ACPI_XSDT]);
}

static void test_headers(void **state)
{
	(void)state;
	const char *sig[ACPI_NUM_TABLES] = {NULL, "XSDT", "FACP", "APIC", "DSDT"};
	for (int id = ACPI_XSDT; id <= ACPI_DSDT; id++) { /* no MCFG without PCI */
		const uint8_t *t = table((enum acpi_table_id)id);
		assert_memory_equal(t, sig[id], 4);
		assert_int_equal(le32(t + 4), a.size[id]);
		assert_int_equal(sum(t, a.size[id]), 0);
		assert_true(a.offset[id] + a.size[id] <= a.len);
		assert_int_equal(a.offset[id] % 8, 0);
	}
	assert_true(a.len <= 0x10000); /* fits the 0xE0000 area */
}

static void test_xsdt_points_to_fadt_and_madt(void **state)
{
	(void)state;
	const uint8_t *x = table(ACPI_XSDT);
	assert_int_equal(le32(x + 4), 36 + 16);
	assert_memory_equal(at(le64(x + 36)), "FACP", 4);
	assert_memory_equal(at(le64(x + 44)), "APIC", 4);
}

static void test_fadt(void **state)
{
	(void)state;
	const uint8_t *f = table(ACPI_FADT);
	assert_int_equal(le32(f + 4), 276);
	assert_int_equal(f[8], 6); /* revision */
	assert_memory_equal(at(le64(f + 140)), "DSDT", 4);
	assert_int_equal(le32(f + 40), a.base + a.offset[ACPI_DSDT]);
	uint32_t flags = le32(f + 112);
	assert_true(flags & (1u << 20)); /* HW_REDUCED_ACPI */
	assert_true(flags & (1u << 10)); /* RESET_REG_SUP */
	/* IAPC_BOOT_ARCH: an 8042 (Linux probes it), no VGA, no ASPM. */
	assert_int_equal(f[109] | f[110] << 8, (1u << 1) | (1u << 2) | (1u << 4));
	/* Sleep control/status: system I/O, 8 bits, at the acpi_pm ports. */
	assert_int_equal(f[244], 1);
	assert_int_equal(f[245], 8);
	assert_int_equal(le64(f + 248), ACPI_PM_SLEEP_CONTROL);
	assert_int_equal(f[256], 1);
	assert_int_equal(le64(f + 260), ACPI_PM_SLEEP_STATUS);
	/* Reset register: 0xFE to port 0x64. */
	assert_int_equal(f[116], 1);
	assert_int_equal(le64(f + 120), 0x64);
	assert_int_equal(f[128], 0xfe);
	/* No PM1/GPE blocks and no SCI in hardware-reduced mode. */
	assert_int_equal(le32(f + 46 - 0) & 0xffff, 0);
	assert_int_equal(le32(f + 56), 0);
	assert_int_equal(le32(f + 64), 0);
}

static void test_madt(void **state)
{
	(void)state;
	const uint8_t *m = table(ACPI_MADT);
	uint32_t len = le32(m + 4);
	assert_int_equal(le32(m + 36), ACPI_LAPIC_ADDR);
	int lapic = 0, ioapic = 0, iso = 0, nmi = 0;
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = m + off;
		assert_true(e[1] >= 2 && off + e[1] <= len);
		switch (e[0]) {
		case 0:
			lapic++;
			assert_int_equal(e[3], 0);	      /* APIC id */
			assert_int_equal(le32(e + 4) & 1, 1); /* enabled */
			break;
		case 1:
			ioapic++;
			assert_int_equal(e[2], ACPI_IOAPIC_ID);
			assert_int_equal(le32(e + 4), 0xfec00000);
			assert_int_equal(le32(e + 8), 0);
			break;
		case 2:
			iso++;
			assert_int_equal(e[3], 0); /* IRQ 0 */
			assert_int_equal(le32(e + 4), 2);
			break;
		case 4:
			nmi++;
			assert_int_equal(e[5], 1); /* LINT1 */
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(lapic, 1);
	assert_int_equal(ioapic, 1);
	assert_int_equal(iso, 1);
	assert_int_equal(nmi, 1);
}

static bool contains(const uint8_t *p, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(p + i, needle, m))
			return true;
	return false;
}

static void test_dsdt_aml(void **state)
{
	(void)state;
	const uint8_t *d = table(ACPI_DSDT);
	size_t n = a.size[ACPI_DSDT];
	/* EisaId("PNP0501"), the IO descriptor for 0x3F8/8 and IRQ 4, \_S5 with type 5. */
	const uint8_t hid[] = {0x0c, 0x41, 0xd0, 0x05, 0x01};
	const uint8_t io[] = {0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08};
	const uint8_t irq[] = {0x22, 0x10, 0x00};
	const uint8_t s5[] = {'\\', '_', 'S', '5', '_', 0x12};
	assert_true(contains(d, n, hid, sizeof(hid)));
	assert_true(contains(d, n, io, sizeof(io)));
	assert_true(contains(d, n, irq, sizeof(irq)));
	assert_true(contains(d, n, s5, sizeof(s5)));
	assert_true(contains(d, n, "COM1", 4));
	/* The i8042: PS2K EisaId("PNP0303") with IO 0x60/1, IO 0x64/1 and IRQ 1; PS2M
	 * EisaId("PNP0F13") with IRQ 12. */
	const uint8_t kbd_hid[] = {0x0c, 0x41, 0xd0, 0x03, 0x03};
	const uint8_t kbd_res[] = {0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x47, 0x01,
				   0x64, 0x00, 0x64, 0x00, 0x01, 0x01, 0x22, 0x02, 0x00};
	const uint8_t mouse_hid[] = {0x0c, 0x41, 0xd0, 0x0f, 0x13};
	const uint8_t mouse_irq[] = {0x22, 0x00, 0x10, 0x79, 0x00};
	assert_true(contains(d, n, "PS2K", 4));
	assert_true(contains(d, n, kbd_hid, sizeof(kbd_hid)));
	assert_true(contains(d, n, kbd_res, sizeof(kbd_res)));
	assert_true(contains(d, n, "PS2M", 4));
	assert_true(contains(d, n, mouse_hid, sizeof(mouse_hid)));
	assert_true(contains(d, n, mouse_irq, sizeof(mouse_irq)));
	/* The RTC: RTC_ EisaId("PNP0B00") with IO 0x70/2 and no IRQ (the End tag follows):
	 * without it Linux's rtc_cmos probes IRQ 8, absent on a hardware-reduced platform. */
	const uint8_t rtc_hid[] = {0x0c, 0x41, 0xd0, 0x0b, 0x00};
	const uint8_t rtc_res[] = {0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, 0x79, 0x00};
	assert_true(contains(d, n, "RTC_", 4));
	assert_true(contains(d, n, rtc_hid, sizeof(rtc_hid)));
	assert_true(contains(d, n, rtc_res, sizeof(rtc_res)));
	/* Too small a buffer fails cleanly. */
	uint8_t small[40];
	assert_true(acpi_dsdt_build(small, sizeof(small)) < 0);
}

static void test_dsdt_virtio_devices(void **state)
{
	(void)state;
	const uint8_t *d = a_dev.data + a_dev.offset[ACPI_DSDT];
	size_t n = a_dev.size[ACPI_DSDT];
	assert_int_equal(sum(d, n), 0);
	assert_int_equal(le32(d + 4), n);
	/* The no-device DSDT has no LNRO0005 at all. */
	assert_false(contains(table(ACPI_DSDT), a.size[ACPI_DSDT], "LNRO0005", 8));
	for (unsigned i = 0; i < 4; i++) {
		char name[5];
		snprintf(name, sizeof(name), "VR%02u", i);
		assert_true(contains(d, n, name, 4));
		/* _UID i */
		const uint8_t uid[] = {0x08, '_', 'U', 'I', 'D', 0x0a, (uint8_t)i};
		assert_true(contains(d, n, uid, sizeof(uid)));
		/* Memory32Fixed (ReadWrite, base, 0x200) */
		uint32_t b = devs[i].base;
		const uint8_t mem[] = {0x86,
				       9,
				       0,
				       1,
				       (uint8_t)b,
				       (uint8_t)(b >> 8),
				       (uint8_t)(b >> 16),
				       (uint8_t)(b >> 24),
				       0x00,
				       0x02,
				       0,
				       0};
		assert_true(contains(d, n, mem, sizeof(mem)));
		/* Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) {gsi} */
		const uint8_t irq[] = {0x89, 6, 0, 0x01, 1, (uint8_t)devs[i].gsi, 0, 0, 0};
		assert_true(contains(d, n, irq, sizeof(irq)));
	}
	const uint8_t hid[] = {0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0};
	assert_true(contains(d, n, hid, sizeof(hid)));
	/* More devices than the DSDT takes are refused. */
	static struct acpi_mmio_dev many[ACPI_MAX_MMIO_DEVS + 1];
	uint8_t buf[4096];
	assert_true(acpi_dsdt_build_devs(buf, sizeof(buf), many, ACPI_MAX_MMIO_DEVS + 1) < 0);
	assert_true(acpi_dsdt_build_devs(buf, sizeof(buf), many, ACPI_MAX_MMIO_DEVS) > 0);
}

/*
 * Writes each table to a file and runs "iasl -d" on it. The RSDP is not a
 * table with a standard header: ACPICA's disassembler (20200925, Debian 12)
 * refuses any stand-alone RSDP file, even one extracted by its own
 * acpixtract, so the RSDP is covered by test_rsdp's checksum and pointer
 * checks instead.
 */
static void iasl_check(const struct acpi_blob *b, const char *dsl_grep)
{
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		printf("SKIP: iasl not installed (Debian package acpica-tools); "
		       "ACPI disassembly check skipped\n");
		skip();
	}
	char dir[] = "/tmp/orbvm-acpi-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *names[ACPI_NUM_TABLES] = {"rsdp", "xsdt", "facp", "apic", "dsdt", "mcfg"};
	for (int id = ACPI_XSDT; id < ACPI_NUM_TABLES; id++) {
		char path[256], cmd[768], out[256];
		if (!b->size[id])
			continue; /* no MCFG without PCI */
		snprintf(path, sizeof(path), "%s/%s.dat", dir, names[id]);
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b->data + b->offset[id], 1, b->size[id], f), b->size[id]);
		fclose(f);
		snprintf(out, sizeof(out), "%s/%s.log", dir, names[id]);
		snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat > %s 2>&1", dir, names[id],
			 out);
		int rc = system(cmd);
		/* iasl reports problems as "Error" lines (and a non-zero status). */
		snprintf(cmd, sizeof(cmd), "grep -qiE '(^|[^a-z])(error|warning)' %s", out);
		int has_error = system(cmd) == 0;
		if (rc != 0 || has_error) {
			snprintf(cmd, sizeof(cmd), "cat %s", out);
			if (system(cmd) != 0)
				fprintf(stderr, "(could not show %s)\n", out);
			fail_msg("iasl -d failed on the %s table", names[id]);
		}
		snprintf(path, sizeof(path), "%s/%s.dsl", dir, names[id]);
		assert_int_equal(access(path, R_OK), 0);
	}
	/* The DSDT disassembles to the objects we meant. */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && grep -q 'PNP0501' dsdt.dsl && grep -q '_S5' dsdt.dsl && "
		 "grep -q '0x03F8' dsdt.dsl && grep -q 'PNP0303' dsdt.dsl && "
		 "grep -q 'PNP0F13' dsdt.dsl && grep -q 'IRQNoFlags ()' dsdt.dsl && "
		 "grep -q 'PNP0B00' dsdt.dsl && %s",
		 dir, dsl_grep);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/dsdt.dsl", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "(could not show the DSDT)\n");
		fail_msg("the DSDT does not disassemble to the expected objects");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_iasl_disassembles(void **state)
{
	(void)state;
	iasl_check(&a, "! grep -q LNRO0005 dsdt.dsl");
}

static void test_iasl_disassembles_virtio(void **state)
{
	(void)state;
	iasl_check(&a_dev,
		   "test $(grep -c '\"LNRO0005\"' dsdt.dsl) = 4 && "
		   "grep -q 'Device (VR03)' dsdt.dsl && "
		   "grep -q 'Memory32Fixed (ReadWrite,' dsdt.dsl && "
		   "grep -q '0xD0003000' dsdt.dsl && "
		   "grep -q 'Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )' "
		   "dsdt.dsl && grep -q '0x00000013,' dsdt.dsl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checksum_helper),
	    cmocka_unit_test(test_rsdp),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_xsdt_points_to_fadt_and_madt),
	    cmocka_unit_test(test_fadt),
	    cmocka_unit_test(test_madt),
	    cmocka_unit_test(test_dsdt_aml),
	    cmocka_unit_test(test_dsdt_virtio_devices),
	    cmocka_unit_test(test_iasl_disassembles),
	    cmocka_unit_test(test_iasl_disassembles_virtio),
	};
	return cmocka_run_group_tests_name("vmm_acpi", tests, setup, NULL);
}
