/*
 * Per-CPU data: how a CPU finds its own struct cpu (sched/cpu.h), and the
 * parts of struct cpu only the architecture uses.
 *
 * From the architecture's machine/percpu.h:
 *   struct arch_cpu_fixed    fields the architecture's entry code reaches at
 *                            fixed offsets; struct cpu places it right after
 *                            its first field, the `self` pointer
 *   struct arch_cpu          the rest of the architecture's per-CPU state; the
 *                            last field of struct cpu
 *   arch_this_cpu()          the running CPU's struct cpu (its `self` field)
 *   arch_this_cpu_read64(o)  the 64-bit field at offset o of the running CPU's
 *                            struct cpu, read in one instruction, so no
 *                            migration falls between finding the CPU and
 *                            reading it
 * The caller of either reader keeps preemption off when the answer must stay
 * the running CPU's.
 */
#ifndef ORB_ARCH_PERCPU_H
#define ORB_ARCH_PERCPU_H

#include "machine/percpu.h"

struct cpu;

static inline struct cpu *arch_this_cpu(void);
static inline uint64_t arch_this_cpu_read64(unsigned long offset);

#endif
