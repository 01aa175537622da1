/*
 * Unit tests for the boot information orbvm hands PVH and Multiboot kernels
 * (vmm/boot/kinfo.c) and for their placement (kimage_plan in
 * vmm/boot/kimage.c): hvm_start_info v1 with modules and memory map, the
 * Multiboot2 tags, the Multiboot info structure, every pointer inside the
 * built area and every value as documented; modules page-aligned at the top
 * of low RAM above the kernel, and refusals (modules larger than RAM, a
 * kernel larger than RAM, module command lines too long for the area).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "boot/kimage.h"
#include "boot/kinfo.h"
#include "boot/le.h"
#include "err.h"

#define BASE 0x30000ull
#define RAM  (64ull << 20)

static uint8_t buf[0x10000];
static uint8_t rsdp[KINFO_RSDP_V2_LEN];
static const struct kinfo_module mods[2] = {{0x3ffe000, 13, ""}, {0x3ffc000, 18, "mod1 x=y"}};

static struct kinfo_in input(void)
{
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	return (struct kinfo_in){.ram = RAM,
				 .cmdline_addr = 0x20000,
				 .cmdline = "a=1 b=two",
				 .nmods = 2,
				 .mods = mods,
				 .rsdp_addr = 0xe0000,
				 .rsdp = rsdp};
}

/* The built area's bytes at guest address gpa (inside it). */
static const uint8_t *at(uint64_t gpa, int len)
{
	assert_true(gpa >= BASE && gpa - BASE < (uint64_t)len);
	return buf + (gpa - BASE);
}

/* The highest end of a usable range in an e820-style list: must be the RAM size. */
static uint64_t ram_end(const uint8_t *e, unsigned n, unsigned stride, unsigned off)
{
	uint64_t end = 0;
	for (unsigned i = 0; i < n; i++, e += stride)
		if (le32(e, off + 16) == 1 && le64(e, off) + le64(e, off + 8) > end)
			end = le64(e, off) + le64(e, off + 8);
	return end;
}

static void test_pvh(void **state)
{
	(void)state;
	struct kinfo_in in = input();
	int len = kinfo_build(KIMAGE_PVH, &in, BASE, buf, sizeof(buf));
	assert_true(len >= 56);
	assert_int_equal(le32(buf, 0), PVH_START_MAGIC);
	assert_int_equal(le32(buf, 4), 1);
	assert_int_equal(le32(buf, 12), 2);
	assert_int_equal(le64(buf, 24), 0x20000);
	assert_int_equal(le64(buf, 32), 0xe0000);
	const uint8_t *ml = at(le64(buf, 16), len);
	assert_int_equal(le64(ml, 0), 0x3ffe000);
	assert_int_equal(le64(ml, 8), 13);
	assert_int_equal(le64(ml, 16), 0); /* the initrd has no command line */
	assert_int_equal(le64(ml, 32 + 8), 18);
	assert_string_equal((const char *)at(le64(ml, 32 + 16), len), "mod1 x=y");
	unsigned n = le32(buf, 48);
	assert_int_equal(n, 3);
	assert_int_equal(ram_end(at(le64(buf, 40), len), n, 24, 0), RAM);
}

static void test_mb2(void **state)
{
	(void)state;
	struct kinfo_in in = input();
	int len = kinfo_build(KIMAGE_MB2, &in, BASE, buf, sizeof(buf));
	assert_int_equal(le32(buf, 0), (uint32_t)len);
	unsigned seen = 0, nmods = 0;
	for (int off = 8; off < len;) {
		uint32_t type = le32(buf, off), size = le32(buf, off + 4);
		assert_true(size >= 8 && off + (int)size <= len);
		seen |= 1u << type;
		const uint8_t *t = buf + off;
		if (type == 1)
			assert_string_equal((const char *)t + 8, "a=1 b=two");
		if (type == 2)
			assert_string_equal((const char *)t + 8, KINFO_LOADER);
		if (type == 3) {
			assert_int_equal(le32(t, 12) - le32(t, 8), mods[nmods].size);
			assert_string_equal((const char *)t + 16, mods[nmods].cmdline);
			nmods++;
		}
		if (type == 4)
			assert_int_equal(le32(t, 12), (RAM >> 10) - 1024);
		if (type == 6)
			assert_int_equal(ram_end(t + 16, (size - 16) / 24, le32(t, 8), 0), RAM);
		if (type == 14 || type == 15)
			assert_memory_equal(t + 8, "RSD PTR ", 8);
		if (type == 0) {
			assert_int_equal(off + 8, len);
			break;
		}
		off += (size + 7) & ~7u;
	}
	assert_int_equal(nmods, 2);
	assert_int_equal(seen, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) |
				   (1u << 6) | (1u << 14) | (1u << 15));
}

static void test_mb1(void **state)
{
	(void)state;
	struct kinfo_in in = input();
	int len = kinfo_build(KIMAGE_MB1, &in, BASE, buf, sizeof(buf));
	assert_int_equal(le32(buf, 0), 0x24d); /* mem, cmdline, mods, mmap, loader name */
	assert_int_equal(le32(buf, 4), 639);
	assert_int_equal(le32(buf, 8), (RAM >> 10) - 1024);
	assert_int_equal(le32(buf, 16), 0x20000);
	assert_int_equal(le32(buf, 20), 2);
	const uint8_t *m = at(le32(buf, 24), len);
	assert_int_equal(le32(m, 4) - le32(m, 0), 13);
	assert_int_equal(le32(m, 16 + 4) - le32(m, 16), 18);
	assert_string_equal((const char *)at(le32(m, 16 + 8), len), "mod1 x=y");
	assert_int_equal(le32(buf, 44), 3 * 24);
	const uint8_t *mm = at(le32(buf, 48), len);
	assert_int_equal(le32(mm, 0), 20);
	assert_int_equal(ram_end(mm, 3, 24, 4), RAM);
	assert_string_equal((const char *)at(le32(buf, 64), len), KINFO_LOADER);
}

static void test_info_too_large(void **state)
{
	(void)state;
	static char longname[2000];
	memset(longname, 'x', sizeof(longname) - 1);
	struct kinfo_module big[2] = {{0x3ffe000, 1, longname}, {0x3ffc000, 1, longname}};
	struct kinfo_in in = input();
	in.mods = big;
	for (int p = KIMAGE_PVH; p <= KIMAGE_MB1; p++) {
		err_clear();
		assert_int_equal(kinfo_build((enum kimage_proto)p, &in, BASE, buf, 3000),
				 -ERR_RANGE);
		assert_non_null(strstr(err_msg(), "does not fit"));
	}
}

static void test_plan(void **state)
{
	(void)state;
	struct kimage k = {.proto = KIMAGE_PVH, .end = 0x400000};
	struct kimage_layout l;
	const uint64_t sizes[3] = {13, 0x5000, 1};
	assert_int_equal(kimage_plan(&k, RAM, 10, sizes, 3, &l), 0);
	assert_int_equal(l.info_addr, KIMAGE_INFO_ADDR);
	assert_int_equal(l.mod_addr[0], RAM - 0x1000);
	assert_int_equal(l.mod_addr[1], RAM - 0x1000 - 0x5000);
	assert_int_equal(l.mod_addr[2], RAM - 0x7000);
	/* Larger than RAM, or no room above the kernel. */
	const uint64_t huge[1] = {RAM + 1};
	assert_int_equal(kimage_plan(&k, RAM, 10, huge, 1, &l), -ERR_RANGE);
	assert_non_null(strstr(err_msg(), "module 1 (65537 KiB) does not fit"));
	const uint64_t tight[1] = {RAM - 0x400000 + 1};
	assert_int_equal(kimage_plan(&k, RAM, 10, tight, 1, &l), -ERR_RANGE);
	k.end = RAM + 1;
	assert_int_equal(kimage_plan(&k, RAM, 10, NULL, 0, &l), -ERR_RANGE);
	assert_non_null(strstr(err_msg(), "needs --mem 65M"));
	k.end = 0x400000;
	assert_int_equal(kimage_plan(&k, RAM, 0x10000, NULL, 0, &l), -ERR_RANGE);
	/* Above 3 GiB of RAM the modules stay below the hole. */
	assert_int_equal(kimage_plan(&k, 8ull << 30, 10, sizes, 1, &l), 0);
	assert_int_equal(l.mod_addr[0], 0xc0000000ull - 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pvh),	 cmocka_unit_test(test_mb2),
	    cmocka_unit_test(test_mb1),	 cmocka_unit_test(test_info_too_large),
	    cmocka_unit_test(test_plan),
	};
	return cmocka_run_group_tests_name("vmm_kinfo", tests, NULL, NULL);
}
