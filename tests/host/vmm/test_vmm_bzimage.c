/*
 * Unit tests for the bzImage parser (vmm/boot/bzimage.c): a well-formed
 * image, then malformed ones (truncated, bad magic, old protocol, lying
 * setup_sects and syssize, missing 64-bit entry, bad fields).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "boot/bzimage.h"
#include "err.h"
#include "vmm_bzimage_fixture.h"

static struct bzimage bz;

static void test_valid(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	assert_int_equal(bzimage_parse(img, len, &bz), 0);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_size, 28 * 512);
	assert_int_equal(bz.pm_size, 0x8000 * 16);
	assert_int_equal(bz.hdr_len, 0x26c - 0x1f1);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_true(bz.relocatable);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, 0x2000000);
	assert_ptr_equal(bzimage_pm_code(&bz), img + 28 * 512);
	free(img);
}

static void test_setup_sects_zero_means_four(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	o.setup_sects = 0;
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	assert_int_equal(bzimage_parse(img, len, &bz), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
	free(img);
}

static void test_trailing_data_allowed(void **state)
{
	(void)state;
	/* Signed kernels carry a signature after the code: allowed, not loaded. */
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	uint8_t *big = calloc(1, len + 4096);
	memcpy(big, img, len);
	assert_int_equal(bzimage_parse(big, len + 4096, &bz), 0);
	assert_int_equal(bz.pm_size, 0x8000 * 16);
	free(big);
	free(img);
}

static void expect_reject(uint8_t *img, size_t len, const char *needle)
{
	err_clear();
	assert_int_equal(bzimage_parse(img, len, &bz), -ERR_FORMAT);
	assert_null(strchr(err_msg(), '\n'));
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

static void test_truncated(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	expect_reject(img, 0, "too small");
	expect_reject(img, 0x200, "too small");
	expect_reject(img, 0x26b, "too small");
	expect_reject(img, 28 * 512, "truncated"); /* no code at all */
	expect_reject(img, len - 1, "truncated");  /* one byte short */
	expect_reject(img, 20 * 512, "truncated"); /* inside the setup */
	free(img);
}

static void test_bad_magic_and_flag(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	img[0x205] = 'X';
	expect_reject(img, len, "HdrS");
	img[0x205] = 'S';
	img[0x1fe] = 0;
	expect_reject(img, len, "0xAA55");
	/* An ELF file or text is "not a bzImage". */
	uint8_t text[4096];
	memset(text, 'a', sizeof(text));
	expect_reject(text, sizeof(text), "not a bzImage");
	free(img);
}

static void test_old_protocols(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	fx_put(img, 0x206, 0x0205, 2);
	expect_reject(img, len, "too old");
	fx_put(img, 0x206, 0x0200, 2);
	expect_reject(img, len, "too old");
	fx_put(img, 0x206, 0x020a, 2); /* 2.10: accepted header, but no 64-bit entry */
	expect_reject(img, len, "2.12");
	fx_put(img, 0x206, 0x020e, 2); /* 2.14 is an ordinary version here */
	assert_int_equal(bzimage_parse(img, len, &bz), 0);
	free(img);
}

static void test_lying_sizes(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	img[0x1f1] = 0xff; /* setup claims 256 sectors: more than the file */
	expect_reject(img, len, "truncated");
	img[0x1f1] = 27;
	fx_put(img, 0x1f4, 0x8001, 4); /* 16 bytes more code than present */
	expect_reject(img, len, "truncated");
	fx_put(img, 0x1f4, 0xffffffff, 4); /* huge: must not overflow */
	expect_reject(img, len, "truncated");
	fx_put(img, 0x1f4, 0, 4);
	expect_reject(img, len, "syssize");
	fx_put(img, 0x1f4, 0x8000, 4);
	fx_put(img, 0x260, 0x1000, 4); /* init_size below the code size */
	expect_reject(img, len, "init_size");
	free(img);
}

static void test_bad_fields(void **state)
{
	(void)state;
	struct fixture_opts o = fixture_default();
	size_t len;
	uint8_t *img = fixture_bzimage(&o, &len);
	img[0x211] = 0; /* zImage: loaded low */
	expect_reject(img, len, "LOADED_HIGH");
	img[0x211] = 1;
	fx_put(img, 0x236, 0, 2);
	expect_reject(img, len, "XLF_KERNEL_64");
	fx_put(img, 0x236, 1, 2);
	fx_put(img, 0x230, 0x300000, 4);
	expect_reject(img, len, "kernel_alignment");
	fx_put(img, 0x230, 0x200000, 4);
	fx_put(img, 0x258, 0x1000, 8);
	expect_reject(img, len, "pref_address");
	fx_put(img, 0x258, 0x100000000ull, 8);
	expect_reject(img, len, "pref_address");
	fx_put(img, 0x258, 0x1000000, 8);
	fx_put(img, 0x22c, 0x1000, 4);
	expect_reject(img, len, "initrd_addr_max");
	fx_put(img, 0x22c, 0x7fffffff, 4);
	img[0x201] = 0xff; /* header "longer" than struct setup_header: clamped */
	assert_int_equal(bzimage_parse(img, len, &bz), 0);
	assert_int_equal(bz.hdr_len, 0x26c - 0x1f1);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_setup_sects_zero_means_four),
	    cmocka_unit_test(test_trailing_data_allowed),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_magic_and_flag),
	    cmocka_unit_test(test_old_protocols),
	    cmocka_unit_test(test_lying_sizes),
	    cmocka_unit_test(test_bad_fields),
	};
	return cmocka_run_group_tests_name("vmm_bzimage", tests, NULL, NULL);
}
