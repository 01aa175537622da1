/*
 * What the boot-information parsers share (private to kernel/boot/bootinfo*.c;
 * nothing else includes this).
 *
 * bootinfo.c owns the parse state, the memory map (merging entries as they
 * are added, normalisation, the final checks) and the error reporting;
 * bootinfo_mb2.c and bootinfo_pvh.c own their protocol's layout and feed the
 * map through bi_mmap_add(). Every parser begins with bi_parse_begin() and,
 * once all input is read, ends with bi_parse_finish().
 *
 * Trust: a pointer that phys_read returns is used only until the next
 * phys_read call (a callback may reuse one temporary mapping window), and
 * loader data is read with get_le32()/get_le64() only after the offset has been
 * checked against the length phys_read granted.
 */
#ifndef ORB_BOOT_BOOTINFO_INTERNAL_H
#define ORB_BOOT_BOOTINFO_INTERNAL_H

#include "boot/bootinfo.h"
#include "lib/string.h"
#include "lib/unaligned.h"

/* Memory-map entries accepted from one loader, before merging. */
#define BOOT_MMAP_RAW_MAX 2048

/* Repairs made to the memory map; each kind is reported once per parse. */
struct bi_repairs {
	bool sorted, empty, overlap;
	paddr_t overlap_at;    /* where the first overlap begins */
	uint32_t overlap_type; /* the type kept there */
};

struct bi_parse {
	struct boot_info *bi;
	boot_phys_read_fn phys_read;
	void *ctx;
	size_t raw_entries;	/* memory-map entries seen, before merging */
	size_t modules_dropped; /* past BOOT_MODULES_MAX */
	struct bi_repairs rep;
};

/* Writes the one-line reason into bi->error; returns -ERR_FORMAT. */
int bi_fail(struct boot_info *bi, const char *fmt, ...) __printf(2, 3);

/* Clears *bi, records the protocol and sets up *ps. */
void bi_parse_begin(struct bi_parse *ps, struct boot_info *bi, uint32_t protocol,
		    boot_phys_read_fn phys_read, void *ctx);

/*
 * Adds one loader memory-map entry (empty ones are dropped, one continuing
 * the previous entry with the same type is merged into it). Fails if
 * base + length wraps, or past BOOT_MMAP_RAW_MAX entries or BOOT_MMAP_MAX
 * distinct regions.
 */
int bi_mmap_add(struct bi_parse *ps, uint64_t base, uint64_t length, uint32_t type);

/* Memory type for E820 numbering (also Multiboot2's): 1 RAM, 3 ACPI, 4 NVS, 5 bad. */
uint32_t bi_e820_type(uint32_t t);

/* Normalises the map, reports the repairs and runs the final checks. */
int bi_parse_finish(struct bi_parse *ps);

#endif
