/*
 * ELF64 executable loader: parsing and validation of untrusted program files.
 *
 * elf_parse() reads an ELF64 file held in memory (a boot-module entry, or
 * later a buffer a process handed to the kernel), validates every field the
 * loader relies on, and produces a struct elf_image: the entry point and the
 * PT_LOAD segments. elf_load() then hands each segment to a caller-supplied
 * map callback, which creates the memory in the target address space. Nothing
 * here maps memory or knows about page tables, so the same code runs in the
 * kernel, in host unit tests and under libFuzzer.
 *
 * What elf_parse() accepts (everything else is -ERR_FORMAT with one line of
 * explanation in err, starting with "ELF: "):
 *   - ELF64, little endian, version 1, OS ABI System V or GNU, machine x86-64,
 *     type ET_EXEC (static, non-PIE executables only);
 *   - e_ehsize >= 64, e_phentsize == 56, 1 <= e_phnum <= ELF_MAX_PHDRS, the
 *     program header table wholly inside the file;
 *   - no PT_INTERP or PT_DYNAMIC (no dynamic linking), no executable
 *     PT_GNU_STACK; other program header types are ignored;
 *   - 1 to ELF_MAX_SEGMENTS PT_LOAD entries, each with p_filesz <= p_memsz,
 *     its file range inside the file, ELF_USER_MIN <= p_vaddr and
 *     p_vaddr + p_memsz <= ELF_USER_TOP, p_align zero or a power of two with
 *     p_vaddr == p_offset modulo p_align, not both writable and executable,
 *     and no page shared with another PT_LOAD;
 *   - e_entry inside an executable PT_LOAD's memory range.
 * PT_LOAD entries with p_memsz == 0 are validated like the others but not
 * placed in the image (they describe no memory).
 *
 * Invariants of a parsed image (what elf_load() and the kernel may rely on):
 * 1 <= nsegs <= ELF_MAX_SEGMENTS; for each segment filesz <= memsz, memsz > 0,
 * offset + filesz <= the file's size, ELF_USER_MIN <= vaddr,
 * vaddr + memsz <= ELF_USER_TOP (no overflow), prot never has both ELF_W and
 * ELF_X; the page ranges of two segments are disjoint; segments keep the
 * order of the program header table.
 */
#ifndef ORB_LIB_ELF_H
#define ORB_LIB_ELF_H

#include "lib/types.h"

/* User addresses are [ELF_USER_MIN, ELF_USER_TOP): page 0 and the kernel half stay unmapped. */
#define ELF_USER_TOP 0x0000800000000000ull
#define ELF_USER_MIN 0x10000ull

#define ELF_MAX_PHDRS	 64 /* program header table entries accepted */
#define ELF_MAX_SEGMENTS 16 /* PT_LOAD entries accepted */
#define ELF_PAGE_SIZE	 4096ull

/* Segment protection in struct elf_segment (not the ELF PF_* bit values). */
#define ELF_R 1u
#define ELF_W 2u
#define ELF_X 4u

/* The on-disk structures (System V gABI, ELF-64 object file format). */
#define ELF_EI_NIDENT 16

struct elf64_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

/* One loadable segment: map memsz bytes at vaddr, the first filesz from the file at offset. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	unsigned prot; /* ELF_R | ELF_W | ELF_X */
};

struct elf_image {
	uint64_t entry;
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	size_t nsegs;
};

/*
 * Creates one segment in the target address space: maps the pages covering
 * [seg->vaddr, seg->vaddr + seg->memsz) with seg->prot, copies the filesz
 * bytes at data to seg->vaddr and zero-fills the rest. Returns 0 or -ERR_*.
 */
typedef int (*elf_map_fn)(void *ctx, const struct elf_segment *seg, const uint8_t *data,
			  size_t filesz);

/*
 * Parses and validates the ELF file [file, file + size) (untrusted; any
 * alignment). On success fills *out and returns 0. On failure returns
 * -ERR_FORMAT, writes a one-line reason into err (always NUL-terminated when
 * errlen > 0; err may be NULL) and leaves *out zeroed.
 */
int elf_parse(struct elf_image *out, const uint8_t *file, size_t size, char *err, size_t errlen);

/*
 * Calls map for each segment of img, in order, with its bytes from file.
 * img must come from elf_parse() of the same file; a segment whose file range
 * is not inside [file, file + size) is refused with -ERR_INVAL before anything
 * is mapped. Stops at the first error from map and returns it; returns 0 when
 * every segment was mapped. Undoing partial mappings is the caller's job.
 */
int elf_load(const struct elf_image *img, const uint8_t *file, size_t size, elf_map_fn map,
	     void *ctx);

#endif
