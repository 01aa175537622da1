/*
 * Boot information for PVH and Multiboot kernels; see kinfo.h.
 *
 * Trust boundary: the inputs come from orbvm (sizes and addresses planned by
 * kimage_plan, strings from the command line). Every write goes through
 * kinfo_reserve(), which checks the room left in the buffer, so a long
 * module command line is an error, never an overflow.
 */
#include <string.h>

#include "../err.h"
#include "../mem.h"
#include "boot_params.h"
#include "kinfo.h"
#include "layout.h"
#include "le.h"

#define KINFO_E820_MAX 8

/* A buffer being filled from its start; `used` bytes are taken. */
struct kinfo_buf {
	uint8_t *p;
	size_t cap, used;
	uint64_t base; /* guest address of p[0] */
	int err;
};

/* Reserves n bytes aligned to `align`; returns their offset or SIZE_MAX. */
static size_t kinfo_reserve(struct kinfo_buf *b, size_t n, size_t align)
{
	size_t at = (b->used + align - 1) & ~(align - 1);
	if (b->err || at > b->cap || n > b->cap - at) {
		if (!b->err)
			b->err = err_set(ERR_RANGE,
					 "boot information does not fit in %zu bytes "
					 "(module command lines too long?)",
					 b->cap);
		return SIZE_MAX;
	}
	b->used = at + n;
	return at;
}

/* Copies a NUL-terminated string; returns its guest address (0 on error). */
static uint64_t kinfo_string(struct kinfo_buf *b, const char *s)
{
	size_t n = strlen(s) + 1, at = kinfo_reserve(b, n, 1);
	if (at == SIZE_MAX)
		return 0;
	memcpy(b->p + at, s, n);
	return b->base + at;
}

static void kinfo_mem_sizes(uint64_t ram, uint32_t *lower_kib, uint32_t *upper_kib)
{
	uint64_t lo, hi;
	mem_layout(ram, &lo, &hi);
	*lower_kib = (uint32_t)(EBDA_START >> 10);
	*upper_kib = (uint32_t)((lo - HIGH_MEMORY) >> 10);
}

static int kinfo_pvh(const struct kinfo_in *in, struct kinfo_buf *b)
{
	struct boot_e820_entry e820[KINFO_E820_MAX];
	unsigned n = boot_e820(in->ram, e820, KINFO_E820_MAX);
	size_t si = kinfo_reserve(b, 56, 8);
	size_t ml = kinfo_reserve(b, (size_t)in->nmods * 32, 8);
	size_t mm = kinfo_reserve(b, (size_t)n * 24, 8);
	if (b->err)
		return b->err;
	uint8_t *s = b->p + si;
	le_put(s, 0, PVH_START_MAGIC, 4);
	le_put(s, 4, 1, 4); /* version 1: with the memory map */
	le_put(s, 12, in->nmods, 4);
	le_put(s, 16, in->nmods ? b->base + ml : 0, 8);
	le_put(s, 24, in->cmdline_addr, 8);
	le_put(s, 32, in->rsdp_addr, 8);
	le_put(s, 40, b->base + mm, 8);
	le_put(s, 48, n, 4);
	for (unsigned i = 0; i < n; i++) {
		le_put(b->p + mm + i * 24, 0, e820[i].addr, 8);
		le_put(b->p + mm + i * 24, 8, e820[i].size, 8);
		le_put(b->p + mm + i * 24, 16, e820[i].type, 4);
	}
	for (unsigned i = 0; i < in->nmods; i++) {
		const struct kinfo_module *m = &in->mods[i];
		uint64_t name = m->cmdline[0] ? kinfo_string(b, m->cmdline) : 0;
		le_put(b->p + ml + i * 32, 0, m->addr, 8);
		le_put(b->p + ml + i * 32, 8, m->size, 8);
		le_put(b->p + ml + i * 32, 16, name, 8);
	}
	return b->err;
}

/* Starts a Multiboot2 tag of `size` bytes (header included); returns its offset. */
static size_t mb2_tag(struct kinfo_buf *b, uint32_t type, size_t size)
{
	size_t at = kinfo_reserve(b, size, 8);
	if (at != SIZE_MAX) {
		le_put(b->p + at, 0, type, 4);
		le_put(b->p + at, 4, size, 4);
	}
	return at;
}

static void mb2_string_tag(struct kinfo_buf *b, uint32_t type, size_t hdr, const char *s)
{
	size_t n = strlen(s) + 1, at = mb2_tag(b, type, hdr + n);
	if (at != SIZE_MAX)
		memcpy(b->p + at + hdr, s, n);
}

static int kinfo_mb2(const struct kinfo_in *in, struct kinfo_buf *b)
{
	struct boot_e820_entry e820[KINFO_E820_MAX];
	unsigned n = boot_e820(in->ram, e820, KINFO_E820_MAX);
	uint32_t lower, upper;
	size_t head = kinfo_reserve(b, 8, 8), at;
	mb2_string_tag(b, 1, 8, in->cmdline);
	mb2_string_tag(b, 2, 8, KINFO_LOADER);
	for (unsigned i = 0; i < in->nmods; i++) {
		mb2_string_tag(b, 3, 16, in->mods[i].cmdline);
		if (b->err)
			return b->err;
		uint8_t *t = b->p + b->used - (16 + strlen(in->mods[i].cmdline) + 1);
		le_put(t, 8, in->mods[i].addr, 4);
		le_put(t, 12, in->mods[i].addr + in->mods[i].size, 4);
	}
	kinfo_mem_sizes(in->ram, &lower, &upper);
	if ((at = mb2_tag(b, 4, 16)) != SIZE_MAX) {
		le_put(b->p + at, 8, lower, 4);
		le_put(b->p + at, 12, upper, 4);
	}
	if ((at = mb2_tag(b, 6, 16 + (size_t)n * 24)) != SIZE_MAX) {
		le_put(b->p + at, 8, 24, 4); /* entry_size; entry_version 0 */
		for (unsigned i = 0; i < n; i++) {
			le_put(b->p + at + 16 + i * 24, 0, e820[i].addr, 8);
			le_put(b->p + at + 16 + i * 24, 8, e820[i].size, 8);
			le_put(b->p + at + 16 + i * 24, 16, e820[i].type, 4);
		}
	}
	if ((at = mb2_tag(b, 14, 8 + KINFO_RSDP_V1_LEN)) != SIZE_MAX)
		memcpy(b->p + at + 8, in->rsdp, KINFO_RSDP_V1_LEN);
	if ((at = mb2_tag(b, 15, 8 + KINFO_RSDP_V2_LEN)) != SIZE_MAX)
		memcpy(b->p + at + 8, in->rsdp, KINFO_RSDP_V2_LEN);
	mb2_tag(b, 0, 8);
	if (b->err)
		return b->err;
	le_put(b->p + head, 0, b->used - head, 4);
	return 0;
}

static int kinfo_mb1(const struct kinfo_in *in, struct kinfo_buf *b)
{
	struct boot_e820_entry e820[KINFO_E820_MAX];
	unsigned n = boot_e820(in->ram, e820, KINFO_E820_MAX);
	uint32_t lower, upper;
	size_t info = kinfo_reserve(b, 128, 8);
	size_t mods = kinfo_reserve(b, (size_t)in->nmods * 16, 8);
	size_t mmap = kinfo_reserve(b, (size_t)n * 24, 8);
	uint64_t loader = kinfo_string(b, KINFO_LOADER);
	if (b->err)
		return b->err;
	uint8_t *p = b->p + info;
	kinfo_mem_sizes(in->ram, &lower, &upper);
	/* flags: mem_*, cmdline, mods, mmap, boot_loader_name */
	le_put(p, 0, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9), 4);
	le_put(p, 4, lower, 4);
	le_put(p, 8, upper, 4);
	le_put(p, 16, in->cmdline_addr, 4);
	le_put(p, 20, in->nmods, 4);
	le_put(p, 24, b->base + mods, 4);
	le_put(p, 44, (uint64_t)n * 24, 4);
	le_put(p, 48, b->base + mmap, 4);
	le_put(p, 64, loader, 4);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = b->p + mmap + i * 24;
		le_put(e, 0, 20, 4); /* size of the entry after this field */
		le_put(e, 4, e820[i].addr, 8);
		le_put(e, 12, e820[i].size, 8);
		le_put(e, 20, e820[i].type, 4);
	}
	for (unsigned i = 0; i < in->nmods; i++) {
		uint64_t s = kinfo_string(b, in->mods[i].cmdline);
		le_put(b->p + mods + i * 16, 0, in->mods[i].addr, 4);
		le_put(b->p + mods + i * 16, 4, in->mods[i].addr + in->mods[i].size, 4);
		le_put(b->p + mods + i * 16, 8, s, 4);
	}
	return b->err;
}

int kinfo_build(enum kimage_proto proto, const struct kinfo_in *in, uint64_t base, uint8_t *buf,
		size_t cap)
{
	struct kinfo_buf b = {.p = buf, .cap = cap, .base = base};
	memset(buf, 0, cap);
	int r = proto == KIMAGE_PVH   ? kinfo_pvh(in, &b)
		: proto == KIMAGE_MB2 ? kinfo_mb2(in, &b)
				      : kinfo_mb1(in, &b);
	return r < 0 ? r : (int)b.used;
}
