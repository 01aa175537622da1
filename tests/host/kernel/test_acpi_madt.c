/*
 * Tests of the MADT decoder (kernel/boot/acpi_madt.c) on synthetic tables:
 * the entry types and corner cases QEMU's TCG tables do not contain (x2APIC
 * entries, the 64-bit local APIC address override, x2APIC NMIs, unusable and
 * online-capable CPUs, duplicate APIC ids, bad LINT pins, unknown types) and
 * the capacity limits. Each table is built here entry by entry, so every
 * expected value follows from the bytes written. The real QEMU tables and the
 * corrupted copies are in test_acpi.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "boot/acpi.h"

static struct acpi_info info;

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static int setup(void **state)
{
	memset(&info, 0xa5, sizeof(info)); /* the parser must clear the MADT part */
	host_log_clear();
	return 0;
}

static uint8_t madt_buf[8192];
static size_t madt_len;

static void madt_begin(uint32_t lapic)
{
	memset(madt_buf, 0, sizeof(madt_buf));
	memcpy(madt_buf, "APIC", 4);
	wr32(madt_buf + 36, lapic);
	wr32(madt_buf + 40, 1);
	madt_len = 44;
}

static void madt_add(const uint8_t *e)
{
	memcpy(madt_buf + madt_len, e, e[1]);
	madt_len += e[1];
	wr32(madt_buf + 4, (uint32_t)madt_len);
}

static void test_madt_synthetic(void **state)
{
	madt_begin(0xfee00000);
	madt_add((uint8_t[]){0, 8, 0, 0, 5, 0, 0, 0});	  /* CPU 0, enabled (+ a reserved bit) */
	madt_add((uint8_t[]){0, 8, 1, 1, 0, 0, 0, 0});	  /* unusable: not recorded */
	madt_add((uint8_t[]){0, 8, 2, 2, 2, 0, 0, 0});	  /* online capable */
	madt_add((uint8_t[]){0, 8, 3, 0, 1, 0, 0, 0});	  /* duplicate APIC id 0 */
	madt_add((uint8_t[]){0, 8, 4, 0xff, 1, 0, 0, 0}); /* broadcast id */
	madt_add(
	    (uint8_t[]){9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0}); /* x2APIC 256 */
	madt_add((uint8_t[]){5, 12, 0, 0, 0, 0, 0xe0, 0xfe, 1, 0, 0, 0}); /* LAPIC at 0x1fee00000 */
	madt_add((uint8_t[]){1, 12, 3, 0, 0, 0, 0xc0, 0xfe, 24, 0, 0, 0});
	madt_add((uint8_t[]){2, 10, 0, 9, 20, 0, 0, 0, 0x0f, 0}); /* IRQ 9 -> GSI 20, low/level */
	madt_add((uint8_t[]){2, 10, 1, 4, 30, 0, 0, 0, 0, 0});	  /* bus 1: not ISA */
	madt_add((uint8_t[]){4, 6, 2, 5, 0, 0});		  /* CPU 2, LINT0 */
	madt_add((uint8_t[]){4, 6, 0xff, 0, 0, 3});		  /* LINT3: dropped */
	madt_add((uint8_t[]){10, 12, 5, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0});
	madt_add((uint8_t[]){0x7f, 3, 0}); /* unknown type: skipped */

	assert_int_equal(acpi_parse_madt(&info, madt_buf, madt_len), 0);
	const struct acpi_madt *m = &info.madt;
	assert_int_equal(m->lapic_addr, 0x1fee00000ull);
	assert_int_equal(m->cpu_count, 3);
	assert_int_equal(m->cpus_enabled, 2);
	assert_int_equal(m->cpus[0].apic_id, 0);
	assert_int_equal(m->cpus[0].flags, ACPI_CPU_ENABLED);
	assert_int_equal(m->cpus[1].apic_id, 2);
	assert_int_equal(m->cpus[1].flags, ACPI_CPU_ONLINE_CAPABLE);
	assert_int_equal(m->cpus[2].apic_id, 256);
	assert_int_equal(m->cpus[2].acpi_id, 7);
	assert_true(m->cpus[2].x2apic);
	assert_int_equal(m->ioapic_count, 1);
	assert_int_equal(m->ioapics[0].id, 3);
	assert_int_equal(m->ioapics[0].gsi_base, 24);
	assert_int_equal(m->override_count, 2);
	assert_int_equal(m->nmi_count, 2);
	assert_int_equal(m->nmis[0].acpi_id, 2);
	assert_int_equal(m->nmis[0].flags, 5);
	assert_int_equal(m->nmis[0].lint, 0);
	assert_int_equal(m->nmis[1].acpi_id, ACPI_NMI_ALL_CPUS);
	assert_int_equal(m->nmis[1].flags, 5);
	assert_int_equal(m->nmis[1].lint, 1);
	assert_true(m->nmis[1].x2apic);
	assert_int_equal(m->dropped, 3);
	assert_true(host_log_contains("duplicate APIC id"));
	assert_true(host_log_contains("LINT pin"));

	uint16_t fl;
	assert_int_equal(acpi_irq_to_gsi(&info, 9, &fl), 20);
	assert_int_equal(fl, 0x0f);
	assert_int_equal(acpi_irq_to_gsi(&info, 4, &fl), 4); /* bus 1 override ignored */
}

static void test_madt_capacity(void **state)
{
	madt_begin(0xfee00000);
	for (uint32_t i = 0; i < 300; i++) {
		uint8_t e[16] = {9, 16};
		wr32(e + 4, i);
		wr32(e + 8, 1);
		wr32(e + 12, i);
		madt_add(e);
	}
	for (uint8_t i = 0; i < 20; i++)
		madt_add((uint8_t[]){1, 12, i, 0, 0, 0, 0xc0, 0xfe, (uint8_t)(24 * i), 0, 0, 0});
	for (uint8_t i = 0; i < 50; i++)
		madt_add((uint8_t[]){2, 10, 0, i, i, 0, 0, 0, 0, 0});
	for (uint8_t i = 0; i < 20; i++)
		madt_add((uint8_t[]){4, 6, i, 0, 0, 1});
	assert_true(madt_len < sizeof(madt_buf));
	assert_int_equal(acpi_parse_madt(&info, madt_buf, madt_len), 0);
	const struct acpi_madt *m = &info.madt;
	assert_int_equal(m->cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(m->cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_int_equal(m->ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(m->override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(m->nmi_count, ACPI_MAX_NMIS);
	assert_int_equal(m->dropped, (300 - 256) + (20 - 16) + (50 - 48) + (20 - 16));
	assert_true(host_log_contains("more than 256 CPUs"));
	assert_true(host_log_contains("more than 16 I/O APICs"));
	assert_true(host_log_contains("more than 48 interrupt source overrides"));
	assert_true(host_log_contains("more than 16 NMI entries"));
}

static void test_madt_no_cpu(void **state)
{
	madt_begin(0xfee00000);
	madt_add((uint8_t[]){0, 8, 0, 0, 0, 0, 0, 0}); /* disabled */
	assert_int_equal(acpi_parse_madt(&info, madt_buf, madt_len), -ERR_FORMAT);
	assert_string_equal(info.error, "MADT lists no enabled CPU");
	assert_false(info.madt.found);
}

/* Malformed entry layouts reject the whole table, whatever came before. */
static void test_madt_bad_entries(void **state)
{
	static const struct {
		uint8_t entry[4];
		size_t len; /* bytes of entry[] appended */
		const char *msg;
	} cases[] = {
	    {{0, 0}, 2, "zero-length entry (type 0, length 0) at offset 52"},
	    {{9, 1}, 2, "zero-length entry (type 9, length 1) at offset 52"},
	    {{0, 8}, 2, "entry (type 0, length 8) at offset 52 runs past the end"},
	    {{0x7f, 5, 0, 0}, 4, "entry (type 127, length 5) at offset 52 runs past"},
	    {{9}, 1, "truncated entry header at offset 52"},
	    {{9, 12, 0, 0}, 2, "entry (type 9, length 12)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		madt_begin(0xfee00000);
		madt_add((uint8_t[]){0, 8, 0, 0, 1, 0, 0, 0});
		memcpy(madt_buf + madt_len, cases[i].entry, cases[i].len);
		madt_len += cases[i].len;
		assert_int_equal(acpi_parse_madt(&info, madt_buf, madt_len), -ERR_FORMAT);
		if (!strstr(info.error, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, info.error, cases[i].msg);
		assert_false(info.madt.found);
		assert_int_equal(info.madt.cpu_count, 0);
	}
	/* A type 9 entry of 12 bytes that fits is too short for its fields. */
	madt_begin(0xfee00000);
	uint8_t e[12] = {9, 12};
	madt_add(e);
	assert_int_equal(acpi_parse_madt(&info, madt_buf, madt_len), -ERR_FORMAT);
	assert_non_null(strstr(info.error, "entry type 9 at offset 44 is too short (12 < 16)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_madt_synthetic, setup),
	    cmocka_unit_test_setup(test_madt_capacity, setup),
	    cmocka_unit_test_setup(test_madt_no_cpu, setup),
	    cmocka_unit_test_setup(test_madt_bad_entries, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
