/*
 * Tests of the Multiboot2 parser (kernel/boot/bootinfo_mb2.c, with
 * bootinfo.c): what GRUB gives under SeaBIOS and UEFI (the EFI memory map,
 * boot-services memory, the basic memory information as a fallback), and
 * malformed framing: sizes too small or too big, truncation, misalignment,
 * tags past the end or too small, a missing end tag, memory-map entries of
 * odd sizes, too many entries or regions, unterminated and long strings, bad
 * optional tags, too many modules. The information is built in the simulated
 * memory of bootinfo_sim.h; every error case checks the message in bi.error.
 * The memory-map repair, PVH and the queries are test_bootinfo.c.
 */
#include "bootinfo_sim.h"

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
	};
	return cmocka_run_group_tests_name("bootinfo_mb2", tests, NULL, NULL);
}
