/*
 * Segment descriptors and the TSS, per CPU.
 *
 * In long mode segments are mostly vestigial, but the GDT still decides the
 * privilege level of code, and the TSS holds the stack the CPU switches to on
 * entry from user mode (rsp0) and the IST stacks that #DF, NMI and #MC always
 * run on, so that even a kernel stack overflow gets reported.
 *
 * Selector layout (fixed by SYSCALL/SYSRET, which derive the user selectors
 * from STAR):
 *   0x08 kernel code   0x10 kernel data   0x18 (unused 32-bit user code)
 *   0x20 user data     0x28 user code     0x30 TSS (two slots)
 */
#ifndef ORB_X86_64_GDT_H
#define ORB_X86_64_GDT_H

#include "lib/types.h"
#include "arch/percpu.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x20 | 3)
#define SEL_UCODE (0x28 | 3)
#define SEL_TSS	  0x30

#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3
#define IST_COUNT	  3

/* Fills and loads the GDT and TSS of the running CPU. ist_tops[i] is the top of
 * the stack for IST i+1; NULL: none yet (the boot CPU before the kernel-stack
 * allocator works: the IDT does not use them then, see idt_use_ist). */
void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT]);

/* Gives the running CPU's TSS its IST stacks (the CPU reads them from the TSS
 * at each such interrupt, so nothing is reloaded). */
void gdt_set_ist(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT]);

#endif
