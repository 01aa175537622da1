/*
 * Tests of the boot-archive parser (lib/bootfs.c).
 *
 * The archives are real: each test run writes a small tree of files into a
 * temporary directory and has Debian's cpio pack it (`cpio -o -H newc`, and
 * `-H crc`), so the parser is checked against an independent writer of the
 * format. Expected names and contents come from the files the test wrote.
 * Every archive is parsed from a heap block of exactly its size (and once at
 * an odd address), so under ASan a read past the end fails the test. Then
 * every prefix that lacks the trailer must be refused, and corrupted copies
 * (each header field, sizes past the end, names without their NUL) must be
 * refused with a "bootfs: " message.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "hosted.h"
#include "lib/bootfs.h"

struct tfile {
	const char *path;
	size_t size; /* the content is tfile_byte(i, j) */
};

/* Sizes chosen to hit every padding case (size mod 4 = 0..3), an empty file and a big one. */
static const struct tfile tfiles[] = {
    {"bin/init", 5000}, {"bin/hello", 4097}, {"bin/a", 1},    {"etc/motd", 42},
    {"etc/empty", 0},	{"etc/x/yy", 3},     {"big", 200003},
};
#define NFILES (sizeof(tfiles) / sizeof(tfiles[0]))

static uint8_t tfile_byte(size_t file, size_t i)
{
	return (uint8_t)(i * 31 + file * 7 + (i >> 8));
}

static char tmpdir[64];

/* Writes the tree once; returns the archive made by cpio in the given format, heap-allocated. */
static uint8_t *make_archive(const char *format, size_t *size)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/test_bootfs.XXXXXX");
		assert_non_null(mkdtemp(tmpdir));
		char p[256];
		snprintf(p, sizeof(p), "%s/bin", tmpdir), mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/etc", tmpdir), mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/etc/x", tmpdir), mkdir(p, 0755);
		for (size_t f = 0; f < NFILES; f++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, tfiles[f].path);
			FILE *fp = fopen(p, "wb");
			assert_non_null(fp);
			for (size_t i = 0; i < tfiles[f].size; i++)
				fputc(tfile_byte(f, i), fp);
			fclose(fp);
		}
	}
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && find . ! -name '*.cpio' | LC_ALL=C sort | cpio --quiet -o -H %s > "
		 "out.cpio",
		 tmpdir, format);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/out.cpio", tmpdir);
	FILE *fp = fopen(cmd, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	assert_true(n > 0);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*size = (size_t)n;
	return buf;
}

static int cleanup(void **state)
{
	(void)state;
	if (tmpdir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* A heap copy of exactly n bytes (ASan catches any read past it). */
static uint8_t *copy_of(const uint8_t *a, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	memcpy(c, a, n);
	return c;
}

static void check_all_files(const uint8_t *a, size_t n)
{
	char err[128];
	for (size_t f = 0; f < NFILES; f++) {
		struct bootfs_entry e;
		assert_int_equal(bootfs_find(a, n, tfiles[f].path, &e, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		assert_int_equal(e.size, tfiles[f].size);
		assert_int_equal(e.mode & BOOTFS_TYPE_MASK, BOOTFS_TYPE_FILE);
		assert_string_equal(e.name, tfiles[f].path);
		const uint8_t *d = e.data;
		assert_true(d >= a && d + e.size <= a + n);
		for (size_t i = 0; i < e.size; i++)
			if (d[i] != tfile_byte(f, i))
				fail_msg("%s: byte %zu differs", tfiles[f].path, i);
	}
}

static void test_find_newc(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	assert_int_equal(memcmp(a, "070701", 6), 0);
	check_all_files(a, n);
	/* Unaligned base: offsets and padding are relative to the archive. */
	uint8_t *odd = malloc(n + 1);
	memcpy(odd + 1, a, n);
	check_all_files(odd + 1, n);
	free(odd);
	free(a);
}

static void test_find_crc(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("crc", &n);
	assert_int_equal(memcmp(a, "070702", 6), 0);
	check_all_files(a, n);
	free(a);
}

static void test_paths(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	struct bootfs_entry e;
	const char *same[] = {"bin/hello", "/bin/hello", "./bin/hello", ".//bin/hello",
			      "//bin/hello"};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(bootfs_find(a, n, same[i], &e, NULL, 0), 0);
		assert_int_equal(e.size, 4097);
	}
	assert_int_equal(bootfs_find(a, n, "bin/hell", &e, NULL, 0), -ERR_NOENT);
	assert_int_equal(bootfs_find(a, n, "bin/hello2", &e, NULL, 0), -ERR_NOENT);
	assert_int_equal(bootfs_find(a, n, "bin", &e, NULL, 0), -ERR_NOENT); /* a directory */
	assert_int_equal(bootfs_find(a, n, "TRAILER!!!", &e, NULL, 0), -ERR_NOENT);
	assert_int_equal(bootfs_find(a, n, "", &e, NULL, 0), -ERR_INVAL);
	assert_int_equal(bootfs_find(a, n, "./", &e, NULL, 0), -ERR_INVAL);
	free(a);
}

/* Names with a leading "/" (cpio keeps absolute names): found without it too. */
static void test_absolute_names(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n); /* writes the tree */
	free(a);
	char cmd[256], path[128];
	snprintf(cmd, sizeof(cmd), "find %s/bin | cpio --quiet -o -H newc > %s/abs.cpio", tmpdir,
		 tmpdir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/abs.cpio", tmpdir);
	FILE *fp = fopen(cmd, "rb");
	assert_non_null(fp);
	static uint8_t buf[65536];
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	a = copy_of(buf, n);
	struct bootfs_entry e;
	snprintf(path, sizeof(path), "%s/bin/init", tmpdir + 1); /* without the "/" */
	assert_int_equal(bootfs_find(a, n, path, &e, NULL, 0), 0);
	assert_int_equal(e.size, 5000);
	assert_string_equal(e.name, path);
	free(a);
}

static void test_iterate(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	struct bootfs_iter it;
	struct bootfs_entry e;
	char err[128];
	size_t files = 0, dirs = 0, total = 0;
	bootfs_iter_init(&it, a, n);
	int rc;
	while ((rc = bootfs_next(&it, &e, err, sizeof(err))) > 0) {
		total++;
		if ((e.mode & BOOTFS_TYPE_MASK) == BOOTFS_TYPE_DIR)
			dirs++;
		if ((e.mode & BOOTFS_TYPE_MASK) == BOOTFS_TYPE_FILE)
			files++;
		assert_int_equal(strlen(e.name), e.name_len);
		assert_true(e.name[0] != '/' && strncmp(e.name, "./", 2) != 0);
	}
	assert_int_equal(rc, 0);
	/* The trailer is sticky. */
	assert_int_equal(bootfs_next(&it, &e, err, sizeof(err)), 0);
	assert_int_equal(files, NFILES);
	assert_int_equal(dirs, 4); /* ".", bin, etc, etc/x */
	assert_int_equal(bootfs_count(a, n, NULL, 0), (long)total);
	free(a);
}

/* Offset just past the trailer's name: the shortest prefix that is a whole archive. */
static size_t trailer_end(const uint8_t *a, size_t n)
{
	const uint8_t *t = memmem(a, n, "TRAILER!!!", 11);
	assert_non_null(t);
	return (size_t)(t - a) + 11;
}

static void test_truncated(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	size_t end = trailer_end(a, n);
	char err[128];
	/* Every prefix without the whole trailer is refused (the file data too). */
	for (size_t len = 0; len < end; len += (len < 6000 || end - len < 600) ? 1 : 97) {
		uint8_t *c = copy_of(a, len);
		long r = bootfs_count(c, len, err, sizeof(err));
		if (r != -ERR_FORMAT)
			fail_msg("prefix of %zu bytes (of %zu) gave %ld", len, end, r);
		assert_int_equal(strncmp(err, "bootfs: ", 8), 0);
		free(c);
	}
	/* The trailer's padding may be cut; the archive is whole without it. */
	for (size_t len = end; len <= n && len < end + 8; len++) {
		uint8_t *c = copy_of(a, len);
		assert_true(bootfs_count(c, len, err, sizeof(err)) > 0);
		free(c);
	}
	assert_int_equal(bootfs_count(NULL, 0, err, sizeof(err)), -ERR_FORMAT);
	free(a);
}

/* Writes v as 8 hex digits into field i of the header at h. */
static void set_field(uint8_t *h, int i, uint32_t v)
{
	char buf[9];
	snprintf(buf, sizeof(buf), "%08X", v);
	memcpy(h + 6 + 8 * i, buf, 8);
}

static uint32_t get_field(const uint8_t *h, int i)
{
	char buf[9] = {0};
	memcpy(buf, h + 6 + 8 * i, 8);
	return (uint32_t)strtoul(buf, NULL, 16);
}

/* The header of the entry named path in a. */
static uint8_t *header_of(uint8_t *a, size_t n, const char *name)
{
	uint8_t *p = a;
	while (p + BOOTFS_HEADER_SIZE < a + n) {
		if (strcmp((char *)p + BOOTFS_HEADER_SIZE, name) == 0)
			return p;
		uint32_t ns = get_field(p, 11), fs = get_field(p, 6);
		size_t off = (size_t)(p - a) + BOOTFS_HEADER_SIZE + ns;
		off = (off + 3) & ~(size_t)3;
		off = (off + fs + 3) & ~(size_t)3;
		p = a + off;
	}
	fail_msg("no entry %s", name);
	return NULL;
}

static void expect_refused(uint8_t *c, size_t n, const char *what, const char *msg)
{
	char err[128];
	long r = bootfs_count(c, n, err, sizeof(err));
	if (r != -ERR_FORMAT)
		fail_msg("%s: accepted (%ld)", what, r);
	if (!strstr(err, msg))
		fail_msg("%s: message \"%s\" lacks \"%s\"", what, err, msg);
	struct bootfs_entry e;
	assert_int_equal(bootfs_find(c, n, "zzz-not-there", &e, NULL, 0), -ERR_FORMAT);
}

static void test_corrupt(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	size_t end = trailer_end(a, n);
	uint8_t *c;
	size_t hoff = (size_t)(header_of(a, n, "etc/motd") - a);

#define MUTATE(what, msg, stmt)                                                                    \
	do {                                                                                       \
		c = copy_of(a, end);                                                               \
		uint8_t *h = c + hoff;                                                             \
		(void)h;                                                                           \
		stmt;                                                                              \
		expect_refused(c, end, what, msg);                                                 \
		free(c);                                                                           \
	} while (0)

	MUTATE("magic", "bad magic", h[5] = '7');
	MUTATE("magic 070703", "bad magic", h[5] = '3');
	MUTATE("first magic", "bad magic", c[0] = 'x');
	for (int i = 0; i < 13; i++) {
		MUTATE("non-hex digit", "hex", h[6 + 8 * i + (i % 8)] = 'g');
		MUTATE("space in field", "hex", h[6 + 8 * i] = ' ');
	}
	MUTATE("namesize 0", "name size", set_field(h, 11, 0));
	MUTATE("namesize huge", "name size", set_field(h, 11, 0xffffffffu));
	MUTATE("namesize one short", "NUL", set_field(h, 11, get_field(h, 11) - 1));
	MUTATE("namesize one long", "NUL", set_field(h, 11, get_field(h, 11) + 1));
	MUTATE("name NUL missing", "NUL", h[BOOTFS_HEADER_SIZE + get_field(h, 11) - 1] = 'x');
	MUTATE("filesize huge", "past the end", set_field(h, 6, 0xffffffffu));
	MUTATE("filesize past end", "past the end",
	       set_field(h, 6, (uint32_t)(end - hoff - BOOTFS_HEADER_SIZE)));
	/* A wrong size that stays inside lands the next header on data: refused there. */
	MUTATE("filesize off by 4", "magic", set_field(h, 6, get_field(h, 6) + 4));
	/* The trailer's own header. */
	size_t toff = (size_t)(header_of(a, n, "TRAILER!!!") - a);
	c = copy_of(a, end);
	set_field(c + toff, 11, 0x100);
	expect_refused(c, end, "trailer namesize past end", "past the end");
	free(c);
	/* A name that is exactly at the end (no room for padding) with its NUL. */
	c = copy_of(a, toff + BOOTFS_HEADER_SIZE + 11);
	assert_true(bootfs_count(c, toff + BOOTFS_HEADER_SIZE + 11, NULL, 0) > 0);
	free(c);
	free(a);
#undef MUTATE
}

/* Every single-byte change of the headers: never a crash or read past the end (ASan). */
static void test_flip_every_byte(void **state)
{
	(void)state;
	size_t n;
	uint8_t *a = make_archive("newc", &n);
	size_t end = trailer_end(a, n);
	uint8_t *c = copy_of(a, end);
	static const uint8_t vals[] = {0, '0', '7', 'f', 'F', 0xff};
	long good = bootfs_count(a, end, NULL, 0);
	assert_true(good > 0);
	for (size_t i = 0; i < end; i++) {
		if (i > 6000 && i < end - 2000)
			continue; /* the middle of big's data: changes nothing structural */
		for (size_t v = 0; v < sizeof(vals); v++) {
			uint8_t old = c[i];
			c[i] = vals[v];
			char err[64];
			long r = bootfs_count(c, end, err, sizeof(err));
			assert_true(r == -ERR_FORMAT || r > 0);
			if (r < 0)
				assert_int_equal(strncmp(err, "bootfs: ", 8), 0);
			struct bootfs_entry e;
			int f = bootfs_find(c, end, "etc/x/yy", &e, NULL, 0);
			assert_true(f == 0 || f == -ERR_NOENT || f == -ERR_FORMAT);
			if (f == 0)
				assert_true((const uint8_t *)e.data >= c &&
					    (const uint8_t *)e.data + e.size <= c + end);
			c[i] = old;
		}
	}
	free(c);
	free(a);
}

static void test_error_message_small_buffer(void **state)
{
	(void)state;
	uint8_t junk[200];
	memset(junk, 'z', sizeof(junk));
	char err[8];
	memset(err, 0x55, sizeof(err));
	assert_int_equal(bootfs_count(junk, sizeof(junk), err, 5), -ERR_FORMAT);
	assert_string_equal(err, "boot");
	assert_int_equal((uint8_t)err[5], 0x55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_newc),
	    cmocka_unit_test(test_find_crc),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_iterate),
	    cmocka_unit_test(test_absolute_names),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_corrupt),
	    cmocka_unit_test(test_flip_every_byte),
	    cmocka_unit_test(test_error_message_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
