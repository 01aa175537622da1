/*
 * The normalised boot information.
 *
 * The kernel can be started two ways: by a Multiboot2 loader (GRUB, from the
 * ISO, under BIOS or UEFI) or directly through the PVH entry (QEMU -kernel,
 * orbvm). Each protocol describes memory, modules and the command line in its
 * own format; the parsers here turn either into one struct boot_info, and no
 * other part of the kernel looks at the raw structures.
 *
 * The parsers trust nothing: every length is checked against what was given,
 * every physical pointer is read through the caller's phys_read callback
 * (which refuses ranges it cannot map), and the memory map comes out sorted,
 * with overlaps resolved (the more restrictive type wins) and a warning logged
 * for each repair. Input the kernel cannot boot with (unknown magic, no memory
 * map, no usable RAM, a module outside RAM) makes the parser return
 * -ERR_FORMAT with a readable reason in boot_info.error, which kmain panics
 * with.
 *
 * Everything is copied into struct boot_info, so the loader's structures may
 * be overwritten afterwards; only module contents stay where they are.
 */
#ifndef ORB_BOOT_BOOTINFO_H
#define ORB_BOOT_BOOTINFO_H

#include "lib/types.h"

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC		    0x336ec578u

#define BOOT_MMAP_MAX	 128
#define BOOT_MODULES_MAX 16
#define BOOT_CMDLINE_MAX 256
#define BOOT_NAME_MAX	 64
#define BOOT_RSDP_MAX	 36 /* ACPI 2.0+ RSDP size */
#define BOOT_ERROR_MAX	 160

enum boot_protocol {
	BOOT_PROTO_NONE = 0,
	BOOT_PROTO_MULTIBOOT2,
	BOOT_PROTO_PVH,
};

/* Memory types, from most to least permissive: when regions overlap, the larger value wins. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_ACPI_RECLAIM = 2,
	BOOT_MEM_ACPI_NVS = 3,
	BOOT_MEM_RESERVED = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	paddr_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_module {
	paddr_t start;
	paddr_t end; /* exclusive */
	char name[BOOT_NAME_MAX];
};

enum boot_fb_type {
	BOOT_FB_NONE = 0,
	BOOT_FB_RGB = 1,      /* linear framebuffer, direct colour */
	BOOT_FB_EGA_TEXT = 2, /* VGA text mode, width x height characters */
};

struct boot_framebuffer {
	uint32_t type; /* enum boot_fb_type */
	paddr_t addr;
	uint32_t pitch; /* bytes per line */
	uint32_t width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

struct boot_info {
	uint32_t protocol; /* enum boot_protocol */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];

	struct boot_mem_region mmap[BOOT_MMAP_MAX]; /* sorted by base, non-overlapping */
	size_t mmap_count;

	struct boot_module modules[BOOT_MODULES_MAX];
	size_t module_count;

	struct boot_framebuffer fb; /* fb.type == BOOT_FB_NONE if none */

	/* ACPI root pointer: a copy of the RSDP bytes when the loader gave one
	 * (Multiboot2 tags), and/or its physical address (PVH). */
	uint8_t rsdp[BOOT_RSDP_MAX];
	size_t rsdp_len;   /* 0 if no copy */
	paddr_t rsdp_addr; /* 0 if unknown */

	/* Where the loader's own structure lies, so it can be reserved until parsed. */
	paddr_t raw_addr;
	size_t raw_size;

	char error[BOOT_ERROR_MAX]; /* why parsing failed */
};

/*
 * Reads len bytes of physical memory at addr: returns a pointer to them, or
 * NULL if the range is not readable (outside what the caller can map).
 */
typedef const void *(*boot_phys_read_fn)(void *ctx, paddr_t addr, size_t len);

/*
 * Fills *bi from the entry state: magic is what the loader left in EAX (or
 * PVH_START_MAGIC for the PVH entry, which reads it from the start-info
 * structure), info_addr the physical address it passed in EBX.
 * Returns 0, or -ERR_FORMAT with bi->error set.
 */
int bootinfo_parse(struct boot_info *bi, uint32_t magic, paddr_t info_addr,
		   boot_phys_read_fn phys_read, void *ctx);

/* The two protocol parsers bootinfo_parse() chooses between; exposed for tests. */
int bootinfo_parse_multiboot2(struct boot_info *bi, paddr_t info_addr, boot_phys_read_fn phys_read,
			      void *ctx);
int bootinfo_parse_pvh(struct boot_info *bi, paddr_t info_addr, boot_phys_read_fn phys_read,
		       void *ctx);

/*
 * Sorts and repairs the memory map in place (merging adjacent regions of the
 * same type, resolving overlaps), then checks it: at least one usable region,
 * every module inside usable RAM. Called by the parsers; exposed for tests.
 */
int bootinfo_normalize(struct boot_info *bi);

/* Value of key=VALUE in the command line, copied into buf; false if absent. */
bool bootinfo_cmdline_get(const struct boot_info *bi, const char *key, char *buf, size_t size);
/* True if the word (or key=...) appears in the command line. */
bool bootinfo_cmdline_has(const struct boot_info *bi, const char *key);

/* Highest end address of any usable region. */
paddr_t bootinfo_max_usable(const struct boot_info *bi);

#endif
