/*
 * Unit tests for boot planning and the zero page (vmm/boot/boot_params.c):
 * exact e820 maps for 64 MiB, 256 MiB, 3 GiB and 8 GiB, kernel and initrd
 * placement, command-line limits, and the boot_params fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "boot/boot_params.h"
#include "boot/layout.h"
#include "err.h"
#include "mem.h"
#include "vmm_bzimage_fixture.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct e {
	uint64_t addr, size;
	uint32_t type;
};

static void check_map(uint64_t ram, const struct e *want, unsigned n)
{
	struct boot_e820_entry got[8];
	assert_int_equal(boot_e820(ram, got, 8), n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(got[i].addr, want[i].addr);
		assert_int_equal(got[i].size, want[i].size);
		assert_int_equal(got[i].type, want[i].type);
	}
}

static void test_e820_64m(void **state)
{
	(void)state;
	const struct e w[] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {0x100000, 63 * MiB, 1}};
	check_map(64 * MiB, w, 3);
}

static void test_e820_256m(void **state)
{
	(void)state;
	const struct e w[] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {0x100000, 255 * MiB, 1}};
	check_map(256 * MiB, w, 3);
}

static void test_e820_3g(void **state)
{
	(void)state;
	/* Exactly up to the hole: no high RAM. */
	const struct e w[] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {0x100000, 3 * GiB - MiB, 1}};
	check_map(3 * GiB, w, 3);
}

static void test_e820_8g(void **state)
{
	(void)state;
	const struct e w[] = {{0, 0x9fc00, 1},
			      {0x9fc00, 0x60400, 2},
			      {0x100000, 3 * GiB - MiB, 1},
			      {4 * GiB, 5 * GiB, 1}};
	check_map(8 * GiB, w, 4);
	/* A truncated output stays in bounds. */
	struct boot_e820_entry two[2];
	assert_int_equal(boot_e820(8 * GiB, two, 2), 2);
}

static void test_mem_layout_and_ptr(void **state)
{
	(void)state;
	uint64_t lo, hi;
	mem_layout(8 * GiB, &lo, &hi);
	assert_int_equal(lo, 3 * GiB);
	assert_int_equal(hi, 5 * GiB);
	mem_layout(64 * MiB, &lo, &hi);
	assert_int_equal(lo, 64 * MiB);
	assert_int_equal(hi, 0);
	/* mem_ptr on a fake 8 GiB layout (no host memory is touched). */
	struct guest_mem m = {
	    .host = (uint8_t *)0x10000, .size = 8 * GiB, .lo_size = 3 * GiB, .hi_size = 5 * GiB};
	assert_ptr_equal(mem_ptr(&m, 0, 16), (void *)0x10000);
	assert_ptr_equal(mem_ptr(&m, 3 * GiB - 16, 16), (void *)(0x10000 + 3 * GiB - 16));
	assert_null(mem_ptr(&m, 3 * GiB - 16, 17)); /* crosses into the hole */
	assert_null(mem_ptr(&m, 3 * GiB, 1));	    /* in the hole */
	assert_null(mem_ptr(&m, 4 * GiB - 1, 2));
	assert_ptr_equal(mem_ptr(&m, 4 * GiB, 1), (void *)(0x10000 + 3 * GiB));
	assert_null(mem_ptr(&m, 9 * GiB, 1));	 /* past the end */
	assert_null(mem_ptr(&m, 0, UINT64_MAX)); /* no overflow */
	assert_null(mem_ptr(&m, UINT64_MAX, 2));
}

static struct bzimage bz;
static uint8_t *img;

static int setup(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	img = fixture_bzimage(&o, &len);
	return bzimage_parse(img, len, &bz);
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	return 0;
}

static void test_plan_placement(void **state)
{
	(void)state;
	struct boot_layout l;
	assert_int_equal(boot_plan(&bz, 256 * MiB, 20, 5 * MiB + 123, &l), 0);
	assert_int_equal(l.kernel_addr, 0x1000000);
	assert_int_equal(l.kernel_end, 0x1000000 + 0x2000000);
	assert_int_equal(l.cmdline_addr, BOOT_CMDLINE_ADDR);
	assert_int_equal(l.cmdline_len, 20);
	/* As high as possible, page aligned, ending at or below the top of RAM. */
	assert_int_equal(l.initrd_addr % 4096, 0);
	assert_true(l.initrd_addr + l.initrd_size <= 256 * MiB);
	assert_true(l.initrd_addr + l.initrd_size > 256 * MiB - 4096);
	assert_int_equal(l.initrd_size, 5 * MiB + 123);
	/* With 8 GiB the initrd stays below initrd_addr_max (2 GiB - 1). */
	assert_int_equal(boot_plan(&bz, 8 * GiB, 0, 10 * MiB, &l), 0);
	assert_int_equal(l.initrd_addr, 0x80000000ull - 10 * MiB);
	/* With 3 GiB and a large initrd_addr_max, below the hole. */
	bz.initrd_addr_max = 0xffffffff;
	assert_int_equal(boot_plan(&bz, 3 * GiB, 0, 10 * MiB, &l), 0);
	assert_int_equal(l.initrd_addr, 3 * GiB - 10 * MiB);
	/* No initrd. */
	assert_int_equal(boot_plan(&bz, 64 * MiB, 0, 0, &l), 0);
	assert_int_equal(l.initrd_addr, 0);
	assert_int_equal(l.initrd_size, 0);
}

static void test_plan_rejects(void **state)
{
	(void)state;
	struct boot_layout l;
	err_clear();
	assert_int_equal(boot_plan(&bz, 64 * MiB, 2048, 0, &l), -ERR_RANGE);
	assert_non_null(strstr(err_msg(), "command line"));
	assert_int_equal(boot_plan(&bz, 64 * MiB, 2047, 0, &l), 0);
	/* Kernel needs 16 MiB + 32 MiB: 32 MiB of RAM is too little. */
	assert_int_equal(boot_plan(&bz, 32 * MiB, 0, 0, &l), -ERR_RANGE);
	assert_non_null(strstr(err_msg(), "too small"));
	/* Initrd that does not fit above the kernel. */
	assert_int_equal(boot_plan(&bz, 64 * MiB, 0, 17 * MiB, &l), -ERR_RANGE);
	assert_non_null(strstr(err_msg(), "initrd"));
	assert_int_equal(boot_plan(&bz, 64 * MiB, 0, 16 * MiB, &l), 0);
	assert_int_equal(boot_plan(&bz, 64 * MiB, 0, UINT64_MAX, &l), -ERR_RANGE);
	/* A kernel that wants a very long command line is still capped by orbvm. */
	bz.cmdline_size = 0xffffffff;
	assert_int_equal(boot_plan(&bz, 64 * MiB, BOOT_CMDLINE_MAX, 0, &l), -ERR_RANGE);
}

static void test_boot_params_fields(void **state)
{
	(void)state;
	struct boot_layout l;
	static struct boot_params bp;
	assert_int_equal(boot_plan(&bz, 8 * GiB, 13, 4096, &l), 0);
	boot_params_build(&bp, &bz, &l, 8 * GiB, 0xe0000);
	assert_memory_equal(&bp.hdr.header, "HdrS", 4);
	assert_int_equal(bp.hdr.version, 0x020f);
	assert_int_equal(bp.hdr.boot_flag, 0xaa55);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.loadflags, 0x81); /* LOADED_HIGH | CAN_USE_HEAP */
	assert_int_equal(bp.hdr.heap_end_ptr, 0xfe00);
	assert_int_equal(bp.hdr.vid_mode, 0xffff);
	assert_int_equal(bp.hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	assert_int_equal(bp.ext_cmd_line_ptr, 0);
	assert_int_equal(bp.hdr.ramdisk_image, l.initrd_addr);
	assert_int_equal(bp.hdr.ramdisk_size, 4096);
	assert_int_equal(bp.hdr.code32_start, 0x1000000);
	assert_int_equal(bp.hdr.pref_address, 0x1000000);
	assert_int_equal(bp.hdr.init_size, 0x2000000);
	assert_int_equal(bp.acpi_rsdp_addr, 0xe0000);
	assert_int_equal(bp.e820_entries, 4);
	assert_int_equal(bp.e820_table[3].addr, 4 * GiB);
	assert_int_equal(bp.e820_table[3].size, 5 * GiB);
	/* Nothing beyond the setup header was copied from the image. */
	const uint8_t *raw = (const uint8_t *)&bp;
	for (size_t i = 0x26c; i < 0x290; i++)
		assert_int_equal(raw[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e820_64m),
	    cmocka_unit_test(test_e820_256m),
	    cmocka_unit_test(test_e820_3g),
	    cmocka_unit_test(test_e820_8g),
	    cmocka_unit_test(test_mem_layout_and_ptr),
	    cmocka_unit_test_setup_teardown(test_plan_placement, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boot_params_fields, setup, teardown),
	};
	return cmocka_run_group_tests_name("vmm_boot_params", tests, NULL, NULL);
}
