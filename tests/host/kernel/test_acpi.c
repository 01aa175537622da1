/*
 * Tests of the ACPI parser (kernel/boot/acpi.c, kernel/boot/acpi_madt.c).
 *
 * The tables are the real ones QEMU 7.2 builds for `-M pc -smp 4` and
 * `-M q35 -smp 8`, dumped by tools/acpi-dump.py into ACPI_DATA_DIR/<machine>/
 * as SIG@0xPADDR.bin. Each test rebuilds a fake physical memory from those
 * files (one region per table, at its real address), corrupts it as the case
 * needs, and runs the parser over it. The read callback refuses anything not
 * wholly inside one region and returns a fresh heap copy of exactly the bytes
 * asked for, freed at the next call: under ASan, an over-read or a pointer
 * kept across reads fails the test.
 *
 * Expected values are not taken from the parser: they follow from what QEMU's
 * build_madt() (hw/i386/acpi-common.c) emits: one local APIC per CPU with
 * APIC id = ACPI id = index, enabled; one I/O APIC, id 0, at 0xFEC00000 with
 * GSI base 0; an override ISA IRQ 0 -> GSI 2 with conforming flags; an
 * override for each IRQ in ACPI_BUILD_PCI_IRQS (5, 9, 10, 11) to the same GSI,
 * active high and level triggered; one local APIC NMI for all processors on
 * LINT1. The expected table list is computed from the dumped file names.
 * Synthetic MADTs (entry types QEMU's TCG tables lack) are in test_acpi_madt.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "hosted.h"
#include "boot/acpi.h"

#ifndef ACPI_DATA_DIR
#define ACPI_DATA_DIR "tests/host/data/acpi"
#endif

#define QEMU_PCI_IRQS	 ((1u << 5) | (1u << 9) | (1u << 10) | (1u << 11))
#define QEMU_IOAPIC_ADDR 0xfec00000u
#define QEMU_LAPIC_ADDR	 0xfee00000u
#define XSDT_AT		 0x7ff0000u /* free RAM in both dumps, for a built XSDT */
#define UNREADABLE	 0x12345000u

struct region {
	char sig[5];
	uint64_t paddr;
	uint8_t *data;
	size_t len;
};

static struct region regions[32];
static size_t nregions;
static void *last_read;
static struct acpi_info info;

static const void *phys_read(void *ctx, uint64_t paddr, size_t len)
{
	(void)ctx;
	free(last_read);
	last_read = NULL;
	for (size_t i = 0; i < nregions; i++) {
		struct region *r = &regions[i];
		if (paddr >= r->paddr && len <= r->len && paddr - r->paddr <= r->len - len) {
			last_read = malloc(len ? len : 1);
			memcpy(last_read, r->data + (paddr - r->paddr), len);
			return last_read;
		}
	}
	return NULL;
}

static struct region *add_region(const char *sig, uint64_t paddr, const void *data, size_t len)
{
	assert_true(nregions < 32);
	struct region *r = &regions[nregions++];
	snprintf(r->sig, sizeof(r->sig), "%s", sig);
	r->paddr = paddr;
	r->len = len;
	r->data = malloc(len);
	memcpy(r->data, data, len);
	return r;
}

static struct region *region(const char *sig)
{
	for (size_t i = 0; i < nregions; i++)
		if (strcmp(regions[i].sig, sig) == 0)
			return &regions[i];
	fail_msg("no %s in the dump", sig);
	return NULL;
}

/* Loads every SIG@0xADDR.bin of a machine's dump as a region. */
static void load(const char *machine)
{
	char dir[512], path[1024];
	snprintf(dir, sizeof(dir), "%s/%s", ACPI_DATA_DIR, machine);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char sig[5];
		unsigned long long addr;
		if (sscanf(de->d_name, "%4[A-Z]@%llx.bin", sig, &addr) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		uint8_t buf[16384];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_true(n > 0 && n < sizeof(buf));
		add_region(sig, addr, buf, n);
	}
	closedir(d);
	assert_true(nregions >= 6);
}

static int setup(void **state)
{
	memset(&info, 0xa5, sizeof(info)); /* the parser must clear it */
	host_log_clear();
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < nregions; i++)
		free(regions[i].data);
	nregions = 0;
	free(last_read);
	last_read = NULL;
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Makes a table's checksum (byte 9) right again after an edit. */
static void fix_table(struct region *r)
{
	r->data[9] = (uint8_t)(r->data[9] - sum8(r->data, r->len));
	assert_int_equal(sum8(r->data, r->len), 0);
}

static int parse_dump(void)
{
	struct region *rsdp = region("RSDP");
	return acpi_parse(&info, NULL, 0, rsdp->paddr, phys_read, NULL);
}

/* Parses and expects failure err with reason containing msg, and no MADT result. */
static void expect_fail(int err, const char *msg)
{
	assert_int_equal(parse_dump(), -err);
	if (!strstr(info.error, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", info.error, msg);
	assert_false(info.madt.found);
	assert_int_equal(info.madt.cpu_count, 0);
}

/*
 * Turns the RSDP into a revision-2 one whose XSDT (built at XSDT_AT from the
 * RSDT's entries) is at xsdt (0 = none, and no XSDT is built).
 */
static void make_v2(uint64_t xsdt)
{
	struct region *rsdt = region("RSDT"), *rsdp = region("RSDP");
	uint8_t x[256] = {0};
	size_t n = (rsdt->len - 36) / 4;
	memcpy(x, rsdt->data, 36);
	memcpy(x, "XSDT", 4);
	wr32(x + 4, (uint32_t)(36 + 8 * n));
	for (size_t i = 0; i < n; i++) {
		uint64_t e = rd32(rsdt->data + 36 + 4 * i);
		memcpy(x + 36 + 8 * i, &e, 8);
	}
	fix_table(add_region("XSDT", XSDT_AT, x, 36 + 8 * n));

	rsdp->data = realloc(rsdp->data, 36);
	rsdp->len = 36;
	uint8_t *p = rsdp->data;
	memset(p + 20, 0, 16);
	p[15] = 2;
	wr32(p + 20, 36);
	memcpy(p + 24, &xsdt, 8);
	p[8] = 0;
	p[8] = (uint8_t)-sum8(p, 20);
	p[32] = 0;
	p[32] = (uint8_t)-sum8(p, 36);
}

/* Checks the MADT result against what QEMU 7.2 builds for ncpus CPUs (see top). */
static void check_qemu_madt(size_t ncpus)
{
	const struct acpi_madt *m = &info.madt;
	assert_true(m->found);
	assert_int_equal(m->paddr, region("APIC")->paddr);
	assert_int_equal(m->lapic_addr, QEMU_LAPIC_ADDR);
	assert_int_equal(m->flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(m->cpu_count, ncpus);
	assert_int_equal(m->cpus_enabled, ncpus);
	for (size_t i = 0; i < ncpus; i++) {
		assert_int_equal(m->cpus[i].apic_id, i);
		assert_int_equal(m->cpus[i].acpi_id, i);
		assert_int_equal(m->cpus[i].flags, ACPI_CPU_ENABLED);
		assert_false(m->cpus[i].x2apic);
	}
	assert_int_equal(m->ioapic_count, 1);
	assert_int_equal(m->ioapics[0].id, 0);
	assert_int_equal(m->ioapics[0].address, QEMU_IOAPIC_ADDR);
	assert_int_equal(m->ioapics[0].gsi_base, 0);

	size_t want = 1 + (size_t)__builtin_popcount(QEMU_PCI_IRQS);
	assert_int_equal(m->override_count, want);
	assert_int_equal(m->overrides[0].bus, 0);
	assert_int_equal(m->overrides[0].source_irq, 0);
	assert_int_equal(m->overrides[0].gsi, 2);
	assert_int_equal(m->overrides[0].flags, 0);
	size_t k = 1;
	for (unsigned irq = 1; irq < 16; irq++) {
		if (!(QEMU_PCI_IRQS & (1u << irq)))
			continue;
		assert_int_equal(m->overrides[k].bus, 0);
		assert_int_equal(m->overrides[k].source_irq, irq);
		assert_int_equal(m->overrides[k].gsi, irq);
		assert_int_equal(m->overrides[k].flags,
				 ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_LEVEL);
		k++;
	}
	assert_int_equal(m->nmi_count, 1);
	assert_int_equal(m->nmis[0].acpi_id, ACPI_NMI_ALL_CPUS);
	assert_int_equal(m->nmis[0].flags, 0);
	assert_int_equal(m->nmis[0].lint, 1);
	assert_int_equal(m->dropped, 0);

	uint16_t fl = 0xffff;
	assert_int_equal(acpi_irq_to_gsi(&info, 0, &fl), 2);
	assert_int_equal(fl, 0);
	assert_int_equal(acpi_irq_to_gsi(&info, 9, &fl), 9);
	assert_int_equal(fl, ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_LEVEL);
	assert_int_equal(acpi_irq_to_gsi(&info, 4, &fl), 4);
	assert_int_equal(fl, 0);
	assert_int_equal(acpi_irq_to_gsi(&info, 1, NULL), 1);
}

/* Every dumped table the RSDT lists (all but RSDP, RSDT, DSDT, FACS) is recorded. */
static void check_tables(void)
{
	size_t want = 0;
	for (size_t i = 0; i < nregions; i++) {
		const char *s = regions[i].sig;
		if (!strcmp(s, "RSDP") || !strcmp(s, "RSDT") || !strcmp(s, "XSDT") ||
		    !strcmp(s, "DSDT") || !strcmp(s, "FACS"))
			continue;
		want++;
		const struct acpi_table_ref *t = acpi_find_table(&info, s);
		assert_non_null(t);
		assert_int_equal(t->paddr, regions[i].paddr);
		assert_int_equal(t->length, regions[i].len);
	}
	assert_int_equal(info.table_count, want);
	assert_null(acpi_find_table(&info, "SSDT"));
}

static void check_machine(const char *machine, size_t ncpus)
{
	load(machine);
	assert_int_equal(parse_dump(), 0);
	assert_string_equal(info.error, "");
	assert_int_equal(info.revision, 0);
	assert_false(info.xsdt);
	assert_int_equal(info.root_paddr, region("RSDT")->paddr);
	assert_int_equal(info.rsdp_paddr, region("RSDP")->paddr);
	assert_string_equal(info.oem_id, "BOCHS ");
	check_tables();
	check_qemu_madt(ncpus);
}

static void test_qemu_pc(void **state)
{
	check_machine("pc", 4);
}

static void test_qemu_q35(void **state)
{
	check_machine("q35", 8);
	assert_non_null(acpi_find_table(&info, "MCFG"));
}

/* The RSDP given as a copy (the Multiboot2 case) parses the same; a short copy is refused. */
static void test_rsdp_copy(void **state)
{
	load("q35");
	struct region *r = region("RSDP");
	assert_int_equal(acpi_parse(&info, r->data, r->len, 0, phys_read, NULL), 0);
	check_qemu_madt(8);
	assert_int_equal(acpi_parse(&info, r->data, 19, 0, phys_read, NULL), -ERR_FORMAT);
	assert_non_null(strstr(info.error, "RSDP copy is only 19 bytes"));
}

static void test_bad_rsdp_checksum(void **state)
{
	load("pc");
	region("RSDP")->data[10] ^= 0x20; /* in the OEM id */
	expect_fail(ERR_FORMAT, "RSDP at 0xf59d0: bad checksum");
	assert_int_equal(acpi_parse(&info, region("RSDP")->data, 20, 0, phys_read, NULL),
			 -ERR_FORMAT);
	assert_string_equal(info.error, "RSDP copy: bad checksum");
}

static void test_bad_rsdp_signature(void **state)
{
	load("pc");
	region("RSDP")->data[0] = 'X';
	expect_fail(ERR_FORMAT, "RSDP at 0xf59d0: bad signature");
}

static void test_xsdt(void **state)
{
	load("pc");
	make_v2(XSDT_AT);
	region("RSDT")->data[20] ^= 1; /* a broken RSDT must not matter: the XSDT is used */
	assert_int_equal(parse_dump(), 0);
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt);
	assert_int_equal(info.root_paddr, XSDT_AT);
	check_tables();
	check_qemu_madt(4);
}

static void test_bad_extended_checksum(void **state)
{
	load("pc");
	make_v2(XSDT_AT);
	region("RSDP")->data[33] ^= 1; /* reserved byte: only the extended checksum covers it */
	expect_fail(ERR_FORMAT, "RSDP at 0xf59d0: bad extended checksum");
}

static void test_bad_rsdp_length(void **state)
{
	load("pc");
	make_v2(XSDT_AT);
	uint8_t *p = region("RSDP")->data;
	wr32(p + 20, 0x10000); /* not covered by the v1 checksum */
	expect_fail(ERR_FORMAT, "implausible length 65536");
	wr32(p + 20, 40); /* plausible, but only 36 bytes exist */
	expect_fail(ERR_FORMAT, "not readable");
}

static void test_bad_xsdt_checksum(void **state)
{
	load("pc");
	make_v2(XSDT_AT);
	region("XSDT")->data[40] ^= 0x80;
	expect_fail(ERR_FORMAT, "XSDT at 0x7ff0000: bad checksum");
}

static void test_xsdt_unreadable(void **state)
{
	load("pc");
	make_v2(UNREADABLE);
	expect_fail(ERR_FORMAT, "XSDT at 0x12345000 is not readable");
}

/* Revision 0 means no XSDT, even when one is in memory; revision 2 with no XSDT address too. */
static void test_rsdt_fallback(void **state)
{
	load("pc");
	make_v2(0);
	assert_int_equal(parse_dump(), 0);
	assert_int_equal(info.revision, 2);
	assert_false(info.xsdt);
	assert_int_equal(info.root_paddr, region("RSDT")->paddr);
	check_qemu_madt(4);

	uint8_t *p = region("RSDP")->data;
	uint64_t x = XSDT_AT;
	memcpy(p + 24, &x, 8); /* an XSDT address, but revision 0 */
	p[15] = 0;
	p[8] = 0;
	p[8] = (uint8_t)-sum8(p, 20);
	assert_int_equal(parse_dump(), 0);
	assert_false(info.xsdt);
	assert_int_equal(info.root_paddr, region("RSDT")->paddr);
	check_qemu_madt(4);
}

static void test_bad_rsdt(void **state)
{
	load("q35");
	struct region *r = region("RSDT");
	r->data[36] ^= 4;
	expect_fail(ERR_FORMAT, "RSDT at 0x7fe24cc: bad checksum");
	r->data[36] ^= 4;
	wr32(r->data + 4, 35);
	expect_fail(ERR_FORMAT, "RSDT at 0x7fe24cc: length 35 is shorter than its header");
	wr32(r->data + 4, (uint32_t)r->len + 4);
	expect_fail(ERR_FORMAT, "RSDT at 0x7fe24cc: length 60 runs past readable memory");
	wr32(r->data + 4, 0x7fffffff);
	expect_fail(ERR_FORMAT, "implausible length");
}

static void test_bad_madt_checksum(void **state)
{
	load("pc");
	region("APIC")->data[50] ^= 1;
	expect_fail(ERR_FORMAT, "MADT at 0x7fe1a70: bad checksum");
}

static void test_madt_truncated_lengths(void **state)
{
	load("pc");
	struct region *m = region("APIC");
	wr32(m->data + 4, 20);
	expect_fail(ERR_FORMAT, "MADT at 0x7fe1a70: length 20 is shorter than its header");
	wr32(m->data + 4, (uint32_t)m->len + 1);
	expect_fail(ERR_FORMAT, "MADT at 0x7fe1a70: length 145 runs past readable memory");
	/* A valid header but no room for the local APIC address and flags. */
	wr32(m->data + 4, 40);
	m->len = 40;
	fix_table(m);
	expect_fail(ERR_FORMAT, "MADT: length 40 is too short");
}

static void test_madt_zero_length_entry(void **state)
{
	load("q35");
	struct region *m = region("APIC");
	assert_int_equal(m->data[44], 0); /* the first entry: a local APIC */
	m->data[45] = 0;
	fix_table(m);
	expect_fail(ERR_FORMAT, "MADT: zero-length entry (type 0, length 0) at offset 44");
	m->data[45] = 1;
	fix_table(m);
	expect_fail(ERR_FORMAT, "zero-length entry (type 0, length 1)");
}

static void test_madt_entry_past_end(void **state)
{
	load("pc");
	struct region *m = region("APIC");
	size_t last = m->len - 6; /* QEMU's MADT ends with the 6-byte local APIC NMI entry */
	assert_int_equal(m->data[last], 4);
	assert_int_equal(m->data[last + 1], 6);
	m->data[last + 1] = 7;
	fix_table(m);
	expect_fail(ERR_FORMAT, "entry (type 4, length 7) at offset 138 runs past the end");
	/* One stray byte after the last entry: no room for an entry header. */
	m->data[last + 1] = 6;
	m->data = realloc(m->data, m->len + 1);
	m->data[m->len++] = 0;
	wr32(m->data + 4, (uint32_t)m->len);
	fix_table(m);
	expect_fail(ERR_FORMAT, "truncated entry header at offset 144");
}

static void test_madt_entry_too_short(void **state)
{
	load("pc");
	struct region *m = region("APIC");
	assert_int_equal(m->data[0x4c], 1); /* the I/O APIC entry */
	m->data[0x4d] = 10; /* then the next entry starts in its GSI base: still must fail */
	fix_table(m);
	expect_fail(ERR_FORMAT, "entry type 1 at offset 76 is too short (10 < 12)");
}

/* A bad table other than the MADT is skipped with a warning; a missing MADT is an error. */
static void test_other_tables(void **state)
{
	load("q35");
	region("HPET")->data[40] ^= 1;
	assert_int_equal(parse_dump(), 0);
	assert_null(acpi_find_table(&info, "HPET"));
	assert_non_null(acpi_find_table(&info, "MCFG"));
	assert_true(host_log_contains("HPET at 0x7fe2430: bad checksum; skipped"));
	check_qemu_madt(8);

	memcpy(region("APIC")->data, "APIX", 4);
	fix_table(region("APIC"));
	expect_fail(ERR_NOENT, "no MADT (\"APIC\" table) in the RSDT");
	assert_non_null(acpi_find_table(&info, "APIX"));
}

/*
 * An RSDT entry pointing to unreadable memory is skipped with a warning (its
 * signature cannot be known); if that was the MADT, there is then no MADT.
 */
static void test_rsdt_entry_unreadable(void **state)
{
	load("pc");
	struct region *r = region("RSDT"), *m = region("APIC");
	size_t n = (r->len - 36) / 4, madt = n;
	for (size_t i = 0; i < n; i++)
		if (rd32(r->data + 36 + 4 * i) == m->paddr)
			madt = i;
	assert_true(madt < n);
	wr32(r->data + 36 + 4 * ((madt + 1) % n), UNREADABLE);
	fix_table(r);
	assert_int_equal(parse_dump(), 0);
	assert_true(host_log_contains("table at 0x12345000 is not readable; skipped"));
	check_qemu_madt(4);
	m->paddr = UNREADABLE + 0x100000; /* the MADT moves away from its RSDT entry */
	expect_fail(ERR_NOENT, "no MADT");
	assert_true(host_log_contains("table at 0x7fe1a70 is not readable; skipped"));
}

/* acpi_find_rsdp over a copy of the BIOS area with a decoy before the real RSDP. */
static void test_find_rsdp(void **state)
{
	load("pc");
	struct region *r = region("RSDP");
	const uint64_t base = 0xe0000;
	size_t size = 0x20000;
	uint8_t *area = calloc(1, size);
	uint64_t found = 0;
	assert_int_equal(acpi_find_rsdp(area, size, base, &found), -ERR_NOENT);

	memcpy(area + (r->paddr - base), r->data, r->len);
	memcpy(area + 0x100, r->data, 20); /* a decoy with a wrong checksum */
	area[0x100 + 8] ^= 1;
	memcpy(area + 0x208, r->data, 20); /* a valid one, but not 16-byte aligned */
	assert_int_equal(acpi_find_rsdp(area, size, base, &found), 0);
	assert_int_equal(found, r->paddr);

	/* The alignment is physical: an area starting at 0xe0008 has its boundaries at 8, 24... */
	assert_int_equal(acpi_find_rsdp(area + 8, size - 8, base + 8, &found), 0);
	assert_int_equal(found, r->paddr);
	assert_int_equal(acpi_find_rsdp(area + 0x200, 0x18, base + 0x200, &found), -ERR_NOENT);
	assert_int_equal(acpi_find_rsdp(area + 0x208, 0x14, base + 0x200, &found), 0);
	assert_int_equal(found, base + 0x200);
	/* An RSDP cut off by the area's end is not found. */
	assert_int_equal(acpi_find_rsdp(area, r->paddr - base + 19, base, &found), -ERR_NOENT);
	free(area);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_qemu_pc),
	    T(test_qemu_q35),
	    T(test_rsdp_copy),
	    T(test_bad_rsdp_checksum),
	    T(test_bad_rsdp_signature),
	    T(test_xsdt),
	    T(test_bad_extended_checksum),
	    T(test_bad_rsdp_length),
	    T(test_bad_xsdt_checksum),
	    T(test_xsdt_unreadable),
	    T(test_rsdt_fallback),
	    T(test_bad_rsdt),
	    T(test_bad_madt_checksum),
	    T(test_madt_truncated_lengths),
	    T(test_madt_zero_length_entry),
	    T(test_madt_entry_past_end),
	    T(test_madt_entry_too_short),
	    T(test_other_tables),
	    T(test_rsdt_entry_unreadable),
	    T(test_find_rsdp),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
