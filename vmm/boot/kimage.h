/*
 * Kernels orbvm boots in 32-bit protected mode, as QEMU's -kernel does:
 * an ELF with a PVH note, a Multiboot2 kernel, or a Multiboot 1 kernel
 * (tried in that order; a bzImage is recognised before any of these, in
 * main.c).
 *
 * kimage_parse() turns the file into what to copy where (regions: file bytes
 * and zeroed memory at physical addresses) and the entry point. Regions come
 * from the ELF program headers, or from the Multiboot address fields (the
 * a.out kludge). Invariants after success: at least one region, each at or
 * above 1 MiB (below it orbvm keeps its own boot data, layout.h), below the
 * MMIO hole (3 GiB), file bytes inside the file, no two overlapping, and the
 * entry inside one of them.
 *
 * kimage_plan() places the command line, the boot information area and the
 * modules for a RAM size: modules page-aligned from the top of low RAM down,
 * above the kernel, or an error naming what does not fit. Neither function
 * touches guest memory, so bad input is refused before the VM exists.
 */
#ifndef ORBVM_KIMAGE_H
#define ORBVM_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

#define KIMAGE_NOT_RECOGNISED 1		 /* kimage_parse(): not ELF or Multiboot at all */
#define KIMAGE_MAX_MODULES    17	 /* --initrd and 16 --module */
#define KIMAGE_INFO_ADDR      0x30000ull /* boot information area, up to the EBDA */
#define KIMAGE_INFO_MAX	      (0x9f000ull - KIMAGE_INFO_ADDR)

enum kimage_proto { KIMAGE_PVH = 1, KIMAGE_MB2 = 2, KIMAGE_MB1 = 3 };

struct kimage_region {
	uint64_t paddr, file_off, filesz, memsz;
};

struct kimage {
	enum kimage_proto proto;
	uint32_t entry; /* physical */
	unsigned nregions;
	struct kimage_region regions[ELF_MAX_LOADS];
	uint64_t end;	    /* highest region end */
	uint32_t mb1_flags; /* Multiboot 1 header flags */
};

struct kimage_layout {
	uint64_t cmdline_addr;
	uint64_t info_addr;
	uint64_t mod_addr[KIMAGE_MAX_MODULES];
};

/* 0, KIMAGE_NOT_RECOGNISED, or a negative error with a one-line message. */
int kimage_parse(const uint8_t *img, size_t len, struct kimage *k);

/* Names the protocol for messages ("PVH", "Multiboot2", "Multiboot"). */
const char *kimage_proto_name(enum kimage_proto p);

/* Places everything for `ram` bytes of RAM; 0 or -ERR_RANGE with a message. */
int kimage_plan(const struct kimage *k, uint64_t ram, size_t cmdline_len, const uint64_t *mod_sizes,
		unsigned nmods, struct kimage_layout *out);

#endif
