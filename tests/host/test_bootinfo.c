/*
 * Tests of the boot-information parsers (kernel/core/bootinfo*.c).
 *
 * Multiboot2 information and PVH start-info structures are built in a
 * simulated physical memory (MEM_SIZE bytes at MEM_BASE). The phys_read
 * callback refuses anything outside it, and returns a fresh heap copy of
 * exactly the bytes asked for, freed at the next call: under ASan, a parser
 * that reads past what it asked for, or keeps a pointer across calls (the
 * contract in bootinfo_internal.h), fails the test. Every error case checks
 * the message in bi.error; every repair checks its warning and the exact map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "core/bootinfo.h"

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x40000u
#define MBI_AT	 0x10000u
#define PVH_AT	 0x20000u
#define PVH_MAP	 0x21000u
#define PVH_MODS 0x22000u
#define PVH_STR	 0x23000u

enum {
	U = BOOT_MEM_USABLE,
	A = BOOT_MEM_ACPI_RECLAIM,
	N = BOOT_MEM_ACPI_NVS,
	R = BOOT_MEM_RESERVED,
	B = BOOT_MEM_BAD
};

static uint8_t *mem;
static void *last_read;
static struct boot_info bi;
static paddr_t mb_off = 8;	      /* next Multiboot2 tag, relative to MBI_AT */
static paddr_t pvh_strings = PVH_STR; /* next free byte for PVH strings */

static const void *phys_read(void *ctx, paddr_t addr, size_t len)
{
	(void)ctx;
	free(last_read);
	last_read = NULL;
	if (addr < MEM_BASE || len > MEM_SIZE || addr - MEM_BASE > MEM_SIZE - len)
		return NULL;
	last_read = malloc(len ? len : 1);
	memcpy(last_read, mem + (addr - MEM_BASE), len);
	return last_read;
}

static int setup(void **state)
{
	mem = calloc(1, MEM_SIZE);
	memset(&bi, 0xa5, sizeof(bi)); /* the parser must clear it */
	host_log_clear();
	mb_off = 8;
	pvh_strings = PVH_STR;
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem);
	free(last_read);
	last_read = NULL;
	return 0;
}

static uint8_t *at(paddr_t p)
{
	return mem + (p - MEM_BASE);
}

static void wr32(paddr_t p, uint32_t v)
{
	memcpy(at(p), &v, 4);
}

static void wr64(paddr_t p, uint64_t v)
{
	memcpy(at(p), &v, 8);
}

/* ---- Multiboot2 builder ---- */

static paddr_t mb_tag(uint32_t type, const void *payload, uint32_t len)
{
	paddr_t t = MBI_AT + mb_off;
	wr32(t, type);
	wr32(t + 4, 8 + len);
	if (len)
		memcpy(at(t + 8), payload, len);
	mb_off += (8 + len + 7) & ~7u;
	return t;
}

static void mb_string(uint32_t type, const char *s)
{
	mb_tag(type, s, (uint32_t)strlen(s) + 1);
}

static void mb_module(uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[128] = {0};
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	strcpy((char *)p + 8, name);
	mb_tag(3, p, 8 + (uint32_t)strlen(name) + 1);
}

struct ent {
	uint64_t base, len;
	uint32_t type;
};

static void mb_mmap(const struct ent *e, size_t n, uint32_t esize)
{
	static uint8_t p[64 * 1024];
	uint32_t ver = 0;
	memset(p, 0, sizeof(p));
	memcpy(p, &esize, 4);
	memcpy(p + 4, &ver, 4);
	for (size_t i = 0; i < n; i++) {
		memcpy(p + 8 + i * esize, &e[i].base, 8);
		memcpy(p + 16 + i * esize, &e[i].len, 8);
		memcpy(p + 24 + i * esize, &e[i].type, 4);
	}
	mb_tag(6, p, 8 + (uint32_t)(n * esize));
}

static void mb_meminfo(uint32_t lower, uint32_t upper)
{
	uint32_t p[2] = {lower, upper};
	mb_tag(4, p, 8);
}

/* Writes the end tag and total_size; returns the MBI address. */
static paddr_t mb_finish(void)
{
	mb_tag(0, NULL, 0);
	wr32(MBI_AT, (uint32_t)mb_off);
	wr32(MBI_AT + 4, 0);
	mb_off = 8;
	return MBI_AT;
}

static int parse_mb2(void)
{
	return bootinfo_parse(&bi, MULTIBOOT2_BOOTLOADER_MAGIC, mb_finish(), phys_read, NULL);
}

/* A minimal valid MBI around whatever tags the test added. */
static int parse_mb2_with_ram(void)
{
	static const struct ent ram[] = {{0x100000, 0x7f00000, 1}};
	mb_mmap(ram, 1, 24);
	return parse_mb2();
}

static void expect_map(const struct ent *e, size_t n)
{
	assert_int_equal(bi.mmap_count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bi.mmap[i].base, e[i].base);
		assert_int_equal(bi.mmap[i].length, e[i].len);
		assert_int_equal(bi.mmap[i].type, e[i].type);
	}
}

static void expect_error(int rc, const char *msg)
{
	assert_int_equal(rc, -ERR_FORMAT);
	if (!strstr(bi.error, msg))
		fail_msg("error \"%s\" lacks \"%s\"", bi.error, msg);
}

static void expect_log(const char *msg)
{
	if (!host_log_contains(msg))
		fail_msg("log \"%s\" lacks \"%s\"", host_log, msg);
}

/* ---- Multiboot2: realistic input ---- */

/* What GRUB 2.06 gives a 128 MiB QEMU PC under SeaBIOS. */
static void test_mb2_grub_bios(void **state)
{
	static const struct ent map[] = {
	    {0, 0x9fc00, 1},	      {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
	    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
	};
	static const struct ent want[] = {
	    {0, 0x9fc00, U},	      {0x9fc00, 0x400, R},     {0xf0000, 0x10000, R},
	    {0x100000, 0x7ee0000, U}, {0x7fe0000, 0x20000, R}, {0xfffc0000, 0x40000, R},
	};
	uint32_t load_base = 0x200000, bootdev[3] = {0xe0, ~0u, ~0u};
	uint8_t fb[24] = {0}, rsdp[20] = "RSD PTR \x42";
	uint64_t fbaddr = 0xb8000;
	uint32_t fbdim[3] = {160, 80, 25};
	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, fbdim, 12);
	fb[20] = 16, fb[21] = 2;

	mb_tag(21, &load_base, 4);
	mb_string(1, "test=boot loglevel=3");
	mb_string(2, "GRUB 2.06-13+deb12u1");
	mb_module(0x13f000, 0x1a0000, "init");
	mb_module(0x1a0000, 0x1a4321, "initrd");
	mb_meminfo(639, 130944);
	mb_tag(5, bootdev, 12);
	mb_mmap(map, 6, 24);
	mb_tag(8, fb, 24);
	mb_tag(14, rsdp, 20);
	assert_int_equal(parse_mb2(), 0);

	assert_int_equal(bi.protocol, BOOT_PROTO_MULTIBOOT2);
	assert_string_equal(bi.cmdline, "test=boot loglevel=3");
	assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u1");
	expect_map(want, 6);
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[1].start, 0x1a0000);
	assert_int_equal(bi.modules[1].end, 0x1a4321);
	assert_string_equal(bi.modules[1].name, "initrd");
	assert_int_equal(bi.fb.type, BOOT_FB_EGA_TEXT);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.height, 25);
	assert_int_equal(bi.rsdp_len, 20);
	assert_memory_equal(bi.rsdp, rsdp, 20);
	assert_int_equal(bi.rsdp_addr, 0);
	assert_int_equal(bi.raw_addr, MBI_AT);
	assert_int_equal(bi.raw_size, *(uint32_t *)at(MBI_AT));
	assert_int_equal(bootinfo_max_usable(&bi), 0x7fe0000);
	assert_false(host_log_contains("boot:")); /* nothing needed repair */
}

static void put_efi(uint8_t *d, uint32_t type, uint64_t base, uint64_t pages)
{
	memcpy(d, &type, 4);
	memcpy(d + 8, &base, 8);
	memcpy(d + 24, &pages, 8);
}

/* An OVMF-like EFI map (48-byte descriptors, types merged and converted). */
static void mb_efi_map(void)
{
	static const struct ent efi[] = {
	    {0, 0xa0000, 7},	      {0x100000, 0x700000, 7},	  {0x800000, 0x8000, 10},
	    {0x808000, 0x3000, 7},    {0x80b000, 0x1000, 10},	  {0x80c000, 0x4000, 7},
	    {0x810000, 0xf0000, 4},   {0x900000, 0x6700000, 7},	  {0x7000000, 0x100000, 3},
	    {0x7100000, 0x100000, 9}, {0x7200000, 0x100000, 6},	  {0x7300000, 0x100000, 5},
	    {0x7400000, 0xc00000, 2}, {0xffc00000, 0x400000, 11},
	};
	static uint8_t p[8 + 48 * 14];
	uint32_t hdr[2] = {48, 1};
	memcpy(p, hdr, 8);
	for (size_t i = 0; i < 14; i++)
		put_efi(p + 8 + 48 * i, efi[i].type, efi[i].base, efi[i].len >> 12);
	mb_tag(17, p, sizeof(p));
}

static const struct ent efi_want[] = {
    {0, 0xa0000, U},	       {0x100000, 0x700000, U},	 {0x800000, 0x8000, N},
    {0x808000, 0x3000, U},     {0x80b000, 0x1000, N},	 {0x80c000, 0x68f4000, U},
    {0x7100000, 0x100000, A},  {0x7200000, 0x200000, R}, {0x7400000, 0xc00000, U},
    {0xffc00000, 0x400000, R},
};

static void test_mb2_uefi(void **state)
{
	uint8_t fb[30] = {0}, rsdp2[36] = "RSD PTR \x01", rsdp1[20] = "RSD PTR \x02";
	uint64_t fbaddr = 0x80000000;
	uint32_t fbdim[3] = {4096, 1024, 768};
	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, fbdim, 12);
	fb[20] = 32, fb[21] = 1;
	memcpy(fb + 24, (uint8_t[]){16, 8, 8, 8, 0, 8}, 6);
	rsdp2[15] = 2;

	mb_string(1, "");
	mb_string(2, "GRUB 2.06");
	mb_module(0x2000000, 0x2100000, "init");
	mb_tag(8, fb, 30);
	mb_tag(15, rsdp2, 36);
	mb_tag(14, rsdp1, 20); /* after the new one: must not replace it */
	mb_efi_map();
	assert_int_equal(parse_mb2(), 0);

	expect_map(efi_want, ARRAY_SIZE(efi_want));
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.fb.addr, 0x80000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, rsdp2, 36);
	assert_false(host_log_contains("boot:"));
}

static void test_mb2_uefi_boot_services_kept(void **state)
{
	uint32_t none = 0;
	mb_tag(18, &none, 0);
	mb_efi_map();
	assert_int_equal(parse_mb2(), 0);
	/* Boot-services code and data stay reserved: the usable run splits there. */
	assert_int_equal(bi.mmap[5].base, 0x80c000);
	assert_int_equal(bi.mmap[5].length, 0x4000);
	assert_int_equal(bi.mmap[6].type, R);
	assert_int_equal(bi.mmap[6].base, 0x810000);
}

static void test_mb2_prefers_tag6_over_efi(void **state)
{
	mb_efi_map();
	assert_int_equal(parse_mb2_with_ram(), 0);
	expect_map((struct ent[]){{0x100000, 0x7f00000, U}}, 1);
}

static void test_mb2_meminfo_fallback(void **state)
{
	mb_meminfo(639, 130048);
	assert_int_equal(parse_mb2(), 0);
	expect_map((struct ent[]){{0, 639 * 1024, U}, {0x100000, 130048 * 1024, U}}, 2);
	expect_log("boot: no memory map from the loader, using basic meminfo");
}

static void test_mb2_no_memory_map(void **state)
{
	mb_string(1, "x");
	expect_error(parse_mb2(), "no memory map");
}

/* ---- Multiboot2: malformed framing ---- */

static void test_mb2_total_size_too_small(void **state)
{
	mb_finish();
	wr32(MBI_AT, 12);
	expect_error(bootinfo_parse_multiboot2(&bi, MBI_AT, phys_read, NULL),
		     "total_size 12 is out of range");
}

static void test_mb2_total_size_too_big(void **state)
{
	mb_finish();
	wr32(MBI_AT, 0x7fffffff);
	expect_error(bootinfo_parse_multiboot2(&bi, MBI_AT, phys_read, NULL),
		     "total_size 2147483647 is out of range");
}

static void test_mb2_truncated_by_memory(void **state)
{
	/* total_size claims more than can be read: the MBI sits at the end of memory. */
	paddr_t end = MEM_BASE + MEM_SIZE - 16;
	wr32(end, 64);
	expect_error(bootinfo_parse_multiboot2(&bi, end, phys_read, NULL),
		     "(64 bytes) is unreadable");
	expect_error(bootinfo_parse_multiboot2(&bi, 0x1000, phys_read, NULL),
		     "header at 0x1000 is unreadable");
}

static void test_mb2_misaligned(void **state)
{
	expect_error(bootinfo_parse_multiboot2(&bi, MBI_AT + 4, phys_read, NULL),
		     "not 8-byte aligned");
}

static void test_mb2_tag_past_end(void **state)
{
	paddr_t t = mb_tag(1, "hello", 6);
	paddr_t mbi = mb_finish();
	wr32(t + 4, 200);
	expect_error(bootinfo_parse_multiboot2(&bi, mbi, phys_read, NULL),
		     "tag 1 at offset 8 runs past the end (size 200, 24 bytes left)");
}

static void test_mb2_tag_too_small(void **state)
{
	paddr_t t = mb_tag(1, "hello", 6);
	paddr_t mbi = mb_finish();
	wr32(t + 4, 4);
	expect_error(bootinfo_parse_multiboot2(&bi, mbi, phys_read, NULL),
		     "tag 1 at offset 8 has size 4 (< 8)");
}

static void test_mb2_missing_end_tag(void **state)
{
	static const struct ent ram[] = {{0x100000, 0x100000, 1}};
	mb_mmap(ram, 1, 24);
	paddr_t mbi = mb_finish();
	wr32(mbi, *(uint32_t *)at(mbi) - 8); /* cut the end tag off */
	expect_error(bootinfo_parse_multiboot2(&bi, mbi, phys_read, NULL), "no end tag");
	/* A partial tag header at the end is no end tag either. */
	wr32(mbi, *(uint32_t *)at(mbi) + 4);
	expect_error(bootinfo_parse_multiboot2(&bi, mbi, phys_read, NULL), "no end tag");
}

static void test_mb2_mmap_entry_size_too_small(void **state)
{
	static const struct ent ram[] = {{0x100000, 0x100000, 1}};
	mb_mmap(ram, 1, 16);
	expect_error(parse_mb2(), "memory map entry size 16 is too small");
}

static void test_mb2_mmap_tag_too_small(void **state)
{
	mb_tag(6, (uint32_t[]){24}, 4);
	expect_error(parse_mb2(), "memory map tag is too small (12 bytes)");
}

static void test_mb2_mmap_wide_entries(void **state)
{
	/* entry_size 32 (a future version): extra bytes skipped; a stray tail ignored. */
	static const struct ent map[] = {{0x100000, 0x100000, 1}, {0x200000, 0x1000, 2}};
	mb_mmap(map, 2, 32);
	assert_int_equal(parse_mb2(), 0);
	expect_map((struct ent[]){{0x100000, 0x100000, U}, {0x200000, 0x1000, R}}, 2);
}

static void test_mb2_too_many_entries(void **state)
{
	static struct ent map[2049];
	for (size_t i = 0; i < 2049; i++)
		map[i] = (struct ent){0x100000 + i * 0x1000, 0x1000, 1};
	mb_mmap(map, 2049, 24);
	expect_error(parse_mb2(), "memory map has more than 2048 entries");
}

static void test_mb2_many_mergeable_entries(void **state)
{
	/* 1000 entries, out of order and each adjacent to the next: merged into one. */
	static struct ent map[1000];
	for (size_t i = 0; i < 1000; i++)
		map[i] = (struct ent){0x100000 + (999 - i) * 0x1000, 0x1000, 1};
	mb_mmap(map, 1000, 24);
	assert_int_equal(parse_mb2(), 0);
	expect_map((struct ent[]){{0x100000, 1000 * 0x1000, U}}, 1);
	expect_log("boot: memory map out of order, sorted");
}

static void test_mb2_too_many_distinct_regions(void **state)
{
	static struct ent map[200];
	for (size_t i = 0; i < 200; i++)
		map[i] = (struct ent){0x100000 + i * 0x2000, 0x1000, 1};
	mb_mmap(map, 200, 24);
	expect_error(parse_mb2(), "memory map has more than 128 distinct regions");
}

static void test_mb2_unterminated_strings(void **state)
{
	mb_tag(1, "abc", 3);					     /* no NUL inside the tag */
	mb_tag(3, (uint32_t[]){0x200000, 0x201000, 0x64636261}, 12); /* name "abcd" */
	assert_int_equal(parse_mb2_with_ram(), 0);
	assert_string_equal(bi.cmdline, "abc");
	assert_string_equal(bi.modules[0].name, "abcd");
	expect_log("boot: command line is not NUL-terminated, truncated");
	expect_log("boot: module name is not NUL-terminated, truncated");
}

static void test_mb2_long_strings(void **state)
{
	char longline[400];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	mb_string(1, longline);
	mb_string(2, longline);
	assert_int_equal(parse_mb2_with_ram(), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOT_NAME_MAX - 1);
	expect_log("boot: command line is longer than 255 bytes, truncated");
	expect_log("boot: loader name is longer than 63 bytes, truncated");
}

static void test_mb2_bad_optional_tags_ignored(void **state)
{
	uint8_t fb[30] = {0};
	fb[20] = 32, fb[21] = 1; /* RGB with width 0 */
	mb_tag(8, fb, 30);
	mb_tag(15, "short", 6);
	mb_string(1, "first");
	mb_string(1, "second");
	assert_int_equal(parse_mb2_with_ram(), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_int_equal(bi.rsdp_len, 0);
	assert_string_equal(bi.cmdline, "first");
	expect_log("is inconsistent, ignored");
	expect_log("boot: ACPI RSDP tag too small (14 bytes), ignored");
	expect_log("boot: repeated Multiboot2 tag 1 ignored");
}

static void test_mb2_too_many_modules(void **state)
{
	for (uint32_t i = 0; i < 20; i++)
		mb_module(0x200000 + i * 0x1000, 0x201000 + i * 0x1000, "m");
	assert_int_equal(parse_mb2_with_ram(), 0);
	assert_int_equal(bi.module_count, BOOT_MODULES_MAX);
	assert_int_equal(bi.modules[15].start, 0x20f000);
	expect_log("boot: 20 modules given, only the first 16 kept");
}

/* ---- Memory-map repair ---- */

static void test_mmap_out_of_order_and_overlap(void **state)
{
	static const struct ent map[] = {
	    {0x100000, 0x700000, 1},			      /* [1M, 8M) usable */
	    {0, 0x9f000, 1},	     {0x200000, 0x100000, 2}, /* reserved inside the usable */
	    {0x9f000, 0x1000, 3},			      /* ACPI, adjacent */
	    {0x700000, 0x200000, 4},			      /* NVS straddling the usable end */
	    {0x750000, 0x10000, 5},			      /* bad inside the NVS */
	};
	mb_mmap(map, ARRAY_SIZE(map), 24);
	assert_int_equal(parse_mb2(), 0);
	expect_map((struct ent[]){{0, 0x9f000, U},
				  {0x9f000, 0x1000, A},
				  {0x100000, 0x100000, U},
				  {0x200000, 0x100000, R},
				  {0x300000, 0x400000, U},
				  {0x700000, 0x50000, N},
				  {0x750000, 0x10000, B},
				  {0x760000, 0x1a0000, N}},
		   8);
	expect_log("boot: memory map out of order, sorted");
	expect_log("boot: memory map regions overlap at 0x200000, kept the reserved type");
	/* Once per kind of repair. */
	assert_ptr_equal(strstr(strstr(host_log, "overlap") + 1, "overlap"), NULL);
}

static void test_mmap_adjacent_merge_and_empty(void **state)
{
	bi = (struct boot_info){0};
	bi.mmap[0] = (struct boot_mem_region){0x100000, 0x100000, U};
	bi.mmap[1] = (struct boot_mem_region){0x200000, 0x100000, U};
	bi.mmap[2] = (struct boot_mem_region){0x250000, 0, R};
	bi.mmap[3] = (struct boot_mem_region){0x300000, 0x1000, 99}; /* unknown: reserved */
	bi.mmap[4] = (struct boot_mem_region){0x301000, 0x1000, R};
	bi.mmap_count = 5;
	assert_int_equal(bootinfo_normalize(&bi), 0);
	expect_map((struct ent[]){{0x100000, 0x200000, U}, {0x300000, 0x2000, R}}, 2);
	expect_log("boot: memory map has empty regions, dropped");
	assert_false(host_log_contains("overlap"));
	assert_false(host_log_contains("sorted"));
}

static void test_mmap_same_type_overlap(void **state)
{
	bi = (struct boot_info){0};
	bi.mmap[0] = (struct boot_mem_region){0x100000, 0x200000, U};
	bi.mmap[1] = (struct boot_mem_region){0x180000, 0x200000, U};
	bi.mmap_count = 2;
	assert_int_equal(bootinfo_normalize(&bi), 0);
	expect_map((struct ent[]){{0x100000, 0x280000, U}}, 1);
	expect_log("overlap at 0x180000, kept the usable type");
}

static void test_mmap_split_overflows_table(void **state)
{
	/* One usable region with 127 holes punched in it: 255 pieces. */
	bi = (struct boot_info){0};
	bi.mmap[0] = (struct boot_mem_region){0, 0x10000000, U};
	for (size_t i = 1; i < BOOT_MMAP_MAX; i++)
		bi.mmap[i] = (struct boot_mem_region){i * 0x100000, 0x1000, R};
	bi.mmap_count = BOOT_MMAP_MAX;
	expect_error(bootinfo_normalize(&bi), "more than 128 regions once overlaps are split");
}

static void test_mmap_wraps(void **state)
{
	static const struct ent map[] = {{0x100000, 0x100000, 1}, {0xfffffffffffff000, 0x2000, 2}};
	mb_mmap(map, 2, 24);
	expect_error(parse_mb2(), "memory map entry 1 at 0xfffffffffffff000 (length 0x2000) wraps");
	bi = (struct boot_info){0};
	bi.mmap[0] = (struct boot_mem_region){~0ull, 1, U};
	bi.mmap_count = 1;
	expect_error(bootinfo_normalize(&bi), "wraps past the top of the address space");
	/* Ending at the last byte is fine. */
	bi.mmap[0] = (struct boot_mem_region){0xfffffffffffff000, 0xfff, U};
	bi.mmap_count = 1;
	assert_int_equal(bootinfo_normalize(&bi), 0);
	assert_int_equal(bootinfo_max_usable(&bi), ~0ull);
}

static void test_mmap_no_usable(void **state)
{
	static const struct ent map[] = {{0, 0x100000, 2}, {0x100000, 0, 1}};
	mb_mmap(map, 2, 24);
	expect_error(parse_mb2(), "no usable RAM in the memory map");
}

static void test_module_outside_ram(void **state)
{
	static const struct ent map[] = {
	    {0x100000, 0x100000, 1}, {0x200000, 0x100000, 1}, {0x300000, 0x1000, 2}};
	mb_module(0x180000, 0x280000, "init"); /* across two merged usable regions: fine */
	mb_module(0x2ff000, 0x301000, "initrd");
	mb_mmap(map, 3, 24);
	expect_error(parse_mb2(),
		     "module 1 'initrd' at [0x2ff000,0x301000) lies outside usable RAM");
}

static void test_module_ends_before_start(void **state)
{
	mb_module(0x300000, 0x200000, "backwards");
	expect_error(parse_mb2_with_ram(), "module 0 'backwards' at [0x300000,0x200000) ends");
}

static void test_unknown_magic(void **state)
{
	expect_error(bootinfo_parse(&bi, 0x12345678, MBI_AT, phys_read, NULL),
		     "unknown boot protocol magic 0x12345678");
	assert_int_equal(bi.protocol, BOOT_PROTO_NONE);
}

/* ---- PVH ---- */

static paddr_t pvh_str(const char *s)
{
	paddr_t p = pvh_strings;
	strcpy((char *)at(p), s);
	pvh_strings += strlen(s) + 1;
	return p;
}

/* Version-1 start info as QEMU fills it, with n memory-map entries. */
static void pvh_build(const struct ent *map, uint32_t n, uint32_t nmods, const char *cmdline)
{
	wr32(PVH_AT, PVH_START_MAGIC);
	wr32(PVH_AT + 4, 1);
	wr32(PVH_AT + 12, nmods);
	wr64(PVH_AT + 16, nmods ? PVH_MODS : 0);
	wr64(PVH_AT + 24, cmdline ? pvh_str(cmdline) : 0);
	wr64(PVH_AT + 32, 0xf5a40);
	wr64(PVH_AT + 40, PVH_MAP);
	wr32(PVH_AT + 48, n);
	for (uint32_t i = 0; i < n; i++) {
		wr64(PVH_MAP + 24 * i, map[i].base);
		wr64(PVH_MAP + 24 * i + 8, map[i].len);
		wr32(PVH_MAP + 24 * i + 16, map[i].type);
	}
}

static void pvh_module(uint32_t i, uint64_t start, uint64_t size, const char *name)
{
	wr64(PVH_MODS + 32 * i, start);
	wr64(PVH_MODS + 32 * i + 8, size);
	wr64(PVH_MODS + 32 * i + 16, name ? pvh_str(name) : 0);
}

static const struct ent qemu_e820[] = {
    {0, 0x9fc00, 1},	      {0x9fc00, 0x400, 2},	    {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2},	    {0xfeffc000, 0x4000, 2},
    {0xfffc0000, 0x40000, 2}, {0x100000000, 0x40000000, 1}, {0x140000000, 0x1000, 3},
    {0x140001000, 0x1000, 4}, {0x140002000, 0x1000, 5},
};

static void test_pvh_v1(void **state)
{
	pvh_build(qemu_e820, ARRAY_SIZE(qemu_e820), 2, "console=ttyS0 test=boot");
	pvh_module(0, 0x1000000, 0x12345, "init");
	pvh_module(1, 0x2000000, 0, NULL);
	assert_int_equal(bootinfo_parse(&bi, PVH_START_MAGIC, PVH_AT, phys_read, NULL), 0);
	assert_int_equal(bi.protocol, BOOT_PROTO_PVH);
	assert_string_equal(bi.cmdline, "console=ttyS0 test=boot");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.rsdp_addr, 0xf5a40);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.raw_addr, PVH_AT);
	assert_int_equal(bi.raw_size, 56);
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x1000000);
	assert_int_equal(bi.modules[0].end, 0x1012345);
	assert_string_equal(bi.modules[0].name, "init");
	assert_string_equal(bi.modules[1].name, "");
	expect_map((struct ent[]){{0, 0x9fc00, U},
				  {0x9fc00, 0x400, R},
				  {0xf0000, 0x10000, R},
				  {0x100000, 0x7ee0000, U},
				  {0x7fe0000, 0x20000, R},
				  {0xfeffc000, 0x4000, R},
				  {0xfffc0000, 0x40000, R},
				  {0x100000000, 0x40000000, U},
				  {0x140000000, 0x1000, A},
				  {0x140001000, 0x1000, N},
				  {0x140002000, 0x1000, B}},
		   11);
	assert_int_equal(bootinfo_max_usable(&bi), 0x140000000);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_false(host_log_contains("boot:"));
}

static void test_pvh_version0(void **state)
{
	pvh_build(qemu_e820, 4, 0, NULL);
	wr32(PVH_AT + 4, 0);
	expect_error(bootinfo_parse(&bi, PVH_START_MAGIC, PVH_AT, phys_read, NULL),
		     "version 0 has no memory map");
	assert_int_equal(bi.raw_size, 40);
}

static void test_pvh_no_memmap(void **state)
{
	pvh_build(qemu_e820, 0, 0, NULL);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL), "has no memory map");
}

static void test_pvh_bad_magic(void **state)
{
	pvh_build(qemu_e820, 4, 0, NULL);
	wr32(PVH_AT, 0x1badb002);
	expect_error(bootinfo_parse(&bi, PVH_START_MAGIC, PVH_AT, phys_read, NULL),
		     "bad magic 0x1badb002");
	expect_error(bootinfo_parse_pvh(&bi, 0x8000, phys_read, NULL),
		     "PVH start info at 0x8000 is unreadable");
}

static void test_pvh_huge_counts(void **state)
{
	pvh_build(qemu_e820, 4, 0, NULL);
	wr32(PVH_AT + 48, 0xffffffff);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH memory map has 4294967295 entries (at most 2048)");
	/* A large module count reads only the first 16 entries. */
	pvh_build(qemu_e820, 4, 0, NULL);
	wr32(PVH_AT + 12, 0xffffffff);
	wr64(PVH_AT + 16, PVH_MODS);
	for (uint32_t i = 0; i < 16; i++)
		pvh_module(i, 0x1000000, 0x1000, "m");
	assert_int_equal(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL), 0);
	assert_int_equal(bi.module_count, 16);
	expect_log("boot: 4294967295 modules given, only the first 16 kept");
}

static void test_pvh_unreadable_pointers(void **state)
{
	pvh_build(qemu_e820, 4, 1, "x");
	pvh_module(0, 0x1000000, 0x1000, "m");
	wr64(PVH_AT + 24, 0x5000);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH command line at 0x5000 is unreadable");
	wr64(PVH_AT + 24, 0);
	wr64(PVH_AT + 16, MEM_BASE + MEM_SIZE - 16); /* the entry runs off memory */
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH module list entry 0 at 0x4fff0 is unreadable");
	wr64(PVH_AT + 16, PVH_MODS);
	wr64(PVH_MODS + 16, 0xffffffffffffffff);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH module 0 name at 0xffffffffffffffff is unreadable");
	pvh_module(0, 0x1000000, 0x1000, "m");
	wr64(PVH_AT + 40, 0xfffffffffffffff0);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH memory map entry 0 at 0xfffffffffffffff0 is unreadable");
	wr64(PVH_AT + 40, PVH_MAP);
	assert_int_equal(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL), 0);
}

static void test_pvh_unterminated_string(void **state)
{
	/* A command line that runs to the end of memory is unreadable... */
	pvh_build(qemu_e820, 4, 0, NULL);
	paddr_t tail = MEM_BASE + MEM_SIZE - 8;
	memset(at(tail), 'a', 8);
	wr64(PVH_AT + 24, tail);
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL), "command line at 0x");
	/* ...and one longer than the buffer is cut, with a warning. */
	memset(at(PVH_STR), 'b', 300);
	wr64(PVH_AT + 24, PVH_STR);
	assert_int_equal(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	expect_log("boot: command line is longer than 255 bytes, truncated");
}

static void test_pvh_module_wraps_and_outside(void **state)
{
	pvh_build(qemu_e820, ARRAY_SIZE(qemu_e820), 1, NULL);
	pvh_module(0, 0xfffffffffffff000, 0x1000, "top");
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "PVH module 0 at 0xfffffffffffff000 (size 0x1000) wraps");
	pvh_module(0, 0x7fd0000, 0x20000, "initrd");
	expect_error(bootinfo_parse_pvh(&bi, PVH_AT, phys_read, NULL),
		     "module 0 'initrd' at [0x7fd0000,0x7ff0000) lies outside usable RAM");
}

/* ---- Command line and queries ---- */

static void test_cmdline(void **state)
{
	char buf[8];
	bi = (struct boot_info){0};
	strcpy(bi.cmdline,
	       "  quiet test=boot loglevel=3\tconsole= test=pmm verylongvalue=123456789 "
	       "x");
	assert_true(bootinfo_cmdline_get(&bi, "test", buf, sizeof(buf)));
	assert_string_equal(buf, "pmm"); /* the last one counts */
	assert_true(bootinfo_cmdline_get(&bi, "loglevel", buf, sizeof(buf)));
	assert_string_equal(buf, "3");
	assert_true(bootinfo_cmdline_get(&bi, "console", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_true(bootinfo_cmdline_get(&bi, "verylongvalue", buf, sizeof(buf)));
	assert_string_equal(buf, "1234567");
	assert_true(bootinfo_cmdline_get(&bi, "test", NULL, 0));
	assert_false(bootinfo_cmdline_get(&bi, "quiet", buf, sizeof(buf))); /* no value */
	assert_false(bootinfo_cmdline_get(&bi, "tes", buf, sizeof(buf)));
	assert_false(bootinfo_cmdline_get(&bi, "boot", buf, sizeof(buf)));
	assert_false(bootinfo_cmdline_get(&bi, "", buf, sizeof(buf)));

	assert_true(bootinfo_cmdline_has(&bi, "quiet"));
	assert_true(bootinfo_cmdline_has(&bi, "test"));
	assert_true(bootinfo_cmdline_has(&bi, "x"));
	assert_true(bootinfo_cmdline_has(&bi, "console"));
	assert_false(bootinfo_cmdline_has(&bi, "qui"));
	assert_false(bootinfo_cmdline_has(&bi, "boot"));
	assert_false(bootinfo_cmdline_has(&bi, "pmm"));
	assert_false(bootinfo_cmdline_has(&bi, ""));

	/* A full buffer without its NUL is still read only within bounds. */
	memset(bi.cmdline, 'k', sizeof(bi.cmdline));
	assert_false(bootinfo_cmdline_has(&bi, "k"));
}

static void test_max_usable(void **state)
{
	bi = (struct boot_info){0};
	assert_int_equal(bootinfo_max_usable(&bi), 0);
	bi.mmap[0] = (struct boot_mem_region){0, 0x9f000, U};
	bi.mmap[1] = (struct boot_mem_region){0x100000, 0x100000, U};
	bi.mmap[2] = (struct boot_mem_region){0x300000, 0x100000, R};
	bi.mmap_count = 3;
	assert_int_equal(bootinfo_max_usable(&bi), 0x200000);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_mb2_grub_bios),
	    T(test_mb2_uefi),
	    T(test_mb2_uefi_boot_services_kept),
	    T(test_mb2_prefers_tag6_over_efi),
	    T(test_mb2_meminfo_fallback),
	    T(test_mb2_no_memory_map),
	    T(test_mb2_total_size_too_small),
	    T(test_mb2_total_size_too_big),
	    T(test_mb2_truncated_by_memory),
	    T(test_mb2_misaligned),
	    T(test_mb2_tag_past_end),
	    T(test_mb2_tag_too_small),
	    T(test_mb2_missing_end_tag),
	    T(test_mb2_mmap_entry_size_too_small),
	    T(test_mb2_mmap_tag_too_small),
	    T(test_mb2_mmap_wide_entries),
	    T(test_mb2_too_many_entries),
	    T(test_mb2_many_mergeable_entries),
	    T(test_mb2_too_many_distinct_regions),
	    T(test_mb2_unterminated_strings),
	    T(test_mb2_long_strings),
	    T(test_mb2_bad_optional_tags_ignored),
	    T(test_mb2_too_many_modules),
	    T(test_mmap_out_of_order_and_overlap),
	    T(test_mmap_adjacent_merge_and_empty),
	    T(test_mmap_same_type_overlap),
	    T(test_mmap_split_overflows_table),
	    T(test_mmap_wraps),
	    T(test_mmap_no_usable),
	    T(test_module_outside_ram),
	    T(test_module_ends_before_start),
	    T(test_unknown_magic),
	    T(test_pvh_v1),
	    T(test_pvh_version0),
	    T(test_pvh_no_memmap),
	    T(test_pvh_bad_magic),
	    T(test_pvh_huge_counts),
	    T(test_pvh_unreadable_pointers),
	    T(test_pvh_unterminated_string),
	    T(test_pvh_module_wraps_and_outside),
	    T(test_cmdline),
	    T(test_max_usable),
	};
	return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
