/*
 * The simulated physical memory the boot-information tests build their input
 * in (test_bootinfo.c, test_bootinfo_mb2.c): MEM_SIZE bytes at MEM_BASE, read
 * through phys_read, which refuses anything outside it and returns a fresh
 * heap copy of exactly the bytes asked for, freed at the next call: under
 * ASan, a parser that reads past what it asked for, or keeps a pointer across
 * calls (the contract in bootinfo_internal.h), fails the test. Also the
 * Multiboot2 builder (tags written at MBI_AT), and the checks of the parsed
 * map, the error message and the log. setup and teardown run around every
 * case. One includer per program (the state here is the program's).
 */
#ifndef ORB_TEST_BOOTINFO_SIM_H
#define ORB_TEST_BOOTINFO_SIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "boot/bootinfo.h"

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x40000u
#define MBI_AT	 0x10000u
#define PVH_AT	 0x20000u
#define PVH_MAP	 0x21000u
#define PVH_MODS 0x22000u
#define PVH_STR	 0x23000u

enum {
	U = BOOT_MEM_USABLE,
	A = BOOT_MEM_ACPI_RECLAIM,
	N = BOOT_MEM_ACPI_NVS,
	R = BOOT_MEM_RESERVED,
	B = BOOT_MEM_BAD
};

static uint8_t *mem;
static void *last_read;
static struct boot_info bi;
static paddr_t mb_off = 8;	      /* next Multiboot2 tag, relative to MBI_AT */
static paddr_t pvh_strings = PVH_STR; /* next free byte for PVH strings */

static inline const void *phys_read(void *ctx, paddr_t addr, size_t len)
{
	(void)ctx;
	free(last_read);
	last_read = NULL;
	if (addr < MEM_BASE || len > MEM_SIZE || addr - MEM_BASE > MEM_SIZE - len)
		return NULL;
	last_read = malloc(len ? len : 1);
	memcpy(last_read, mem + (addr - MEM_BASE), len);
	return last_read;
}

static inline int setup(void **state)
{
	mem = calloc(1, MEM_SIZE);
	memset(&bi, 0xa5, sizeof(bi)); /* the parser must clear it */
	host_log_clear();
	mb_off = 8;
	pvh_strings = PVH_STR;
	return mem ? 0 : -1;
}

static inline int teardown(void **state)
{
	free(mem);
	free(last_read);
	last_read = NULL;
	return 0;
}

static inline uint8_t *at(paddr_t p)
{
	return mem + (p - MEM_BASE);
}

static inline void wr32(paddr_t p, uint32_t v)
{
	memcpy(at(p), &v, 4);
}

static inline void wr64(paddr_t p, uint64_t v)
{
	memcpy(at(p), &v, 8);
}

/* ---- Multiboot2 builder ---- */

static inline paddr_t mb_tag(uint32_t type, const void *payload, uint32_t len)
{
	paddr_t t = MBI_AT + mb_off;
	wr32(t, type);
	wr32(t + 4, 8 + len);
	if (len)
		memcpy(at(t + 8), payload, len);
	mb_off += (8 + len + 7) & ~7u;
	return t;
}

static inline void mb_string(uint32_t type, const char *s)
{
	mb_tag(type, s, (uint32_t)strlen(s) + 1);
}

static inline void mb_module(uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[128] = {0};
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	strcpy((char *)p + 8, name);
	mb_tag(3, p, 8 + (uint32_t)strlen(name) + 1);
}

struct ent {
	uint64_t base, len;
	uint32_t type;
};

static inline void mb_mmap(const struct ent *e, size_t n, uint32_t esize)
{
	static uint8_t p[64 * 1024];
	uint32_t ver = 0;
	memset(p, 0, sizeof(p));
	memcpy(p, &esize, 4);
	memcpy(p + 4, &ver, 4);
	for (size_t i = 0; i < n; i++) {
		memcpy(p + 8 + i * esize, &e[i].base, 8);
		memcpy(p + 16 + i * esize, &e[i].len, 8);
		memcpy(p + 24 + i * esize, &e[i].type, 4);
	}
	mb_tag(6, p, 8 + (uint32_t)(n * esize));
}

static inline void mb_meminfo(uint32_t lower, uint32_t upper)
{
	uint32_t p[2] = {lower, upper};
	mb_tag(4, p, 8);
}

/* Writes the end tag and total_size; returns the MBI address. */
static inline paddr_t mb_finish(void)
{
	mb_tag(0, NULL, 0);
	wr32(MBI_AT, (uint32_t)mb_off);
	wr32(MBI_AT + 4, 0);
	mb_off = 8;
	return MBI_AT;
}

static inline int parse_mb2(void)
{
	return bootinfo_parse(&bi, MULTIBOOT2_BOOTLOADER_MAGIC, mb_finish(), phys_read, NULL);
}

/* A minimal valid MBI around whatever tags the test added. */
static inline int parse_mb2_with_ram(void)
{
	static const struct ent ram[] = {{0x100000, 0x7f00000, 1}};
	mb_mmap(ram, 1, 24);
	return parse_mb2();
}

static inline void expect_map(const struct ent *e, size_t n)
{
	assert_int_equal(bi.mmap_count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bi.mmap[i].base, e[i].base);
		assert_int_equal(bi.mmap[i].length, e[i].len);
		assert_int_equal(bi.mmap[i].type, e[i].type);
	}
}

static inline void expect_error(int rc, const char *msg)
{
	assert_int_equal(rc, -ERR_FORMAT);
	if (!strstr(bi.error, msg))
		fail_msg("error \"%s\" lacks \"%s\"", bi.error, msg);
}

static inline void expect_log(const char *msg)
{
	if (!host_log_contains(msg))
		fail_msg("log \"%s\" lacks \"%s\"", host_log, msg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
