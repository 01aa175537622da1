/*
 * Per-CPU state.
 *
 * Each CPU has one struct cpu, found through this_cpu() (arch/percpu.h says
 * how: its first field points at itself). Fields marked
 * "this CPU" are only touched by their own CPU with interrupts off; the run
 * queue and the sleep list are guarded by rq_lock, which other CPUs take to
 * wake a thread here or to pull work.
 */
#ifndef ORB_SCHED_CPU_H
#define ORB_SCHED_CPU_H

#include "lib/types.h"
#include "base/spinlock.h"
#include "sched/runqueue.h"
#include "arch/percpu.h"

#define MAX_CPUS 64

struct thread;

struct cpu {
	struct cpu *self; /* must stay first: arch_this_cpu() reads it */
	/* must follow self: the arch's entry code reaches it at fixed offsets */
	struct arch_cpu_fixed arch_fixed;
	uint32_t id;	/* 0 .. ncpus-1; the boot CPU is 0 */
	uint32_t hw_id; /* the interrupt controller's id (local APIC id) */
	bool online;	/* set by the CPU itself once it runs the scheduler */

	struct thread *current;	  /* this CPU; changed under rq_lock */
	struct thread *idle;	  /* this CPU's idle thread */
	int preempt_off;	  /* this CPU: > 0 means no preemption */
	bool need_resched;	  /* this CPU: switch at the next chance */
	uint32_t slice_left;	  /* this CPU: ticks left for current */
	struct thread *arch_prev; /* this CPU: the thread being switched away from */

	struct spinlock rq_lock;
	struct runqueue rq;	 /* guarded by rq_lock */
	struct thread *sleepers; /* guarded by rq_lock: sorted by wake time */

	uint64_t ticks;	     /* this CPU: timer ticks taken */
	uint64_t switches;   /* this CPU: context switches */
	uint64_t idle_ticks; /* this CPU: ticks that found the idle thread running */

	struct arch_cpu arch; /* the arch's other per-CPU state */
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned ncpus;	      /* CPUs known (from the MADT, or 1) */
extern unsigned ncpus_online; /* CPUs running the scheduler */

static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

#endif
