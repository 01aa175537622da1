/*
 * ELF kernels for direct boot: the program headers of an ELF32 or ELF64
 * x86 executable and, if present, its PVH entry point (the Xen ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY, type 18, name "Xen").
 *
 * elf_parse() reads only the bytes it was given. It checks the identification
 * (class, little-endian, version), the machine (i386 or x86-64), the type
 * (EXEC), that the program header table and every PT_LOAD's file bytes lie
 * inside the file, filesz <= memsz, that no segment wraps or reaches past
 * 4 GiB (orbvm enters such kernels with paging off), and walks every
 * PT_NOTE with each note's name and descriptor inside the segment. It does
 * not decide where segments may go in guest memory (kimage.c does).
 */
#ifndef ORBVM_ELF_H
#define ORBVM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_LOADS	      16
#define ELF_MAX_PHDRS	      64
#define ELF_NOTE_PHYS32_ENTRY 18

/* One PT_LOAD: memsz bytes at physical paddr, the first filesz from file_off. */
struct elf_load {
	uint64_t paddr, vaddr, file_off, filesz, memsz;
};

struct elf_info {
	bool is64;
	uint64_t entry; /* e_entry (a virtual address) */
	unsigned nloads;
	struct elf_load loads[ELF_MAX_LOADS]; /* PT_LOADs with memsz > 0, file order */
	bool has_pvh;
	uint64_t pvh_entry; /* the note's physical entry address */
};

/* True if the file starts with the ELF magic (then it is judged as ELF). */
bool elf_is_elf(const uint8_t *img, size_t len);

/* Returns 0, or -ERR_FORMAT with a one-line message naming the problem. */
int elf_parse(const uint8_t *img, size_t len, struct elf_info *out);

#endif
