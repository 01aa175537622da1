/*
 * Tests of the ELF64 loader (lib/elf.c) on synthetic files, and of
 * elf_load()'s hand-off to the map callback. Real executables linked by gcc
 * are tested in test_elf_real.c.
 *
 * The files are laid out here with glibc's <elf.h> structures (a second,
 * independent definition of the format): a valid two-segment executable
 * (syn_reset) with one field broken per case, so each refusal is checked
 * against a file that is otherwise accepted. Every file is parsed from a heap
 * block of exactly its size (elf_check.h), so under ASan any read past the
 * end fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "hosted.h"
#include "lib/elf.h"
#include "elf_check.h"

_Static_assert(sizeof(Elf64_Ehdr) == sizeof(struct elf64_ehdr), "ehdr size");
_Static_assert(sizeof(Elf64_Phdr) == sizeof(struct elf64_phdr), "phdr size");

/* ---- synthetic files ---- */

/*
 * The base file (0x2000 bytes): header, then 3 program headers at 0x40:
 *   0: PT_LOAD R+X  offset 0      vaddr 0x400000 filesz 0x200 memsz 0x200
 *   1: PT_LOAD R+W  offset 0x1000 vaddr 0x401000 filesz 0x1000 memsz 0x3000
 *   2: PT_GNU_STACK R+W
 * entry 0x400100. Segment 1's file range ends exactly at the end of the file.
 */
#define SYN_SIZE 0x2000
static _Alignas(8) uint8_t syn[SYN_SIZE];
static size_t syn_size;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)syn;
}

static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(syn + 64 + i * sizeof(Elf64_Phdr));
}

static void syn_load(unsigned i, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t filesz,
		     uint64_t memsz)
{
	*ph(i) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = flags,
			      .p_offset = off,
			      .p_vaddr = vaddr,
			      .p_paddr = vaddr,
			      .p_filesz = filesz,
			      .p_memsz = memsz,
			      .p_align = 0x1000};
}

static int syn_reset(void **state)
{
	(void)state;
	memset(syn, 0, sizeof(syn));
	for (size_t i = 0x100; i < SYN_SIZE; i++)
		syn[i] = (uint8_t)(i * 13);
	Elf64_Ehdr *e = eh();
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0x400100;
	e->e_phoff = 64;
	e->e_ehsize = 64;
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	syn_load(0, PF_R | PF_X, 0, 0x400000, 0x200, 0x200);
	syn_load(1, PF_R | PF_W, 0x1000, 0x401000, 0x1000, 0x3000);
	*ph(2) = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};
	syn_size = SYN_SIZE;
	return 0;
}

static void syn_refused(const char *why)
{
	assert_refused(syn, syn_size, why);
}

static void syn_accepted(void)
{
	assert_accepted(syn, syn_size);
}

static void test_synthetic_valid(void **state)
{
	syn_accepted();
	assert_int_equal(err[0], 0);
	assert_int_equal(img.entry, 0x400100);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(img.segs[0].vaddr, 0x400000);
	assert_int_equal(img.segs[0].memsz, 0x200);
	assert_int_equal(img.segs[0].offset, 0);
	assert_int_equal(img.segs[0].filesz, 0x200);
	assert_int_equal(img.segs[0].prot, ELF_R | ELF_X);
	assert_int_equal(img.segs[1].vaddr, 0x401000);
	assert_int_equal(img.segs[1].memsz, 0x3000);
	assert_int_equal(img.segs[1].offset, 0x1000);
	assert_int_equal(img.segs[1].filesz, 0x1000);
	assert_int_equal(img.segs[1].prot, ELF_R | ELF_W);

	/* The same bytes at an odd address parse the same. */
	uint8_t *odd = malloc(syn_size + 1);
	memcpy(odd + 1, syn, syn_size);
	struct elf_image again;
	assert_int_equal(elf_parse(&again, odd + 1, syn_size, NULL, 0), 0);
	assert_memory_equal(&again, &img, sizeof(img));
	free(odd);
}

static void test_bad_ident(void **state)
{
	for (int i = 0; i < SELFMAG; i++) {
		syn_reset(state);
		syn[i] ^= 0x20;
		syn_refused("bad magic");
	}
	syn_reset(state);
	syn[EI_CLASS] = ELFCLASS32;
	syn_refused("not ELFCLASS64");
	syn[EI_CLASS] = ELFCLASSNONE;
	syn_refused("not ELFCLASS64");
	syn_reset(state);
	syn[EI_DATA] = ELFDATA2MSB;
	syn_refused("not little endian");
	syn_reset(state);
	syn[EI_VERSION] = 0;
	syn_refused("version");
	syn_reset(state);
	eh()->e_version = 2;
	syn_refused("version");
	syn_reset(state);
	syn[EI_OSABI] = ELFOSABI_FREEBSD;
	syn_refused("OS ABI 9");
	syn[EI_OSABI] = ELFOSABI_GNU; /* what static glibc binaries carry */
	syn_accepted();
}

static void test_bad_machine_and_type(void **state)
{
	eh()->e_machine = EM_386;
	syn_refused("not x86-64");
	eh()->e_machine = EM_AARCH64;
	syn_refused("not x86-64");
	syn_reset(state);
	eh()->e_type = ET_DYN;
	syn_refused("ET_DYN");
	eh()->e_type = ET_REL;
	syn_refused("ET_REL");
	eh()->e_type = ET_CORE;
	syn_refused("ET_CORE");
	eh()->e_type = ET_NONE;
	syn_refused("unknown type 0");
	eh()->e_type = 0xfe00;
	syn_refused("unknown type");
}

static void test_bad_header_sizes(void **state)
{
	eh()->e_ehsize = 52;
	syn_refused("header size 52");
	syn_reset(state);
	const uint16_t bad_phentsize[] = {0, 32, 55, 57, 64};
	for (size_t i = 0; i < sizeof(bad_phentsize) / sizeof(bad_phentsize[0]); i++) {
		eh()->e_phentsize = bad_phentsize[i];
		syn_refused("program header entry size");
	}
	syn_reset(state);
	eh()->e_phnum = 0;
	syn_refused("no program headers");
	eh()->e_phnum = ELF_MAX_PHDRS + 1;
	syn_refused("program headers (at most");
	eh()->e_phnum = 0xffff; /* PN_XNUM */
	syn_refused("program headers (at most");
}

static void test_phdr_table_bounds(void **state)
{
	eh()->e_phoff = syn_size;
	syn_refused("program header table");
	eh()->e_phoff = syn_size - 2 * sizeof(Elf64_Phdr); /* 3 entries, 2 fit */
	syn_refused("program header table");
	eh()->e_phoff = syn_size - 3 * sizeof(Elf64_Phdr); /* exactly fits: garbage entries */
	parse_copy(syn, syn_size);
	assert_int_equal(strstr(err, "program header table"), NULL);
	eh()->e_phoff = UINT64_MAX - 8; /* phoff + table wraps around */
	syn_refused("program header table");
	eh()->e_phoff = UINT64_MAX - 3 * sizeof(Elf64_Phdr) + 1;
	syn_refused("program header table");
}

/* Every strict prefix of the base file lacks something the loader needs. */
static void test_synthetic_truncated(void **state)
{
	for (size_t len = 0; len < syn_size; len++) {
		int rc = parse_copy(syn, len);
		assert_int_equal(rc, -ERR_FORMAT);
		assert_true(strncmp(err, "ELF: ", 5) == 0);
		assert_image_empty();
	}
	syn_accepted();
}

static void test_segment_file_range(void **state)
{
	ph(1)->p_filesz = 0x3001;
	syn_refused("exceeds its memory size");
	syn_reset(state);
	ph(1)->p_filesz = 0x1001; /* one byte past the end of the file */
	syn_refused("segment 1 file range [0x1000,+0x1001) lies beyond the end of the file");
	syn_reset(state);
	ph(1)->p_offset = syn_size + 0x1000; /* congruent, but outside */
	ph(1)->p_filesz = 0;
	syn_refused("lies beyond the end of the file");
	syn_reset(state);
	ph(1)->p_align = 0;
	ph(1)->p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	syn_refused("lies beyond the end of the file");
	syn_reset(state);
	ph(1)->p_memsz = UINT64_MAX;
	ph(1)->p_filesz = UINT64_MAX;
	syn_refused("lies beyond the end of the file");
}

static void test_segment_address_range(void **state)
{
	ph(1)->p_vaddr = 0;
	syn_refused("segment 1 memory range [0x0,+0x3000) is outside user space");
	ph(1)->p_vaddr = ELF_USER_MIN - 0x1000;
	syn_refused("outside user space");
	ph(1)->p_vaddr = 0xffffffff80001000ull; /* the kernel half */
	syn_refused("outside user space");
	ph(1)->p_vaddr = 0x0000800000000000ull; /* first non-canonical address */
	syn_refused("outside user space");
	ph(1)->p_vaddr = 0x00007ffffffff000ull;
	ph(1)->p_memsz = UINT64_MAX - 0x1000; /* vaddr + memsz wraps */
	ph(1)->p_filesz = 0;
	syn_refused("outside user space");
	ph(1)->p_memsz = 0x1001; /* crosses the top by one byte */
	syn_refused("outside user space");
	ph(1)->p_memsz = 0x1000; /* ends exactly at the top */
	syn_accepted();
	assert_int_equal(img.segs[1].vaddr + img.segs[1].memsz, 0x0000800000000000ull);
	ph(1)->p_vaddr = ELF_USER_MIN; /* the lowest page allowed */
	ph(1)->p_offset = 0x1000;
	syn_accepted();
}

static void test_write_xor_execute(void **state)
{
	ph(1)->p_flags = PF_R | PF_W | PF_X;
	syn_refused("segment 1 is both writable and executable");
	ph(1)->p_flags = PF_W | PF_X;
	syn_refused("W^X");
	syn_reset(state);
	ph(0)->p_flags = PF_R | PF_W | PF_X;
	syn_refused("segment 0 is both writable and executable");
	ph(0)->p_flags = PF_X; /* execute-only is fine */
	syn_accepted();
	assert_int_equal(img.segs[0].prot, ELF_X);
}

static void test_overlap(void **state)
{
	ph(1)->p_vaddr = 0x400000; /* the same range as segment 0 */
	ph(1)->p_offset = 0;
	syn_refused("segment 1 [0x400000,0x403000) shares a page");
	syn_reset(state);
	ph(1)->p_vaddr = 0x400800; /* disjoint bytes, shared page */
	ph(1)->p_offset = 0x800;
	ph(1)->p_filesz = 0x100;
	syn_refused("shares a page");
	syn_reset(state);
	ph(1)->p_vaddr = 0x3fe000; /* memory range covers segment 0 */
	syn_refused("shares a page");
	syn_reset(state);
	ph(1)->p_vaddr = 0x3ff000; /* ends exactly where segment 0's page begins */
	ph(1)->p_memsz = 0x1000;
	syn_accepted();
	ph(1)->p_memsz = 0x1001;
	syn_refused("shares a page");
	syn_reset(state);
	/* Page overlap is found whatever the order: the later entry is named. */
	syn_load(2, PF_R, 0x1fff, 0x401000 + 0x2fff, 1, 1);
	syn_refused("segment 2 [0x403fff,0x404000) shares a page");
}

static void test_entry(void **state)
{
	const uint64_t bad[] = {0, 0x3fffff, 0x400200, 0x401000, 0x401010, 0x500000, UINT64_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eh()->e_entry = bad[i];
		syn_refused("not inside an executable loadable segment");
	}
	eh()->e_entry = 0x400000;
	syn_accepted();
	eh()->e_entry = 0x4001ff;
	syn_accepted();
	/* In an executable segment's zero-filled tail: still inside its memory. */
	ph(0)->p_memsz = 0x400;
	eh()->e_entry = 0x400300;
	syn_accepted();
	assert_int_equal(img.entry, 0x400300);
}

static void test_dynamic_refused(void **state)
{
	ph(2)->p_type = PT_INTERP;
	syn_refused("dynamic executables are not supported (program header 2 is PT_INTERP)");
	ph(2)->p_type = PT_DYNAMIC;
	syn_refused("dynamic executables are not supported (program header 2 is PT_DYNAMIC)");
}

static void test_gnu_stack(void **state)
{
	ph(2)->p_flags = PF_R | PF_W | PF_X;
	syn_refused("executable stack");
	ph(2)->p_type = PT_NULL; /* no PT_GNU_STACK at all: the stack is never executable anyway */
	syn_accepted();
}

static void test_alignment(void **state)
{
	ph(1)->p_align = 0x1800;
	syn_refused("alignment 0x1800 is not a power of two");
	ph(1)->p_align = 0x1000;
	ph(1)->p_vaddr = 0x401010;
	syn_refused("differ modulo its alignment");
	ph(1)->p_align = 0x10; /* congruent modulo 16 */
	syn_accepted();
	ph(1)->p_vaddr = 0x401018;
	syn_refused("differ modulo its alignment");
	ph(1)->p_align = 1;
	syn_accepted();
	ph(1)->p_align = 0;
	syn_accepted();
	syn_reset(state);
	ph(1)->p_align = 0x200000;
	ph(1)->p_vaddr = 0x601000; /* 0x601000 == 0x1000 mod 2 MiB */
	syn_accepted();
	ph(1)->p_vaddr = 0x602000;
	syn_refused("differ modulo");
}

static void test_segment_counts(void **state)
{
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_type = PT_NOTE;
	syn_refused("no loadable segment");
	syn_reset(state);
	ph(1)->p_memsz = 0; /* validated, then skipped */
	ph(1)->p_filesz = 0;
	syn_accepted();
	assert_int_equal(img.nsegs, 1);
	ph(0)->p_memsz = 0;
	ph(0)->p_filesz = 0;
	syn_refused("no loadable segment");

	/* ELF_MAX_SEGMENTS page-disjoint read-only segments, one byte each, after segment 0. */
	syn_reset(state);
	unsigned n = ELF_MAX_SEGMENTS;
	eh()->e_phnum = (uint16_t)n;
	for (unsigned i = 1; i < n; i++)
		syn_load(i, PF_R, 0x1000, 0x400000 + 0x1000 * i, 1, 1);
	syn_accepted();
	assert_int_equal(img.nsegs, n);
	for (unsigned i = 1; i < n; i++)
		assert_int_equal(img.segs[i].vaddr, 0x400000 + 0x1000 * i);
	eh()->e_phnum = (uint16_t)(n + 1);
	syn_load(n, PF_R, 0x1000, 0x400000 + 0x1000 * n, 1, 1);
	syn_refused("more than 16 loadable segments");

	/* ELF_MAX_PHDRS entries, most of them ignored types: accepted. */
	syn_reset(state);
	eh()->e_phnum = ELF_MAX_PHDRS;
	for (unsigned i = 2; i < ELF_MAX_PHDRS; i++)
		*ph(i) = (Elf64_Phdr){.p_type = PT_NOTE + i % 2, .p_offset = UINT64_MAX};
	syn_accepted();
	assert_int_equal(img.nsegs, 2);
}

static void test_ignored_types(void **state)
{
	/* Nothing to load: their fields are not trusted and not checked. */
	const uint32_t types[] = {PT_NULL,	PT_NOTE,	 PT_PHDR,   PT_TLS,
				  PT_GNU_RELRO, PT_GNU_EH_FRAME, 0x70000001};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		*ph(2) = (Elf64_Phdr){.p_type = types[i],
				      .p_flags = PF_R | PF_W | PF_X,
				      .p_offset = UINT64_MAX,
				      .p_filesz = UINT64_MAX,
				      .p_vaddr = 0xffffffff80000000ull,
				      .p_align = 3};
		syn_accepted();
		assert_int_equal(img.nsegs, 2);
	}
}

static void test_error_buffer(void **state)
{
	char small[16];
	struct elf_image out;
	syn[0] = 0;
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf_parse(&out, syn, syn_size, small, 8), -ERR_FORMAT);
	assert_string_equal(small, "ELF: ba");
	for (size_t i = 8; i < sizeof(small); i++)
		assert_int_equal(small[i], 'x');
	assert_int_equal(elf_parse(&out, syn, syn_size, NULL, 0), -ERR_FORMAT);
	assert_int_equal(elf_parse(&out, syn, syn_size, small, 0), -ERR_FORMAT);
	assert_int_equal(small[0], 'E');
	assert_int_equal(out.nsegs, 0);
}

/* ---- elf_load ---- */

static void test_load_synthetic(void **state)
{
	struct elf_image im;
	struct map_log m = {.file = syn};
	assert_int_equal(elf_parse(&im, syn, syn_size, err, sizeof(err)), 0);
	assert_int_equal(elf_load(&im, syn, syn_size, map_record, &m), 0);
	assert_int_equal(m.calls, 2);
	assert_ptr_equal(m.data[0], syn);
	assert_int_equal(m.filesz[0], 0x200);
	assert_ptr_equal(m.data[1], syn + 0x1000);
	assert_int_equal(m.filesz[1], 0x1000);
	assert_memory_equal(&m.segs[1], &im.segs[1], sizeof(im.segs[1]));

	/* Each failing call stops the load there and its error comes back. */
	for (unsigned k = 1; k <= 2; k++) {
		struct map_log f = {.file = syn, .fail_at = k};
		assert_int_equal(elf_load(&im, syn, syn_size, map_record, &f), -ERR_NOMEM);
		assert_int_equal(f.calls, k);
	}

	/* An image that does not fit the file given to elf_load maps nothing. */
	struct map_log none = {.file = syn};
	assert_int_equal(elf_load(&im, syn, syn_size - 1, map_record, &none), -ERR_INVAL);
	assert_int_equal(none.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_synthetic_valid, syn_reset),
	    cmocka_unit_test_setup(test_bad_ident, syn_reset),
	    cmocka_unit_test_setup(test_bad_machine_and_type, syn_reset),
	    cmocka_unit_test_setup(test_bad_header_sizes, syn_reset),
	    cmocka_unit_test_setup(test_phdr_table_bounds, syn_reset),
	    cmocka_unit_test_setup(test_synthetic_truncated, syn_reset),
	    cmocka_unit_test_setup(test_segment_file_range, syn_reset),
	    cmocka_unit_test_setup(test_segment_address_range, syn_reset),
	    cmocka_unit_test_setup(test_write_xor_execute, syn_reset),
	    cmocka_unit_test_setup(test_overlap, syn_reset),
	    cmocka_unit_test_setup(test_entry, syn_reset),
	    cmocka_unit_test_setup(test_dynamic_refused, syn_reset),
	    cmocka_unit_test_setup(test_gnu_stack, syn_reset),
	    cmocka_unit_test_setup(test_alignment, syn_reset),
	    cmocka_unit_test_setup(test_segment_counts, syn_reset),
	    cmocka_unit_test_setup(test_ignored_types, syn_reset),
	    cmocka_unit_test_setup(test_error_buffer, syn_reset),
	    cmocka_unit_test_setup(test_load_synthetic, syn_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
