/*
 * x86-64's half of arch/layout.h: the kernel's virtual and physical memory
 * layout.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff   user space (lower half)
 *   0xffff800000000000 .. +64 TiB               direct map of physical memory
 *   0xffffc00000000000 .. +1 TiB                kernel stacks, each under a guard page
 *   0xffffffff80000000 .. +2 GiB                the kernel image (-mcmodel=kernel)
 *
 * The image is loaded at KERNEL_PHYS and linked at KERNEL_VIRT + KERNEL_PHYS.
 * This header is included by assembly as well as C.
 */
#ifndef ORB_MACHINE_LAYOUT_H
#define ORB_MACHINE_LAYOUT_H

#define KERNEL_VIRT	0xffffffff80000000
#define KERNEL_PHYS	0x200000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x0000400000000000 /* 64 TiB */
#define KSTACK_BASE	0xffffc00000000000
#define KSTACK_SIZE	0x0000010000000000 /* 1 TiB of stack address space */
#define USER_TOP	0x0000800000000000

#define BOOT_STACK_SIZE 0x4000 /* 16 KiB */
#define KSTACK_PAGES	4      /* 16 KiB kernel stacks */

#endif
