/*
 * libFuzzer target for the boot-information parsers (kernel/boot/bootinfo*.c).
 *
 * The first input byte picks what the rest is:
 *   sel % 4 == 0  Multiboot2 information at physical 0x10000 (8-aligned);
 *   sel % 4 == 1  PVH: the bytes are physical memory from address 0, the
 *                 start info at (sel / 4) * 8, and every pointer in it points
 *                 back into the same bytes;
 *   sel % 4 == 2  a raw struct boot_info map and modules for bootinfo_normalize;
 *   sel % 4 == 3  a command line, queried with keys taken from its own words.
 * Memory outside the input is unreadable (phys_read returns NULL), and each
 * read returns a fresh heap copy of exactly the bytes asked for, freed at the
 * next read, so ASan catches over-reads and pointers kept across reads.
 *
 * A parse error must be an error return with a message: a crash, a panic
 * (hosted panic() aborts) or a result that breaks the invariants promised in
 * bootinfo.c (checked below) is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "boot/bootinfo.h"

#define MB2_AT 0x10000u

struct fuzz_mem {
	const uint8_t *data;
	size_t size;
	paddr_t base;
	void *last;
};

static const void *fuzz_phys_read(void *ctx, paddr_t addr, size_t len)
{
	struct fuzz_mem *m = ctx;
	free(m->last);
	m->last = NULL;
	if (addr < m->base || len > m->size || addr - m->base > m->size - len)
		return NULL;
	m->last = malloc(len ? len : 1);
	if (m->last)
		memcpy(m->last, m->data + (addr - m->base), len);
	return m->last;
}

/* The promises a successful parse or normalisation makes (see bootinfo.c). */
static void check_result(const struct boot_info *bi)
{
	bool usable = false;
	if (bi->mmap_count == 0 || bi->mmap_count > BOOT_MMAP_MAX ||
	    bi->module_count > BOOT_MODULES_MAX)
		abort();
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];
		if (r->length == 0 || r->base + r->length < r->base || r->type < BOOT_MEM_USABLE ||
		    r->type > BOOT_MEM_BAD)
			abort();
		if (i > 0) {
			const struct boot_mem_region *p = &bi->mmap[i - 1];
			if (p->base + p->length > r->base) /* sorted, no overlap */
				abort();
			if (p->base + p->length == r->base && p->type == r->type) /* merged */
				abort();
		}
		usable |= r->type == BOOT_MEM_USABLE;
	}
	if (!usable || bootinfo_max_usable(bi) == 0)
		abort();
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (m->end < m->start || m->end > bootinfo_max_usable(bi) ||
		    !memchr(m->name, 0, sizeof(m->name)))
			abort();
	}
	if (!memchr(bi->cmdline, 0, sizeof(bi->cmdline)) ||
	    !memchr(bi->loader, 0, sizeof(bi->loader)) || bi->rsdp_len > BOOT_RSDP_MAX)
		abort();
}

static uint32_t type_at(const struct boot_mem_region *r, size_t n, paddr_t p, bool raw)
{
	uint32_t t = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].length == 0 || p < r[i].base || p - r[i].base >= r[i].length)
			continue;
		uint32_t ti = r[i].type;
		if (raw && (ti < BOOT_MEM_USABLE || ti > BOOT_MEM_BAD))
			ti = BOOT_MEM_RESERVED;
		t = MAX(t, ti);
	}
	return t;
}

/* Reference for normalisation: at every input boundary, the output type must
 * be the most restrictive input type covering that address (none if none). */
static void check_against_input(const struct boot_info *bi, const struct boot_mem_region *in,
				size_t n)
{
	for (size_t i = 0; i < n; i++) {
		paddr_t e = in[i].base + in[i].length;
		paddr_t pts[4] = {in[i].base, in[i].base - 1, e - 1, e};
		for (size_t k = 0; k < 4; k++)
			if (type_at(bi->mmap, bi->mmap_count, pts[k], false) !=
			    type_at(in, n, pts[k], true))
				abort();
	}
}

static void check_error(const struct boot_info *bi, int rc)
{
	if (rc != -ERR_FORMAT || bi->error[0] == 0 || !memchr(bi->error, 0, sizeof(bi->error)))
		abort();
}

/* Queries the command line with each of its own words (and their key part). */
static void query_cmdline(const struct boot_info *bi)
{
	char key[BOOT_CMDLINE_MAX], val[16];
	const char *s = bi->cmdline;
	while (*s) {
		size_t n = strcspn(s, " \t\n");
		size_t k = strcspn(s, " \t\n=");
		memcpy(key, s, k);
		key[k] = 0;
		if (k && !bootinfo_cmdline_has(bi, key))
			abort();
		if (k && k < n && !bootinfo_cmdline_get(bi, key, val, sizeof(val)))
			abort();
		s += n;
		s += strspn(s, " \t\n");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	static struct boot_mem_region in[BOOT_MMAP_MAX];
	size_t in_count = 0;
	struct fuzz_mem mem = {.data = data + 1, .size = size ? size - 1 : 0};
	int rc;

	if (size < 1)
		return 0;
	host_log_clear();
	uint8_t sel = data[0];
	switch (sel % 4) {
	case 0:
		mem.base = MB2_AT;
		rc = bootinfo_parse(&bi, MULTIBOOT2_BOOTLOADER_MAGIC, MB2_AT, fuzz_phys_read, &mem);
		break;
	case 1:
		rc = bootinfo_parse(&bi, PVH_START_MAGIC, (paddr_t)(sel / 4) * 8, fuzz_phys_read,
				    &mem);
		break;
	case 2:
		memset(&bi, 0, sizeof(bi));
		bi.mmap_count = MIN(mem.size / sizeof(bi.mmap[0]), (size_t)BOOT_MMAP_MAX);
		memcpy(bi.mmap, mem.data, bi.mmap_count * sizeof(bi.mmap[0]));
		size_t rest = mem.size - bi.mmap_count * sizeof(bi.mmap[0]);
		bi.module_count = MIN(rest / sizeof(bi.modules[0]), (size_t)BOOT_MODULES_MAX);
		memcpy(bi.modules, mem.data + bi.mmap_count * sizeof(bi.mmap[0]),
		       bi.module_count * sizeof(bi.modules[0]));
		for (size_t i = 0; i < bi.module_count; i++) /* names are the caller's to end */
			bi.modules[i].name[BOOT_NAME_MAX - 1] = 0;
		in_count = bi.mmap_count;
		memcpy(in, bi.mmap, sizeof(in));
		rc = bootinfo_normalize(&bi);
		if (rc == 0)
			check_against_input(&bi, in, in_count);
		break;
	default:
		memset(&bi, 0, sizeof(bi));
		memcpy(bi.cmdline, mem.data, MIN(mem.size, sizeof(bi.cmdline) - 1));
		query_cmdline(&bi);
		free(mem.last);
		return 0;
	}
	free(mem.last);
	if (rc == 0) {
		check_result(&bi);
		query_cmdline(&bi);
	} else {
		check_error(&bi, rc);
	}
	return 0;
}
