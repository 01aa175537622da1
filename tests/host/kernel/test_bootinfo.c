/*
 * Tests of the boot-information parsers (kernel/boot/bootinfo*.c) beyond
 * Multiboot2's framing (test_bootinfo_mb2.c): the memory-map repair (out of
 * order, overlapping, adjacent, wrapping and empty regions, a table that
 * overflows when split, no usable RAM), modules outside RAM, an unknown
 * magic, the PVH start info (versions 0 and 1, bad magic, huge counts,
 * unreadable pointers, unterminated strings, modules that wrap), the command
 * line and bootinfo_max_usable. Input is built in the simulated memory of
 * bootinfo_sim.h; every repair checks its warning and the exact map.
 */
#include "bootinfo_sim.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
