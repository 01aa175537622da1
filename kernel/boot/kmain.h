/*
 * What kmain keeps for the rest of the kernel: the parsed boot information
 * and the raw entry values (tests re-parse damaged copies of them).
 */
#ifndef ORB_BOOT_KMAIN_H
#define ORB_BOOT_KMAIN_H

#include "boot/bootinfo.h"

extern struct boot_info boot_info;
extern uint32_t boot_magic;
extern paddr_t boot_info_addr;

void kmain(uint32_t magic, paddr_t info);

/* Reads physical memory through the boot page tables (first 4 GiB). */
const void *boot_phys_read(void *ctx, paddr_t addr, size_t len);

/* Panics with the parser's reason: how boot information errors end. */
noreturn void boot_fail(const struct boot_info *bi);

#endif
