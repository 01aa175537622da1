/*
 * The architecture's start-up steps. kmain (boot/main.c) calls them once, on
 * the boot CPU, in this order, with its own steps in between:
 *   arch_console_init()            the early console (works before anything else)
 *   arch_cpu_init()                this CPU's tables and traps: exceptions are
 *                                  reported from here on (#DF, NMI and #MC on
 *                                  the boot stack, still unguarded)
 *   (memory: pmm_setup, kmap_setup, vm_kernel_half_prepare)
 *   arch_cpu_init_stacks()         the boot CPU's exception stacks, with guard
 *                                  pages, from the kernel-stack allocator
 *   (the heap)
 *   arch_screen_init(bi)           the screen console, once memory is mapped
 *   arch_platform_init(bi)         firmware tables, interrupt controllers, the
 *                                  timer and the clock
 *   (scheduler, on boot_stack_top)
 *   arch_start_cpus()              arch/smp.h
 *   arch_syscall_report_features() logs how system calls enter and the
 *                                  user-mode protections in force
 *   arch_syscall_fastpath_route()  sends SYS_CALL and SYS_REPLY_RECV to the
 *                                  IPC fast path, unless fastpath=off has
 *                                  cleared fastpath_enabled (before any
 *                                  user thread exists)
 * kmap_setup() unmaps the guard pages arch_boot_stack_guards() names. The
 * blocks of the other CPUs (sched/cpu.h) are allocated by arch_start_cpus(),
 * once the firmware has said how many there are, before each starts.
 */
#ifndef ORB_ARCH_INIT_H
#define ORB_ARCH_INIT_H

#include "lib/types.h"

struct boot_info;

void arch_console_init(void);
void arch_cpu_init(void);
void arch_cpu_init_stacks(void);
void arch_screen_init(const struct boot_info *bi);
void arch_platform_init(const struct boot_info *bi);
void arch_syscall_report_features(void);
void arch_syscall_fastpath_route(void);

/* The top of the stack the boot CPU runs kmain on (the image provides it); it
 * becomes CPU 0's idle thread's stack. */
extern char boot_stack_top[];

/* The guard pages below the stacks the image gives the boot CPU (all of
 * them fit in 8): writes up to max page addresses into va and returns how
 * many it wrote. */
size_t arch_boot_stack_guards(vaddr_t *va, size_t max);

#endif
