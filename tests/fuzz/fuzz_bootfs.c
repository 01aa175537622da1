/*
 * libFuzzer target for the boot-archive parser (lib/bootfs.c).
 *
 * The input is the archive itself, copied into a heap block of exactly its
 * size (ASan catches any read past it). The whole archive is iterated; every
 * entry must point inside the archive, have a name of the length it claims
 * (read in full) and data that is read in full. A refusal must come with a
 * "bootfs: " message and stay refused. Then every regular file found by the
 * iteration must be found again by bootfs_find() (under its name, and with a
 * leading "/" and "./") with the same data, unless an earlier entry has the
 * same name; and bootfs_count() must agree with the iteration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "lib/bootfs.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#define MAX_CHECKED 64

volatile unsigned fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *a = malloc(size ? size : 1);
	CHECK(a);
	memcpy(a, data, size);

	struct bootfs_iter it;
	struct bootfs_entry e, ents[MAX_CHECKED];
	size_t n = 0, nents = 0;
	char err[96];
	int rc;
	unsigned sum = 0;
	bootfs_iter_init(&it, a, size);
	while ((rc = bootfs_next(&it, &e, err, sizeof(err))) > 0) {
		const uint8_t *nm = (const uint8_t *)e.name, *d = e.data;
		CHECK(nm >= a && nm + e.name_len < a + size && nm[e.name_len] == 0);
		CHECK(strlen(e.name) == e.name_len);
		CHECK(e.size <= size && d >= a && d + e.size <= a + size);
		for (size_t i = 0; i < e.size; i++)
			sum += d[i];
		if (nents < MAX_CHECKED)
			ents[nents++] = e;
		n++;
	}
	CHECK(rc == 0 || rc == -ERR_FORMAT);
	if (rc < 0) {
		CHECK(strncmp(err, "bootfs: ", 8) == 0);
		CHECK(bootfs_next(&it, &e, NULL, 0) == -ERR_FORMAT);
	} else {
		CHECK(err[0] == 0);
		CHECK(bootfs_next(&it, &e, NULL, 0) == 0);
	}
	long cnt = bootfs_count(a, size, NULL, 0);
	CHECK(rc < 0 ? cnt == -ERR_FORMAT : cnt == (long)n);

	for (size_t i = 0; i < nents; i++) {
		if ((ents[i].mode & BOOTFS_TYPE_MASK) != BOOTFS_TYPE_FILE || ents[i].name_len == 0)
			continue;
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if ((ents[j].mode & BOOTFS_TYPE_MASK) == BOOTFS_TYPE_FILE &&
			    strcmp(ents[j].name, ents[i].name) == 0)
				first = false;
		char path[BOOTFS_NAME_MAX + 8];
		const char *pre[] = {"", "/", "./"};
		for (size_t k = 0; k < 3; k++) {
			strcpy(path, pre[k]);
			strcat(path, ents[i].name);
			struct bootfs_entry f;
			int r = bootfs_find(a, size, path, &f, NULL, 0);
			/* A malformed archive may still yield the entry before the damage. */
			CHECK(r == 0 || (rc < 0 && r == -ERR_FORMAT));
			if (r == 0 && first)
				CHECK(f.data == ents[i].data && f.size == ents[i].size);
		}
	}
	free(a);
	fuzz_sink = sum; /* keeps the reads */
	return 0;
}
