/*
 * Memory start-up: the steps kmain takes, in order, to go from the loader's
 * memory map to a kernel with its own page tables and a heap.
 */
#ifndef ORB_MM_MEM_INIT_H
#define ORB_MM_MEM_INIT_H

#include "boot/bootinfo.h"

/* 1. Frame allocator from the memory map (kernel, modules, low 1 MiB reserved). */
void pmm_setup(const struct boot_info *bi);

/* 2. Kernel page tables: image W^X, direct map of RAM, framebuffer; switch to them;
 *    unmap the guard pages under the boot and IST stacks. */
void kmap_setup(const struct boot_info *bi);

/* 3. Kernel heap (debug mode poisons freed blocks). */
void kheap_setup(bool debug);

/* Maps a device's registers (uncached) into the direct map if they are not
 * mapped yet and returns their virtual address, or NULL. */
void *kmap_mmio(paddr_t pa, size_t len);

/* Kernel image bounds, physical. */
paddr_t kernel_phys_start(void);
paddr_t kernel_phys_end(void);

/* Prints "Memory: ..." */
void mem_print_summary(void);

#endif
