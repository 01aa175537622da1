/*
 * Linux direct boot: where the kernel, command line and initrd go, and the
 * zero page (struct boot_params) that tells the kernel about them.
 *
 * boot_plan() decides the addresses from the parsed header, the RAM size and
 * the input sizes, and rejects what cannot fit (command line longer than the
 * kernel accepts, kernel or initrd too large for the memory). It touches no
 * memory, so bad input is reported before any VM exists.
 * boot_params_build() fills a host copy of the zero page; boot_e820() is the
 * memory map:
 *   [0, 0x9fc00) RAM; [0x9fc00, 1 MiB) reserved (EBDA, VGA, ROM, ACPI);
 *   [1 MiB, min(RAM, 3 GiB)) RAM; and if RAM > 3 GiB, [4 GiB, 4 GiB +
 *   RAM - 3 GiB) RAM. 3 GiB..4 GiB is the MMIO hole (not listed).
 */
#ifndef ORBVM_BOOT_PARAMS_H
#define ORBVM_BOOT_PARAMS_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

#include "bzimage.h"

#define E820_TYPE_RAM	   1
#define E820_TYPE_RESERVED 2

struct boot_layout {
	uint64_t kernel_addr; /* where the protected-mode code goes */
	uint64_t kernel_end;  /* kernel_addr + max(init_size, code size) */
	uint64_t cmdline_addr;
	uint64_t cmdline_len; /* without the NUL */
	uint64_t initrd_addr; /* 0 when there is no initrd */
	uint64_t initrd_size;
};

/* Returns 0, or -ERR_RANGE (message set) if something does not fit. */
int boot_plan(const struct bzimage *bz, uint64_t ram, size_t cmdline_len, uint64_t initrd_size,
	      struct boot_layout *out);

/* Fills at most max entries; returns the number of entries. */
unsigned boot_e820(uint64_t ram, struct boot_e820_entry *e, unsigned max);

/* Fills *bp for the kernel (zeroes it first). */
void boot_params_build(struct boot_params *bp, const struct bzimage *bz,
		       const struct boot_layout *l, uint64_t ram, uint64_t rsdp_addr);

#endif
