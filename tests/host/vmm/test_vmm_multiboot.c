/*
 * Unit tests for orbvm's Multiboot loaders (vmm/boot/multiboot.c and the
 * Multiboot paths of vmm/boot/kimage.c): Multiboot 1 with the a.out-kludge
 * address fields and as ELF, Multiboot2 with the address and entry tags and
 * as ELF, the search windows and alignment, and the refusals: wrong
 * checksums, required flags orbvm lacks (video mode), required information
 * or header tags it does not give (framebuffer), address fields pointing
 * outside the file, bad tag sizes, a non-ELF kernel without addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "boot/kimage.h"
#include "boot/multiboot.h"
#include "err.h"
#include "vmm_kimage_fixture.h"

static uint8_t img[FX_LEN];
static struct kimage k;

static void expect_reject(const char *needle)
{
	err_clear();
	int r = kimage_parse(img, FX_LEN, &k);
	if (r >= 0)
		fail_msg("accepted, expected '%s'", needle);
	assert_null(strchr(err_msg(), '\n'));
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

/* A flat Multiboot 1 kernel: header at 0x100 saying the file loads at 1 MiB. */
static void mb1_flat(uint32_t flags, uint32_t load_end, uint32_t bss_end)
{
	memset(img, 0x90, FX_LEN);
	const uint32_t addrs[5] = {0x100100, 0x100000, load_end, bss_end, 0x100200};
	fx_mb1(img, 0x100, flags, addrs);
}

static void test_mb1_kludge(void **state)
{
	(void)state;
	mb1_flat(0x10003, 0x102000, 0x108000);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_MB1);
	assert_int_equal(k.entry, 0x100200);
	assert_int_equal(k.nregions, 1);
	assert_int_equal(k.regions[0].paddr, 0x100000);
	assert_int_equal(k.regions[0].file_off, 0);
	assert_int_equal(k.regions[0].filesz, 0x2000);
	assert_int_equal(k.regions[0].memsz, 0x8000);
	mb1_flat(0x10000, 0, 0); /* load_end 0: the whole file; bss_end 0: no bss */
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.regions[0].filesz, FX_LEN);
	assert_int_equal(k.regions[0].memsz, FX_LEN);
}

static void test_mb1_refusals(void **state)
{
	(void)state;
	mb1_flat(0x10007, 0, 0);
	expect_reject("requires flag bits 0x4 (a video mode)");
	mb1_flat(0x10103, 0, 0);
	expect_reject("requires flag bits 0x100");
	mb1_flat(0x10003, 0, 0);
	img[0x108] ^= 1;
	expect_reject("Multiboot header has a wrong checksum");
	mb1_flat(0x10003, 0x100000 + FX_LEN + 1, 0);
	expect_reject("load_end_addr");
	mb1_flat(0x10003, 0x102000, 0x101000);
	expect_reject("bss_end_addr");
	const uint32_t outside[5] = {0x100100, 0x0ff000, 0, 0, 0x100200};
	fx_mb1(img, 0x100, 0x10003, outside); /* loads from before the file's start */
	expect_reject("point outside the file");
	mb1_flat(0x3, 0, 0); /* no address fields and not ELF */
	expect_reject("not ELF and gives no load addresses");
	/* Beyond the 8 KiB window or misaligned: not a header at all. */
	memset(img, 0, FX_LEN);
	fx_mb1(img, 0x2000, 0x10003, NULL);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), KIMAGE_NOT_RECOGNISED);
	memset(img, 0, FX_LEN);
	fx_mb1(img, 0x102, 0x10003, NULL);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), KIMAGE_NOT_RECOGNISED);
}

static void test_mb1_elf(void **state)
{
	(void)state;
	const struct fx_load l[] = {{0x100000, 0xc0100000u, 0x800, 0x2000}};
	fx_elf(img, false, l, 1, 0xc0100010u, 0); /* e_entry virtual: translated */
	fx_mb1(img, 0x200, 0x3, NULL);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_MB1);
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.regions[0].memsz, 0x2000);
}

static void test_mb2_elf_and_tags(void **state)
{
	(void)state;
	const struct fx_load l[] = {{0x200000, 0x200000, 0x800, 0x1000}};
	uint8_t tags[40] = {0};
	fx_le(tags, 0, 1, 2); /* information request, required: cmdline, mmap, ACPI new */
	fx_le(tags, 4, 20, 4);
	fx_le(tags, 8, 1, 4);
	fx_le(tags, 12, 6, 4);
	fx_le(tags, 16, 15, 4);
	fx_le(tags, 24, 5, 2); /* framebuffer, optional */
	fx_le(tags, 26, 1, 2);
	fx_le(tags, 28, 12, 4);
	fx_elf(img, true, l, 1, 0x200040, 0);
	fx_mb2(img, 0x1000, tags, 40); /* inside the loaded segment, as a kernel has it */
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_MB2);
	assert_int_equal(k.entry, 0x200040);
	fx_le(tags, 16, 8, 4); /* framebuffer information, required: refused */
	fx_mb2(img, 0x1000, tags, 40);
	expect_reject("requires boot information tag 8");
	fx_le(tags, 16, 15, 4);
	fx_le(tags, 26, 0, 2); /* the framebuffer tag now required */
	fx_mb2(img, 0x1000, tags, 40);
	expect_reject("requires header tag 5 (a framebuffer)");
	fx_le(tags, 28, 0x1000, 4); /* a tag longer than its header */
	fx_mb2(img, 0x1000, tags, 40);
	expect_reject("bad size");
}

static void test_mb2_address_tags(void **state)
{
	(void)state;
	uint8_t tags[40] = {0};
	fx_le(tags, 0, 2, 2); /* address: header 0x100400, load 0x100000, to the end, bss */
	fx_le(tags, 4, 24, 4);
	fx_le(tags, 8, 0x100400, 4);
	fx_le(tags, 12, 0x100000, 4);
	fx_le(tags, 20, 0x110000, 4);
	fx_le(tags, 24, 3, 2); /* entry */
	fx_le(tags, 28, 12, 4);
	fx_le(tags, 32, 0x100800, 4);
	memset(img, 0, FX_LEN);
	fx_mb2(img, 0x400, tags, 40);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_MB2);
	assert_int_equal(k.entry, 0x100800);
	assert_int_equal(k.regions[0].filesz, FX_LEN);
	assert_int_equal(k.regions[0].memsz, 0x10000);
	fx_le(tags, 24, 4, 2); /* no entry tag any more (a console tag instead) */
	fx_mb2(img, 0x400, tags, 40);
	expect_reject("no entry address");
	img[0x40c] ^= 1;
	expect_reject("Multiboot2 header has a wrong checksum");
	memset(img, 0, FX_LEN);
	fx_mb2(img, 0x404, tags, 40); /* not 8-aligned: no header */
	assert_int_equal(kimage_parse(img, FX_LEN, &k), KIMAGE_NOT_RECOGNISED);
	memset(img, 0, FX_LEN);
	fx_mb2(img, FX_LEN - 24, tags, 0);
	fx_le(img, FX_LEN - 16, 0, 4); /* the end tag cut: header claims past the file */
	fx_le(img, FX_LEN - 16 + 0, 0, 4);
	fx_le(img, FX_LEN - 24 + 8, 64, 4);
	fx_le(img, FX_LEN - 24 + 12, (uint32_t) - (0xe85250d6u + 64), 4);
	expect_reject("past the end of the file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mb1_kludge),	     cmocka_unit_test(test_mb1_refusals),
	    cmocka_unit_test(test_mb1_elf),	     cmocka_unit_test(test_mb2_elf_and_tags),
	    cmocka_unit_test(test_mb2_address_tags),
	};
	return cmocka_run_group_tests_name("vmm_multiboot", tests, NULL, NULL);
}
