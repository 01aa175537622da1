/*
 * libFuzzer target for the ACPI parser (kernel/boot/acpi.c, acpi_madt.c).
 *
 * Input: byte 0 is a mode byte, the rest is physical memory starting at
 * MEM_BASE, with the RSDP at MEM_BASE (so every table pointer in the input is
 * MEM_BASE + an offset into it). Mode bits:
 *   bit 0  before parsing, repair the checksums of the RSDP and of every
 *          header-shaped structure with a known signature, so the fuzzer gets
 *          past checksum validation into the walk and the MADT decoding;
 *   bit 1  pass the RSDP as a copy of the first 36 bytes (the Multiboot2
 *          case) instead of by address;
 *   bit 2  also decode the memory directly as a MADT (acpi_parse_madt).
 * acpi_find_rsdp is run over the memory every time. Memory outside the input
 * is unreadable (the read callback returns NULL), and each read returns a
 * fresh heap copy of exactly the bytes asked for, freed at the next read, so
 * ASan catches over-reads and pointers kept across reads.
 *
 * Seeds (tests/fuzz/corpus/acpi/) are QEMU's real tables relocated into this
 * layout by `tools/acpi-dump.py --fuzz-seed`. A crash, a hang, a sanitizer
 * report or a result breaking the promises of acpi.h (checked below) is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "boot/acpi.h"

#define MEM_BASE 0x1000u

struct fuzz_mem {
	const uint8_t *data;
	size_t size;
	void *last;
};

static const void *fuzz_read(void *ctx, uint64_t paddr, size_t len)
{
	struct fuzz_mem *m = ctx;
	free(m->last);
	m->last = NULL;
	if (paddr < MEM_BASE || len > m->size || paddr - MEM_BASE > m->size - len)
		return NULL;
	m->last = malloc(len ? len : 1);
	if (m->last)
		memcpy(m->last, m->data + (paddr - MEM_BASE), len);
	return m->last;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Makes every RSDP-like or table-like structure's checksum right (mode bit 0). */
static void fix_checksums(uint8_t *mem, size_t size)
{
	static const char *const sigs[] = {"RSDT", "XSDT", "APIC", "FACP", "HPET", "MCFG"};
	if (size >= 20 && memcmp(mem, "RSD PTR ", 8) == 0) {
		mem[8] = 0;
		mem[8] = (uint8_t)-sum8(mem, 20);
		if (size >= 36) {
			mem[32] = 0;
			mem[32] = (uint8_t)-sum8(mem, 36);
		}
	}
	for (size_t off = 0; size >= 36 && off <= size - 36; off++) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			if (memcmp(mem + off, sigs[i], 4) != 0)
				continue;
			uint32_t len;
			memcpy(&len, mem + off + 4, 4);
			if (len >= 36 && len <= size - off) {
				mem[off + 9] = 0;
				mem[off + 9] = (uint8_t)-sum8(mem + off, len);
			}
		}
	}
}

static int strnul(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

/* The promises acpi.h makes about a result. */
static void check_result(const struct acpi_info *info, int err)
{
	const struct acpi_madt *m = &info->madt;
	if (!strnul(info->error, sizeof(info->error)) ||
	    !strnul(info->oem_id, sizeof(info->oem_id)))
		abort();
	if (info->table_count > ACPI_MAX_TABLES || m->cpu_count > ACPI_MAX_CPUS ||
	    m->ioapic_count > ACPI_MAX_IOAPICS || m->override_count > ACPI_MAX_OVERRIDES ||
	    m->nmi_count > ACPI_MAX_NMIS || m->cpus_enabled > m->cpu_count)
		abort();
	for (size_t i = 0; i < info->table_count; i++)
		if (!strnul(info->tables[i].sig, 5) || info->tables[i].length < ACPI_HEADER_LEN ||
		    info->tables[i].length > ACPI_TABLE_MAX_LEN)
			abort();
	if (err != 0) {
		if ((err != -ERR_FORMAT && err != -ERR_NOENT) || info->error[0] == 0 || m->found ||
		    m->cpu_count || m->ioapic_count || m->override_count || m->nmi_count)
			abort();
		return;
	}
	if (!m->found || m->cpus_enabled == 0 || info->error[0] != 0)
		abort();
	for (size_t i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].flags == 0 || (m->cpus[i].flags & ~3u))
			abort();
		for (size_t j = 0; j < i; j++)
			if (m->cpus[i].apic_id == m->cpus[j].apic_id)
				abort();
	}
	for (size_t i = 0; i < m->nmi_count; i++)
		if (m->nmis[i].lint > 1)
			abort();
	for (unsigned irq = 0; irq < 256; irq++) {
		uint16_t flags;
		uint32_t gsi = acpi_irq_to_gsi(info, (uint8_t)irq, &flags);
		bool over = false;
		for (size_t i = 0; i < m->override_count; i++)
			over |= m->overrides[i].bus == 0 && m->overrides[i].source_irq == irq;
		if (!over && (gsi != irq || flags != 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info; /* large: not on the stack */
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	size_t n = size - 1;
	uint8_t *mem = malloc(n ? n : 1);
	if (!mem)
		return 0;
	memcpy(mem, data + 1, n);
	if (mode & 1)
		fix_checksums(mem, n);

	uint64_t found;
	if (acpi_find_rsdp(mem, n, MEM_BASE, &found) == 0) {
		if (found < MEM_BASE || found - MEM_BASE > n - 20 || (found & 15) ||
		    memcmp(mem + (found - MEM_BASE), "RSD PTR ", 8) != 0)
			abort();
	}

	struct fuzz_mem fm = {.data = mem, .size = n};
	int err;
	if (mode & 2) {
		size_t copy = n < ACPI_RSDP_V2_LEN ? n : ACPI_RSDP_V2_LEN;
		err = acpi_parse(&info, mem, copy, MEM_BASE, fuzz_read, &fm);
	} else {
		err = acpi_parse(&info, NULL, 0, MEM_BASE, fuzz_read, &fm);
	}
	check_result(&info, err);

	if (mode & 4) {
		memset(&info, 0, sizeof(info));
		err = acpi_parse_madt(&info, mem, n);
		check_result(&info, err);
	}
	free(fm.last);
	free(mem);
	host_log_clear();
	return 0;
}
