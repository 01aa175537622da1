/*
 * Tests of what the user build produces: every program in build/user/bin
 * (or build/clang/user/bin) must pass the kernel's ELF parser
 * (lib/elf.c, which the kernel and the library's spawn both use)
 * with the layout user/lib/user.ld promises: three segments, text (R+X) at
 * ORB_USER_LINK, read-only data (R), data (R+W), the entry in the text; and
 * the boot archive (build/bootfs.cpio) must hold a stripped copy of each as
 * bin/NAME with the same entry and segments, plus user/etc/ as etc/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "lib/bootfs.h"
#include "lib/elf.h"
#include <orbital/proc.h>

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return p;
}

static void check_layout(const char *name, const struct elf_image *img)
{
	if (img->nsegs != 3)
		fail_msg("%s: %zu segments, want 3", name, img->nsegs);
	assert_int_equal(img->segs[0].vaddr, ORB_USER_LINK);
	assert_int_equal(img->segs[0].prot, ELF_R | ELF_X);
	assert_int_equal(img->segs[1].prot, ELF_R);
	assert_int_equal(img->segs[2].prot, ELF_R | ELF_W);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(img->segs[i].vaddr % ELF_PAGE_SIZE, 0);
	assert_true(img->entry >= img->segs[0].vaddr &&
		    img->entry < img->segs[0].vaddr + img->segs[0].memsz);
}

static void test_programs(void **state)
{
	(void)state;
	size_t asize;
	uint8_t *archive = read_file(ULIB_BOOTFS, &asize);
	char err[128];
	assert_true(bootfs_count(archive, asize, err, sizeof(err)) > 0);

	DIR *d = opendir(ULIB_BIN_DIR);
	assert_non_null(d);
	unsigned programs = 0;
	bool have_init = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", ULIB_BIN_DIR, de->d_name);
		size_t size;
		uint8_t *f = read_file(path, &size);
		struct elf_image img, simg;
		if (elf_parse(&img, f, size, err, sizeof(err)) != 0)
			fail_msg("%s refused: %s", de->d_name, err);
		check_layout(de->d_name, &img);

		/* The archive's stripped copy: smaller, same program. */
		struct bootfs_entry e;
		snprintf(path, sizeof(path), "/bin/%s", de->d_name);
		if (bootfs_find(archive, asize, path, &e, err, sizeof(err)) != 0)
			fail_msg("%s is not in the boot archive", path);
		assert_true(e.size <= size);
		uint8_t *copy = malloc(e.size);
		memcpy(copy, e.data, e.size);
		if (elf_parse(&simg, copy, e.size, err, sizeof(err)) != 0)
			fail_msg("%s (stripped) refused: %s", path, err);
		assert_int_equal(simg.entry, img.entry);
		assert_int_equal(simg.nsegs, img.nsegs);
		for (size_t i = 0; i < img.nsegs; i++) {
			assert_int_equal(simg.segs[i].vaddr, img.segs[i].vaddr);
			assert_int_equal(simg.segs[i].memsz, img.segs[i].memsz);
			assert_int_equal(simg.segs[i].filesz, img.segs[i].filesz);
			assert_memory_equal(copy + simg.segs[i].offset, f + img.segs[i].offset,
					    img.segs[i].filesz);
		}
		free(copy);
		free(f);
		programs++;
		if (strcmp(de->d_name, "init") == 0)
			have_init = true;
	}
	closedir(d);
	assert_true(have_init);
	assert_true(programs >= 2);

	/* etc/ holds user/etc/ byte for byte. */
	d = opendir("user/etc");
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "user/etc/%s", de->d_name);
		size_t size;
		uint8_t *f = read_file(path, &size);
		struct bootfs_entry e;
		snprintf(path, sizeof(path), "etc/%s", de->d_name);
		assert_int_equal(bootfs_find(archive, asize, path, &e, NULL, 0), 0);
		assert_int_equal(e.size, size);
		assert_memory_equal(e.data, f, size);
		free(f);
	}
	closedir(d);
	free(archive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_programs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
