/*
 * Boot information, the protocol-independent part (interface in
 * boot/bootinfo.h): choosing the parser by magic, building and normalising
 * the memory map, the final checks, and the command-line queries. The
 * protocol layouts live in bootinfo_mb2.c and bootinfo_pvh.c; what they share
 * with this file is in bootinfo_internal.h.
 *
 * Policy, for input the kernel can still boot with:
 *  - Framing errors (a Multiboot2 tag running past total_size, no end tag, a
 *    memory map whose entries cannot be walked, an unreadable pointer) are
 *    fatal: nothing after them can be trusted. So is a region or module
 *    whose base + length passes 2^64.
 *  - A malformed optional part (framebuffer, ACPI RSDP) is ignored with a
 *    warning; strings are cut at their tag's end or their buffer's size,
 *    with a warning.
 *  - Modules past BOOT_MODULES_MAX are dropped with a warning. Memory-map
 *    entries are merged as they come; more than BOOT_MMAP_RAW_MAX raw
 *    entries, or more than BOOT_MMAP_MAX distinct regions, is an error,
 *    never silently dropped (losing a reserved region could turn reserved
 *    memory into RAM).
 *
 * Invariants on success: mmap sorted by base, non-overlapping, no empty
 * region, adjacent regions of one type merged, every type within enum
 * boot_mem_type; at least one usable region; every module inside one usable
 * region; cmdline, loader and module names NUL-terminated. No global state.
 */
#include "boot/bootinfo_internal.h"
#include "console/kprintf.h"

static const char *const mem_type_names[] = {"?",	 "usable",   "ACPI reclaimable",
					     "ACPI NVS", "reserved", "bad"};

int bi_fail(struct boot_info *bi, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(bi->error, sizeof(bi->error), fmt, ap);
	va_end(ap);
	return -ERR_FORMAT;
}

void bi_parse_begin(struct bi_parse *ps, struct boot_info *bi, uint32_t protocol,
		    boot_phys_read_fn phys_read, void *ctx)
{
	memset(bi, 0, sizeof(*bi));
	bi->protocol = protocol;
	*ps = (struct bi_parse){.bi = bi, .phys_read = phys_read, .ctx = ctx};
}

uint32_t bi_e820_type(uint32_t t)
{
	switch (t) {
	case 1:
		return BOOT_MEM_USABLE;
	case 3:
		return BOOT_MEM_ACPI_RECLAIM;
	case 4:
		return BOOT_MEM_ACPI_NVS;
	case 5:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Drops empty regions, refuses one that wraps past 2^64 and makes unknown
 * types reserved; *kept is the number of regions left at the front of the map. */
static int mmap_clean(struct boot_info *bi, struct bi_repairs *rep, size_t *kept)
{
	struct boot_mem_region *m = bi->mmap;
	size_t n = 0;
	for (size_t i = 0; i < bi->mmap_count; i++) {
		struct boot_mem_region r = m[i];
		if (r.length == 0) {
			rep->empty = true;
			continue;
		}
		if (r.base + r.length < r.base)
			return bi_fail(bi,
				       "memory map region at 0x%lx (length 0x%lx) wraps past the "
				       "top of the address space",
				       r.base, r.length);
		if (r.type < BOOT_MEM_USABLE || r.type > BOOT_MEM_BAD)
			r.type = BOOT_MEM_RESERVED;
		m[n++] = r;
	}
	*kept = n;
	return 0;
}

/* Sorts m by base: insertion sort, as n is small and often sorted already. */
static void mmap_sort(struct boot_mem_region *m, size_t n, struct bi_repairs *rep)
{
	for (size_t i = 1; i < n; i++) {
		struct boot_mem_region r = m[i];
		size_t j = i;
		for (; j > 0 && m[j - 1].base > r.base; j--)
			m[j] = m[j - 1];
		if (j != i)
			rep->sorted = true;
		m[j] = r;
	}
}

/* Which of the sorted regions m cover x: how many (*cover), the most
 * restrictive type among them (*type) and the next boundary past x (*next).
 * Returns false if no region starts or ends past x. */
static bool mmap_cover(const struct boot_mem_region *m, size_t n, paddr_t x, size_t *cover,
		       uint32_t *type, paddr_t *next)
{
	bool more = false;
	*cover = 0;
	*type = 0;
	*next = 0;
	for (size_t i = 0; i < n; i++) {
		paddr_t b = m[i].base, e = m[i].base + m[i].length;
		if (b > x) { /* sorted: the first base past x is the smallest */
			if (!more || b < *next)
				*next = b;
			return true;
		}
		if (e > x) {
			(*cover)++;
			*type = MAX(*type, m[i].type);
			if (!more || e < *next)
				*next = e;
			more = true;
		}
	}
	return more;
}

/* Sweeps the n sorted regions from boundary to boundary, writing one piece
 * per stretch that some region covers, with the most restrictive type, and
 * merging a piece into the previous one of the same type it continues. */
static int mmap_sweep(struct boot_info *bi, size_t n, struct bi_repairs *rep)
{
	struct boot_mem_region *m = bi->mmap;
	struct boot_mem_region out[BOOT_MMAP_MAX];
	size_t on = 0, cover;
	uint32_t type;
	paddr_t next;
	for (paddr_t x = n ? m[0].base : 0; n && mmap_cover(m, n, x, &cover, &type, &next);
	     x = next) {
		if (cover > 1 && !rep->overlap) {
			rep->overlap = true;
			rep->overlap_at = x;
			rep->overlap_type = type;
		}
		if (cover && on && out[on - 1].type == type &&
		    out[on - 1].base + out[on - 1].length == x) {
			out[on - 1].length += next - x;
		} else if (cover) {
			if (on == BOOT_MMAP_MAX)
				return bi_fail(bi,
					       "memory map has more than %d regions once overlaps "
					       "are split",
					       BOOT_MMAP_MAX);
			out[on++] =
			    (struct boot_mem_region){.base = x, .length = next - x, .type = type};
		}
	}
	memcpy(m, out, on * sizeof(out[0]));
	bi->mmap_count = on;
	return 0;
}

/*
 * Sorts the map, drops empty regions and splits overlaps so that each piece
 * takes the most restrictive type covering it, merging adjacent pieces of one
 * type. A sweep over region boundaries: O(n^2) for n <= BOOT_MMAP_MAX.
 */
static int mmap_resolve(struct boot_info *bi, struct bi_repairs *rep)
{
	size_t n = 0;
	if (bi->mmap_count > BOOT_MMAP_MAX)
		return bi_fail(bi, "memory map count %zu exceeds %d", bi->mmap_count,
			       BOOT_MMAP_MAX);
	int err = mmap_clean(bi, rep, &n);
	if (err)
		return err;
	mmap_sort(bi->mmap, n, rep);
	return mmap_sweep(bi, n, rep);
}

static void repairs_warn(const struct bi_repairs *rep)
{
	if (rep->sorted)
		kwarn("boot: memory map out of order, sorted\n");
	if (rep->empty)
		kwarn("boot: memory map has empty regions, dropped\n");
	if (rep->overlap)
		kwarn("boot: memory map regions overlap at 0x%lx, kept the %s type\n",
		      rep->overlap_at, mem_type_names[rep->overlap_type]);
}

/* Adds one loader entry, merging it into the previous one when it continues it. */
int bi_mmap_add(struct bi_parse *ps, uint64_t base, uint64_t length, uint32_t type)
{
	struct boot_info *bi = ps->bi;
	size_t index = ps->raw_entries++;

	if (ps->raw_entries > BOOT_MMAP_RAW_MAX)
		return bi_fail(bi, "memory map has more than %d entries", BOOT_MMAP_RAW_MAX);
	if (length == 0) {
		ps->rep.empty = true;
		return 0;
	}
	if (base + length < base)
		return bi_fail(bi,
			       "memory map entry %zu at 0x%lx (length 0x%lx) wraps past the top of "
			       "the address space",
			       index, base, length);
	if (bi->mmap_count) {
		struct boot_mem_region *last = &bi->mmap[bi->mmap_count - 1];
		if (last->type == type && last->base + last->length == base) {
			last->length += length; /* cannot wrap: base + length did not */
			return 0;
		}
	}
	if (bi->mmap_count == BOOT_MMAP_MAX) {
		int err = mmap_resolve(bi, &ps->rep);
		if (err)
			return err;
		if (bi->mmap_count == BOOT_MMAP_MAX)
			return bi_fail(bi, "memory map has more than %d distinct regions",
				       BOOT_MMAP_MAX);
	}
	bi->mmap[bi->mmap_count++] =
	    (struct boot_mem_region){.base = base, .length = length, .type = type};
	return 0;
}

/* The checks after repair: usable RAM exists and holds every module. */
static int bootinfo_check(struct boot_info *bi)
{
	bool usable = false;
	for (size_t i = 0; i < bi->mmap_count; i++)
		usable |= bi->mmap[i].type == BOOT_MEM_USABLE;
	if (!usable)
		return bi_fail(bi, "no usable RAM in the memory map");

	if (bi->module_count > BOOT_MODULES_MAX)
		return bi_fail(bi, "module count %zu exceeds %d", bi->module_count,
			       BOOT_MODULES_MAX);
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *mod = &bi->modules[i];
		bool inside = false;
		/* Adjacent usable regions are merged, so one region must hold it all. */
		for (size_t r = 0; r < bi->mmap_count && !inside; r++) {
			const struct boot_mem_region *m = &bi->mmap[r];
			inside = m->type == BOOT_MEM_USABLE && mod->start >= m->base &&
				 mod->end >= mod->start && mod->end <= m->base + m->length;
		}
		if (!inside) {
			char name[BOOT_NAME_MAX]; /* a caller-built name may lack its NUL */
			size_t n = strnlen(mod->name, sizeof(name) - 1);
			memcpy(name, mod->name, n);
			name[n] = 0;
			return bi_fail(bi, "module %zu '%s' at [0x%lx,0x%lx) %s", i, name,
				       mod->start, mod->end,
				       mod->end < mod->start ? "ends before it starts"
							     : "lies outside usable RAM");
		}
	}
	return 0;
}

int bootinfo_normalize(struct boot_info *bi)
{
	struct bi_repairs rep = {0};
	int err = mmap_resolve(bi, &rep);
	if (err)
		return err;
	repairs_warn(&rep);
	return bootinfo_check(bi);
}

int bi_parse_finish(struct bi_parse *ps)
{
	if (ps->modules_dropped)
		kwarn("boot: %zu modules given, only the first %d kept\n",
		      ps->bi->module_count + ps->modules_dropped, BOOT_MODULES_MAX);
	int err = mmap_resolve(ps->bi, &ps->rep);
	if (err)
		return err;
	repairs_warn(&ps->rep);
	return bootinfo_check(ps->bi);
}

int bootinfo_parse(struct boot_info *bi, uint32_t magic, paddr_t info_addr,
		   boot_phys_read_fn phys_read, void *ctx)
{
	switch (magic) {
	case MULTIBOOT2_BOOTLOADER_MAGIC:
		return bootinfo_parse_multiboot2(bi, info_addr, phys_read, ctx);
	case PVH_START_MAGIC:
		return bootinfo_parse_pvh(bi, info_addr, phys_read, ctx);
	default:
		memset(bi, 0, sizeof(*bi));
		return bi_fail(bi, "unknown boot protocol magic 0x%x", magic);
	}
}

static bool cmdline_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Finds the last word that is key or key=VALUE (only key=VALUE when
 * want_value): returns it and its length, or NULL.
 */
static const char *cmdline_find(const struct boot_info *bi, const char *key, bool want_value,
				size_t *len)
{
	size_t klen = strlen(key);
	const char *s = bi->cmdline, *end = s + strnlen(s, sizeof(bi->cmdline));
	const char *found = NULL;
	while (klen && s < end) {
		while (s < end && cmdline_space(*s))
			s++;
		const char *w = s;
		while (s < end && !cmdline_space(*s))
			s++;
		size_t n = (size_t)(s - w);
		if (n >= klen && memcmp(w, key, klen) == 0 &&
		    (n == klen ? !want_value : w[klen] == '=')) {
			found = w;
			*len = n;
		}
	}
	return found;
}

bool bootinfo_cmdline_get(const struct boot_info *bi, const char *key, char *buf, size_t size)
{
	size_t len = 0, klen = strlen(key);
	const char *w = cmdline_find(bi, key, true, &len);
	if (!w)
		return false;
	if (size) {
		size_t n = MIN(len - klen - 1, size - 1);
		memcpy(buf, w + klen + 1, n);
		buf[n] = 0;
	}
	return true;
}

bool bootinfo_cmdline_has(const struct boot_info *bi, const char *key)
{
	size_t len;
	return cmdline_find(bi, key, false, &len) != NULL;
}

paddr_t bootinfo_max_usable(const struct boot_info *bi)
{
	paddr_t top = 0;
	for (size_t i = 0; i < bi->mmap_count && i < BOOT_MMAP_MAX; i++)
		if (bi->mmap[i].type == BOOT_MEM_USABLE)
			top = MAX(top, bi->mmap[i].base + bi->mmap[i].length);
	return top;
}
