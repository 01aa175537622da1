/*
 * Tests of the ELF64 loader (lib/elf.c) on real executables that the
 * host gcc links at build time from the sources in tests/host/data/elf/
 * (tests/host/lib/elf.mk puts them in ELF_FIXTURE_DIR and says how each is linked).
 *
 * The expected entry point, program header table position and PT_LOAD
 * segments are read from `readelf -hlW` output at test time, not from the
 * loader. Accepted files must parse to exactly readelf's PT_LOADs (those with
 * a non-zero memory size) and load with the file's own bytes; every prefix of
 * a file must be refused exactly when it lacks a byte the loader needs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "lib/elf.h"
#include "elf_check.h"

#ifndef ELF_FIXTURE_DIR
#define ELF_FIXTURE_DIR "build/host/elf"
#endif

struct ref_seg {
	uint64_t offset, vaddr, filesz, memsz, align;
	unsigned prot;
};

struct ref_file {
	uint8_t *data;
	size_t size;
	uint64_t entry, phoff, phnum;
	struct ref_seg loads[32];
	size_t nloads;
};

static void ref_read(struct ref_file *r, const char *name)
{
	char path[512], cmd[600], line[512];
	snprintf(path, sizeof(path), "%s/%s", ELF_FIXTURE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (built by tests/host/lib/elf.mk)", path);
	fseek(f, 0, SEEK_END);
	r->size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	r->data = malloc(r->size);
	assert_int_equal(fread(r->data, 1, r->size, f), r->size);
	fclose(f);

	/* The expected values: readelf's view of the same file. */
	snprintf(cmd, sizeof(cmd), "LC_ALL=C readelf -hlW '%s'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	r->nloads = 0;
	r->phnum = 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, b, c, d, e, al;
		int n = 0;
		if (sscanf(line, " Entry point address: %llx", &a) == 1)
			r->entry = a;
		else if (sscanf(line, " Start of program headers: %llu", &a) == 1)
			r->phoff = a;
		else if (sscanf(line, " Number of program headers: %llu", &a) == 1)
			r->phnum = a;
		else if (sscanf(line, " LOAD %llx %llx %llx %llx %llx %n", &a, &b, &c, &d, &e,
				&n) == 5) {
			/* The rest is the flags ("R E", "RW ") and the alignment. */
			char *rest = line + n, *al_at = strrchr(rest, ' ');
			assert_non_null(al_at);
			assert_int_equal(sscanf(al_at, " %llx", &al), 1);
			unsigned prot = 0;
			for (char *q = rest; q < al_at; q++)
				prot |= *q == 'R'   ? ELF_R
					: *q == 'W' ? ELF_W
					: *q == 'E' ? ELF_X
						    : 0;
			assert_true(r->nloads < 32);
			r->loads[r->nloads++] = (struct ref_seg){a, b, d, e, al, prot};
			(void)c; /* the physical address */
		}
	}
	assert_int_equal(pclose(p), 0);
	assert_true(r->phnum > 0);
	assert_true(r->nloads > 0);
}

static void ref_free(struct ref_file *r)
{
	free(r->data);
}

/* Checks that the loader's view of a real executable is readelf's. */
static void check_real_accepted(const char *name)
{
	struct ref_file r;
	ref_read(&r, name);
	assert_accepted(r.data, r.size);
	assert_int_equal(img.entry, r.entry);
	size_t k = 0;
	for (size_t i = 0; i < r.nloads; i++) {
		if (r.loads[i].memsz == 0)
			continue;
		assert_true(k < img.nsegs);
		assert_int_equal(img.segs[k].offset, r.loads[i].offset);
		assert_int_equal(img.segs[k].vaddr, r.loads[i].vaddr);
		assert_int_equal(img.segs[k].filesz, r.loads[i].filesz);
		assert_int_equal(img.segs[k].memsz, r.loads[i].memsz);
		assert_int_equal(img.segs[k].prot, r.loads[i].prot);
		k++;
	}
	assert_int_equal(img.nsegs, k);

	struct map_log m = {.file = r.data};
	assert_int_equal(elf_load(&img, r.data, r.size, map_record, &m), 0);
	assert_int_equal(m.calls, k);
	for (size_t i = 0; i < k; i++) {
		assert_ptr_equal(m.data[i], r.data + img.segs[i].offset);
		assert_int_equal(m.filesz[i], img.segs[i].filesz);
		assert_memory_equal(&m.segs[i], &img.segs[i], sizeof(img.segs[i]));
	}
	ref_free(&r);
}

static void test_real_tiny(void **state)
{
	check_real_accepted("tiny");
	/* A data segment with a zero-filled tail (.bss) is part of it. */
	bool has_bss = false;
	for (size_t i = 0; i < img.nsegs; i++)
		has_bss |= img.segs[i].memsz > img.segs[i].filesz && (img.segs[i].prot & ELF_W);
	assert_true(has_bss);
}

static void test_real_tiny_compact(void **state)
{
	check_real_accepted("tiny_compact");
}

static void test_real_static_glibc(void **state)
{
	check_real_accepted("hello_static");
}

static void check_real_refused(const char *name, const char *why)
{
	struct ref_file r;
	ref_read(&r, name);
	assert_refused(r.data, r.size, why);
	ref_free(&r);
}

static void test_real_refused(void **state)
{
	check_real_refused("tiny_execstack", "executable stack");
	check_real_refused("tiny_rwx", "both writable and executable");
	check_real_refused("hello_dynamic", "dynamic executables are not supported");
	check_real_refused("hello_pie", "ET_DYN");
}

/*
 * Every prefix of a real file: accepted exactly when it holds the header, the
 * program header table and every PT_LOAD's file bytes (as readelf sees them).
 */
static void check_real_prefixes(const char *name)
{
	struct ref_file r;
	ref_read(&r, name);
	uint64_t need = MAX(64, r.phoff + r.phnum * 56);
	for (size_t i = 0; i < r.nloads; i++)
		need = MAX(need, r.loads[i].offset + r.loads[i].filesz);
	assert_true(need <= r.size);
	for (size_t len = 0; len <= r.size; len++) {
		int rc = parse_copy(r.data, len);
		if (len < need) {
			assert_int_equal(rc, -ERR_FORMAT);
			assert_image_empty();
		} else {
			assert_int_equal(rc, 0);
		}
	}
	ref_free(&r);
}

static void test_real_prefixes(void **state)
{
	check_real_prefixes("tiny");
	check_real_prefixes("tiny_compact");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_tiny),	      cmocka_unit_test(test_real_tiny_compact),
	    cmocka_unit_test(test_real_static_glibc), cmocka_unit_test(test_real_refused),
	    cmocka_unit_test(test_real_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
