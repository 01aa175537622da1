/*
 * Where orbvm puts things in guest physical memory below 1 MiB, and the
 * legacy holes. One table, so that e820, the loaders and the docs agree.
 *
 *   0x00500  GDT for the 64-bit entry (4 entries)
 *   0x07000  zero page (struct boot_params)
 *   0x08ff0  initial stack top for the 64-bit entry (unused by Linux)
 *   0x09000  PML4, 0x0a000 PDPT, 0x0b000..0x0efff four page directories
 *   0x10000  --real-mode binary (segment 0x1000), up to the EBDA
 *   0x20000  kernel command line (all kernels)
 *   0x30000  boot information of PVH and Multiboot kernels, up to 0x9f000
 *            (kimage.h: KIMAGE_INFO_ADDR)
 *   0x9fc00  EBDA, then VGA/ROM area: reserved up to 1 MiB
 *   0xe0000  ACPI tables (RSDP first)
 *   1 MiB+   RAM; the kernel at its pref_address (normally 16 MiB), the
 *            initrd as high as allowed below min(initrd_addr_max, low RAM end);
 *            PVH/Multiboot kernels where their headers say (at or above
 *            1 MiB), their modules page-aligned from the top of low RAM down
 */
#ifndef ORBVM_BOOT_LAYOUT_H
#define ORBVM_BOOT_LAYOUT_H

#define BOOT_GDT_ADDR	   0x00500ull
#define BOOT_ZERO_PAGE	   0x07000ull
#define BOOT_STACK_TOP	   0x08ff0ull
#define BOOT_PML4_ADDR	   0x09000ull
#define BOOT_PDPT_ADDR	   0x0a000ull
#define BOOT_PD_ADDR	   0x0b000ull /* four pages */
#define BOOT_CMDLINE_ADDR  0x20000ull
#define BOOT_CMDLINE_MAX   0x10000ull /* bytes including the NUL */
#define REALMODE_LOAD_ADDR 0x10000ull
#define EBDA_START	   0x9fc00ull
#define ACPI_TABLES_ADDR   0xe0000ull
#define ACPI_TABLES_MAX	   0x10000ull
#define HIGH_MEMORY	   0x100000ull

#endif
