/*
 * The kernel's memory layout: where the image, the direct map of physical
 * memory, the kernel stacks and user space lie. Each architecture defines
 * these in its machine/layout.h (x86-64's draws the map); this header is
 * included by assembly as well as C, and checks that all are there.
 *
 *   KERNEL_VIRT      virtual base of the kernel image (linked at KERNEL_VIRT + KERNEL_PHYS)
 *   KERNEL_PHYS      physical address the image is loaded at
 *   DIRECT_MAP_BASE  virtual address of physical address 0 (mm/phys.h)
 *   DIRECT_MAP_SIZE  how much physical memory the direct map can cover
 *   KSTACK_BASE      the kernel stack area (mm/kstack.c), KSTACK_SIZE bytes
 *   USER_TOP         user space is [0, USER_TOP)
 *   BOOT_STACK_SIZE  the boot CPU's stack in the image
 *   KSTACK_PAGES     pages of one kernel stack (below each: a guard page)
 */
#ifndef ORB_ARCH_LAYOUT_H
#define ORB_ARCH_LAYOUT_H

#include "machine/layout.h"

#if !defined(KERNEL_VIRT) || !defined(KERNEL_PHYS) || !defined(DIRECT_MAP_BASE) ||                 \
    !defined(DIRECT_MAP_SIZE) || !defined(KSTACK_BASE) || !defined(KSTACK_SIZE) ||                 \
    !defined(USER_TOP) || !defined(BOOT_STACK_SIZE) || !defined(KSTACK_PAGES)
#error "machine/layout.h must define every name arch/layout.h lists"
#endif

#endif
