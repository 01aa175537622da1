/*
 * Unit tests for orbvm's ELF / PVH kernel loader (vmm/boot/elf.c and the PVH
 * path of vmm/boot/kimage.c): valid ELF32 and ELF64 kernels with a PVH note,
 * then malformed ones (truncated, program headers or notes outside the file,
 * filesz above memsz, segments below 1 MiB, overlapping, in the MMIO hole or
 * past 4 GiB, an entry outside the kernel, no PVH note and no Multiboot
 * header). Every refusal is one line naming the problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "boot/elf.h"
#include "boot/kimage.h"
#include "err.h"
#include "vmm_kimage_fixture.h"

static uint8_t img[FX_LEN];
static struct kimage k;

static const struct fx_load two[] = {
    {0x200000, 0x200000, 0x800, 0x1000},
    {0x201000, 0xffffffff80201000ull, 0x800, 0x5000},
};

static void expect_reject(size_t len, const char *needle)
{
	err_clear();
	int r = kimage_parse(img, len, &k);
	if (r >= 0)
		fail_msg("accepted, expected '%s'", needle);
	assert_null(strchr(err_msg(), '\n'));
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

static void test_pvh_elf64(void **state)
{
	(void)state;
	fx_elf(img, true, two, 2, 0x200010, 0x200020);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_PVH);
	assert_int_equal(k.entry, 0x200020); /* the note's entry, not e_entry */
	assert_int_equal(k.nregions, 2);
	assert_int_equal(k.regions[1].paddr, 0x201000);
	assert_int_equal(k.regions[1].file_off, 0x1000);
	assert_int_equal(k.regions[1].filesz, 0x800);
	assert_int_equal(k.regions[1].memsz, 0x5000);
	assert_int_equal(k.end, 0x206000);
}

static void test_pvh_elf32_and_8_byte_note(void **state)
{
	(void)state;
	fx_elf(img, false, two, 1, 0x200000, 0x200004);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.proto, KIMAGE_PVH);
	assert_int_equal(k.entry, 0x200004);
	/* An 8-byte descriptor (Linux's vmlinux): the note grows by 4 bytes. */
	fx_le(img, FX_NOTE_OFF + 4, 8, 4);
	fx_le(img, FX_NOTE_OFF + 16, 0x200008, 8);
	fx_le(img, fx_phdr(false, 1) + 16, 24, 4);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), 0);
	assert_int_equal(k.entry, 0x200008);
	fx_le(img, FX_NOTE_OFF + 4, 2, 4); /* a 2-byte entry is nonsense */
	expect_reject(FX_LEN, "2-byte entry");
}

static void test_truncated(void **state)
{
	(void)state;
	fx_elf(img, true, two, 2, 0, 0x200000);
	expect_reject(10, "truncated ELF file");
	expect_reject(63, "truncated ELF file");
	expect_reject(0x80, "program headers lie outside");
	expect_reject(0x1400, "PT_LOAD segment needs bytes"); /* 0x1000 + 0x800 > 0x1400 */
	fx_le(img, 56, 0xffff, 2);			      /* phnum huge */
	expect_reject(FX_LEN, "program headers");
}

static void test_notes_outside(void **state)
{
	(void)state;
	fx_elf(img, false, two, 1, 0, 0x200000);
	size_t ph = fx_phdr(false, 1);
	fx_le(img, ph + 4, FX_LEN - 8, 4); /* the PT_NOTE runs past the file */
	expect_reject(FX_LEN, "PT_NOTE segment needs bytes");
	fx_le(img, ph + 4, FX_NOTE_OFF, 4);
	fx_le(img, FX_NOTE_OFF + 4, 0x100, 4); /* descriptor past its segment */
	expect_reject(FX_LEN, "runs past its segment");
	fx_le(img, FX_NOTE_OFF, 0xfffffff0u, 4); /* name size near 4 GiB: no wrap */
	expect_reject(FX_LEN, "runs past its segment");
}

static void test_bad_identification(void **state)
{
	(void)state;
	fx_elf(img, true, two, 2, 0, 0x200000);
	img[4] = 3;
	expect_reject(FX_LEN, "unknown class");
	img[4] = 2;
	img[5] = 2;
	expect_reject(FX_LEN, "little-endian");
	img[5] = 1;
	fx_le(img, 18, 40, 2); /* ARM */
	expect_reject(FX_LEN, "not x86");
	fx_le(img, 18, 62, 2);
	fx_le(img, 16, 3, 2); /* DYN */
	expect_reject(FX_LEN, "not an executable");
}

static void test_bad_segments(void **state)
{
	(void)state;
	struct fx_load l[2] = {two[0], two[1]};
	l[0].filesz = 0x2000;
	fx_elf(img, true, l, 2, 0, 0x200000);
	expect_reject(FX_LEN, "more file bytes than memory bytes");
	l[0] = two[0];
	l[0].paddr = 0x80000;
	fx_elf(img, true, l, 2, 0, 0x201000);
	expect_reject(FX_LEN, "below 1 MiB");
	l[0].paddr = 0x201800; /* inside the second */
	fx_elf(img, true, l, 2, 0, 0x201000);
	expect_reject(FX_LEN, "overlap");
	l[0].paddr = 0xbffff800;
	fx_elf(img, true, l, 2, 0, 0x201000);
	expect_reject(FX_LEN, "MMIO hole");
	l[0].paddr = 0xfffff800;
	fx_elf(img, true, l, 2, 0, 0x201000);
	expect_reject(FX_LEN, "past 4 GiB");
	l[0].paddr = 0x1000000000ull;
	fx_elf(img, true, l, 2, 0, 0x201000);
	expect_reject(FX_LEN, "past 4 GiB");
}

static void test_entry_and_kind(void **state)
{
	(void)state;
	fx_elf(img, true, two, 2, 0, 0x300000);
	expect_reject(FX_LEN, "entry point 0x300000 is not inside");
	fx_elf(img, true, two, 2, 0x200000, 0); /* no note, no Multiboot header */
	expect_reject(FX_LEN, "neither a PVH note nor a Multiboot header");
	memset(img, 'a', FX_LEN);
	assert_int_equal(kimage_parse(img, FX_LEN, &k), KIMAGE_NOT_RECOGNISED);
	fx_elf(img, true, two, 0, 0, 0x200000);
	expect_reject(FX_LEN, "no loadable segment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pvh_elf64),
	    cmocka_unit_test(test_pvh_elf32_and_8_byte_note),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_notes_outside),
	    cmocka_unit_test(test_bad_identification),
	    cmocka_unit_test(test_bad_segments),
	    cmocka_unit_test(test_entry_and_kind),
	};
	return cmocka_run_group_tests_name("vmm_elf", tests, NULL, NULL);
}
