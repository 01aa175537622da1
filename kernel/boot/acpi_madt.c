/*
 * ACPI discovery, part 2: decoding the MADT ("APIC" table) into struct
 * acpi_madt. The caller (acpi.c) has already checked the header, the length
 * and the checksum; this file owns the entry walk and the per-entry checks.
 *
 * Entry types understood: 0 processor local APIC, 1 I/O APIC, 2 interrupt
 * source override, 4 local APIC NMI, 5 local APIC address override, 9
 * processor local x2APIC, 10 local x2APIC NMI. Others are skipped by length.
 *
 * Trust boundary: the table is firmware input. The walk is bounded by the
 * validated table length; before an entry is decoded its two-byte header must
 * fit, its length must be at least 2 (a zero length would loop forever), must
 * not run past the table, and must be at least the size of its type's fields.
 * Any of these failing rejects the whole MADT (-ERR_FORMAT with the offset in
 * out->error), since the entries after a bad one cannot be located. Bad
 * values inside a well-formed entry (duplicate APIC id, LINT pin other than 0
 * or 1, no room left in an array) drop just that entry with a warning.
 */
#include "boot/acpi.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MADT_FIXED_LEN 44 /* header + local APIC address + flags */

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 10,
};

/* Minimum entry length per type (its fields), 0 for types not decoded. */
static uint8_t madt_min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_OVERRIDE:
		return 10;
	case MADT_LAPIC_NMI:
		return 6;
	case MADT_LAPIC_ADDR:
		return 12;
	case MADT_X2APIC:
		return 16;
	case MADT_X2APIC_NMI:
		return 12;
	default:
		return 0;
	}
}

/* Drops an entry: counts it and warns, once per kind of reason per table. */
static void madt_drop(struct acpi_madt *m, bool *warned, const char *what)
{
	m->dropped++;
	if (!*warned) {
		*warned = true;
		kwarn("ACPI: MADT: %s; entry dropped\n", what);
	}
}

/* Warnings already given while parsing this table (each kind once). */
struct madt_warned {
	bool cpus, ioapics, overrides, nmis, dup_apic, bad_lint, bad_apic_id;
};

static void madt_add_cpu(struct acpi_madt *m, struct madt_warned *w, uint32_t acpi_id,
			 uint32_t apic_id, uint32_t flags, bool x2apic)
{
	flags &= ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE;
	if (flags == 0)
		return; /* neither enabled nor online capable: must not be used */
	if (!x2apic && apic_id == 0xff) {
		madt_drop(m, &w->bad_apic_id, "local APIC id 0xff is the broadcast id");
		return;
	}
	for (size_t i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			madt_drop(m, &w->dup_apic, "duplicate APIC id");
			return;
		}
	}
	if (m->cpu_count == ACPI_MAX_CPUS) {
		madt_drop(m, &w->cpus, "more than 256 CPUs");
		return;
	}
	struct acpi_cpu *c = &m->cpus[m->cpu_count++];
	c->acpi_id = acpi_id;
	c->apic_id = apic_id;
	c->flags = flags;
	c->x2apic = x2apic;
	if (flags & ACPI_CPU_ENABLED)
		m->cpus_enabled++;
}

static void madt_add_nmi(struct acpi_madt *m, struct madt_warned *w, uint32_t acpi_id,
			 uint16_t flags, uint8_t lint, bool x2apic)
{
	if (lint > 1) {
		madt_drop(m, &w->bad_lint, "NMI entry names a LINT pin other than 0 or 1");
		return;
	}
	if (m->nmi_count == ACPI_MAX_NMIS) {
		madt_drop(m, &w->nmis, "more than 16 NMI entries");
		return;
	}
	struct acpi_nmi *n = &m->nmis[m->nmi_count++];
	n->acpi_id = acpi_id;
	n->flags = flags;
	n->lint = lint;
	n->x2apic = x2apic;
}

/* Decodes one entry e of length len (at least madt_min_len(type), checked by the caller). */
static void madt_entry(struct acpi_madt *m, struct madt_warned *w, const uint8_t *e)
{
	switch (e[0]) {
	case MADT_LAPIC:
		madt_add_cpu(m, w, e[2], e[3], get_le32(e + 4), false);
		break;
	case MADT_X2APIC:
		madt_add_cpu(m, w, get_le32(e + 12), get_le32(e + 4), get_le32(e + 8), true);
		break;
	case MADT_IOAPIC:
		if (m->ioapic_count == ACPI_MAX_IOAPICS) {
			madt_drop(m, &w->ioapics, "more than 16 I/O APICs");
			break;
		}
		m->ioapics[m->ioapic_count++] = (struct acpi_ioapic){
		    .id = e[2],
		    .address = get_le32(e + 4),
		    .gsi_base = get_le32(e + 8),
		};
		break;
	case MADT_OVERRIDE:
		if (m->override_count == ACPI_MAX_OVERRIDES) {
			madt_drop(m, &w->overrides, "more than 48 interrupt source overrides");
			break;
		}
		m->overrides[m->override_count++] = (struct acpi_override){
		    .bus = e[2],
		    .source_irq = e[3],
		    .gsi = get_le32(e + 4),
		    .flags = get_le16(e + 8),
		};
		break;
	case MADT_LAPIC_NMI:
		madt_add_nmi(m, w, e[2] == 0xff ? ACPI_NMI_ALL_CPUS : e[2], get_le16(e + 3), e[5],
			     false);
		break;
	case MADT_X2APIC_NMI:
		madt_add_nmi(m, w, get_le32(e + 4), get_le16(e + 2), e[8], true);
		break;
	case MADT_LAPIC_ADDR:
		m->lapic_addr = get_le64(e + 4);
		break;
	default:
		break;
	}
}

static int __printf(2, 3) madt_fail(struct acpi_info *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	memset(&out->madt, 0, sizeof(out->madt));
	return -ERR_FORMAT;
}

int acpi_parse_madt(struct acpi_info *out, const uint8_t *table, size_t len)
{
	struct acpi_madt *m = &out->madt;
	struct madt_warned w = {0};
	memset(m, 0, sizeof(*m));
	if (len < MADT_FIXED_LEN)
		return madt_fail(out, "MADT: length %zu is too short (at least %d)", len,
				 MADT_FIXED_LEN);
	m->lapic_addr = get_le32(table + 36);
	m->flags = get_le32(table + 40);

	size_t off = MADT_FIXED_LEN;
	while (off < len) {
		/* Trust boundary: each check below precedes the bytes it guards. */
		if (len - off < 2)
			return madt_fail(out, "MADT: truncated entry header at offset %zu", off);
		uint8_t type = table[off], elen = table[off + 1];
		if (elen < 2)
			return madt_fail(
			    out, "MADT: zero-length entry (type %u, length %u) at offset %zu", type,
			    elen, off);
		if (elen > len - off)
			return madt_fail(out,
					 "MADT: entry (type %u, length %u) at offset %zu runs past "
					 "the end of the table (%zu bytes)",
					 type, elen, off, len);
		if (elen < madt_min_len(type))
			return madt_fail(out,
					 "MADT: entry type %u at offset %zu is too short (%u < %u)",
					 type, off, elen, madt_min_len(type));
		madt_entry(m, &w, table + off);
		off += elen; /* elen >= 2: the walk always advances */
	}

	if (m->cpus_enabled == 0)
		return madt_fail(out, "MADT lists no enabled CPU");
	m->found = true;
	return 0;
}
