/*
 * Shared helpers of the ELF loader's host tests (test_elf.c, test_elf_real.c):
 * parsing a file from a fresh heap block of exactly its size (so under ASan
 * any read past its end fails the test), refusal/acceptance assertions, and
 * a map callback that records what elf_load() hands it. Include after
 * <cmocka.h>. The parsed image and message are in the globals img and err.
 */
#ifndef ORB_TEST_ELF_CHECK_H
#define ORB_TEST_ELF_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"

static struct elf_image img;
static char err[256];

static inline int parse_copy(const void *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	assert_non_null(copy);
	memcpy(copy, data, size);
	memset(&img, 0xa5, sizeof(img)); /* must be overwritten either way */
	int rc = elf_parse(&img, copy, size, err, sizeof(err));
	free(copy);
	return rc;
}

static inline void assert_image_empty(void)
{
	assert_int_equal(img.nsegs, 0);
	assert_int_equal(img.entry, 0);
}

static inline void assert_refused(const void *data, size_t size, const char *why)
{
	int rc = parse_copy(data, size);
	if (rc != -ERR_FORMAT || !strstr(err, why))
		print_error("expected refusal with \"%s\", got rc %d err \"%s\"\n", why, rc, err);
	assert_int_equal(rc, -ERR_FORMAT);
	assert_true(strncmp(err, "ELF: ", 5) == 0);
	assert_non_null(strstr(err, why));
	assert_image_empty();
}

static inline void assert_accepted(const void *data, size_t size)
{
	int rc = parse_copy(data, size);
	if (rc != 0)
		print_error("unexpected refusal: %s\n", err);
	assert_int_equal(rc, 0);
}

struct map_log {
	const uint8_t *file;
	unsigned calls;
	unsigned fail_at; /* 1-based call that fails; 0: none */
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	const uint8_t *data[ELF_MAX_SEGMENTS];
	size_t filesz[ELF_MAX_SEGMENTS];
};

static inline int map_record(void *ctx, const struct elf_segment *seg, const uint8_t *data,
			     size_t filesz)
{
	struct map_log *m = ctx;
	assert_true(m->calls < ELF_MAX_SEGMENTS);
	m->segs[m->calls] = *seg;
	m->data[m->calls] = data;
	m->filesz[m->calls] = filesz;
	m->calls++;
	return m->calls == m->fail_at ? -ERR_NOMEM : 0;
}

#endif
