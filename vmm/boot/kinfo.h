/*
 * The boot information a PVH or Multiboot kernel is handed, built into a
 * host buffer that is then copied to guest physical `base`:
 *   PVH:        struct hvm_start_info version 1 (magic 0x336ec578), its
 *               module list (hvm_modlist_entry) and memory map (E820 types),
 *               cmdline_paddr and rsdp_paddr.
 *   Multiboot2: total_size, then the tags command line (1), boot loader name
 *               (2), one module tag (3) per module, basic memory (4), memory
 *               map (6), ACPI old (14) and new (15) RSDP copies, end (0).
 *   Multiboot:  the info structure with flags mem (0), cmdline (2), mods (3),
 *               mmap (6), boot loader name (9), its module and mmap arrays.
 * Strings (module command lines, the loader name) follow the structures in
 * the same buffer; the kernel command line itself is at cmdline_addr
 * (Multiboot2 also copies it into its tag). The memory map is boot_e820()'s.
 * Pure functions: no guest memory, no I/O.
 */
#ifndef ORBVM_KINFO_H
#define ORBVM_KINFO_H

#include <stddef.h>
#include <stdint.h>

#include "kimage.h"

#define PVH_START_MAGIC	  0x336ec578u
#define KINFO_LOADER	  "orbvm"
#define KINFO_RSDP_V1_LEN 20
#define KINFO_RSDP_V2_LEN 36

struct kinfo_module {
	uint64_t addr, size;
	const char *cmdline; /* "" when none */
};

struct kinfo_in {
	uint64_t ram;
	uint64_t cmdline_addr;
	const char *cmdline;
	unsigned nmods;
	const struct kinfo_module *mods;
	uint64_t rsdp_addr;
	const uint8_t *rsdp; /* KINFO_RSDP_V2_LEN bytes (revision 2) */
};

/*
 * Builds the protocol's information at guest address `base` into buf (cap
 * bytes, zeroed first). Returns the length used, or -ERR_RANGE with a
 * message if it does not fit.
 */
int kinfo_build(enum kimage_proto proto, const struct kinfo_in *in, uint64_t base, uint8_t *buf,
		size_t cap);

#endif
