/*
 * Symbol lookup in the embedded table.
 *
 * Format (little endian): u64 count, then count entries {u64 addr, u64
 * name_offset} sorted by address, then NUL-terminated names; offsets count
 * from the start of the table. The lookup checks every offset against the
 * table size, so even a damaged table cannot make a backtrace fault.
 */
#include "debug/ksyms.h"
#include "lib/string.h"

#ifndef ORB_HOSTED
extern const uint8_t __ksyms_start[], __ksyms_end[];
#endif

struct ksym_entry {
	uint64_t addr;
	uint64_t name_off;
};

/* Largest plausible function: beyond this, an address is "past the last symbol". */
#define KSYM_MAX_FUNC 0x100000

const char *ksyms_lookup_in(const void *table, size_t size, uint64_t addr, uint64_t *offset)
{
	const uint8_t *base = table;
	uint64_t count;
	if (size < 8)
		return NULL;
	memcpy(&count, base, 8);
	if (count == 0 || count > (size - 8) / sizeof(struct ksym_entry))
		return NULL;
	const struct ksym_entry *e = (const void *)(base + 8);

	size_t lo = 0, hi = count; /* find the last entry with e.addr <= addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct ksym_entry *hit = &e[lo - 1];
	if (addr - hit->addr > KSYM_MAX_FUNC)
		return NULL;
	if (hit->name_off >= size || !memchr(base + hit->name_off, 0, size - hit->name_off))
		return NULL;
	if (offset)
		*offset = addr - hit->addr;
	return (const char *)base + hit->name_off;
}

#ifndef ORB_HOSTED
static size_t table_size(void)
{
	return (size_t)(__ksyms_end - __ksyms_start);
}

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	return ksyms_lookup_in(__ksyms_start, table_size(), addr, offset);
}

size_t ksyms_count(void)
{
	uint64_t count = 0;
	if (table_size() >= 8)
		memcpy(&count, __ksyms_start, 8);
	return count;
}

uint64_t ksyms_address(const char *name)
{
	const struct ksym_entry *e = (const void *)(__ksyms_start + 8);
	size_t n = ksyms_count(), size = table_size();
	for (size_t i = 0; i < n && 8 + (i + 1) * sizeof(*e) <= size; i++)
		if (e[i].name_off < size && strncmp((const char *)__ksyms_start + e[i].name_off,
						    name, size - e[i].name_off) == 0)
			return e[i].addr;
	return 0;
}
#endif
