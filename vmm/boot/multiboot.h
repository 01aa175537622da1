/*
 * Multiboot kernel headers: version 1 (magic 0x1BADB002, 4-byte aligned in
 * the first 8 KiB) and Multiboot2 (magic 0xE85250D6, 8-byte aligned in the
 * first 32 KiB), as the two specifications define them.
 *
 * mb1_find() and mb2_find() search the file for a header whose checksum
 * holds and decode it. A magic number with a wrong checksum is not a header;
 * if no valid header follows, the bad checksum is the error. Requirements
 * orbvm cannot meet are refused here: Multiboot 1 required flag bits other
 * than 0 (page-aligned modules) and 1 (memory information), e.g. bit 2
 * (video mode); Multiboot2 information requests for tags orbvm does not give
 * and non-optional framebuffer, EFI or unknown header tags. Nothing here
 * decides where the kernel goes (kimage.c does).
 */
#ifndef ORBVM_MULTIBOOT_H
#define ORBVM_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB1_HEADER_MAGIC 0x1badb002u
#define MB1_BOOT_MAGIC	 0x2badb002u
#define MB1_SEARCH	 8192u
#define MB1_F_PAGE_ALIGN 0x1u
#define MB1_F_MEMINFO	 0x2u
#define MB1_F_VIDEO	 0x4u
#define MB1_F_AOUT	 0x10000u

#define MB2_HEADER_MAGIC 0xe85250d6u
#define MB2_BOOT_MAGIC	 0x36d76289u
#define MB2_SEARCH	 32768u

/* The a.out-kludge address fields (Multiboot 1 bit 16, Multiboot2 address tag). */
struct mb_addrs {
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

struct mb_header {
	uint32_t offset; /* of the header in the file */
	uint32_t flags;	 /* Multiboot 1 flags */
	bool has_addrs;
	struct mb_addrs addrs;
	bool has_entry;
	uint32_t entry;
};

/* Return 1 and fill *h when found, 0 when the file has no such header, or
 * -ERR_FORMAT / -ERR_NOSYS with a one-line message. */
int mb1_find(const uint8_t *img, size_t len, struct mb_header *h);
int mb2_find(const uint8_t *img, size_t len, struct mb_header *h);

#endif
