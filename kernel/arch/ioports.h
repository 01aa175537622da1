/*
 * I/O-port rights of a process (the IoPorts object, obj/ioports.h): the
 * architecture opens ports to a process's user mode. x86-64 implements it
 * with the per-process I/O permission bitmap the TSS points at
 * (kernel/arch/x86_64/ioperm.c).
 */
#ifndef ORB_ARCH_IOPORTS_H
#define ORB_ARCH_IOPORTS_H

#include "lib/types.h"

struct process;

/* SYS_IOPORT_ENABLE for process p: opens [base, base + count) to its user
 * mode. 0, or -ERR_NOMEM. */
int arch_ioports_enable(struct process *p, uint32_t base, uint32_t count);

/* Frees a process's I/O bitmap (tear-down). */
void arch_ioports_release(struct process *p);

#endif
