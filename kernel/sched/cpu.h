/*
 * Per-CPU state.
 *
 * Each CPU has one struct cpu, found through this_cpu() (arch/percpu.h says
 * how: its first field points at itself) and, by CPU number, through
 * cpu_by_id(). Fields marked "this CPU" are only touched by their own CPU
 * with interrupts off; the run queue and the sleep list are guarded by
 * rq_lock, which other CPUs take to wake a thread here or to pull work.
 *
 * Blocks exist only for the CPUs that exist (cpu.c): the boot CPU's is in the
 * image (it is needed before any allocator works); every other CPU's is
 * allocated by the architecture's start of the other CPUs, once their number
 * is known, before that CPU starts. Blocks are never freed.
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

/* cpu_list[i] is CPU i's block for i < ncpus. Written only by the boot CPU
 * while it starts the others (cpu_publish), each entry before ncpus counts it;
 * entries at or above ncpus are never read (one may hold the block of a CPU
 * that did not start). */
extern struct cpu *cpu_list[MAX_CPUS];
extern unsigned ncpus;	      /* CPUs with a block, started or being started (1 at boot) */
extern unsigned ncpus_online; /* CPUs running the scheduler */

/* CPU `id`'s block; id < ncpus. */
static inline struct cpu *cpu_by_id(unsigned id)
{
	return cpu_list[id];
}

/* A zeroed block for a CPU about to be started, its self pointer set (the
 * heap; NULL if it is out of memory). Called by the boot CPU once the heap
 * works, before the CPU starts. */
struct cpu *cpu_alloc(uint32_t hw_id);

/* Makes c CPU number ncpus (c->id) and counts it in ncpus; the boot CPU only,
 * before c starts, since c reads both at once. */
void cpu_publish(struct cpu *c);

/* Takes back the last cpu_publish(c): c did not start. Its block stays
 * allocated (the CPU got an INIT and might still wake on a stray SIPI, so
 * nothing it could touch is handed out again); the next CPU takes its number. */
void cpu_unpublish(struct cpu *c);

static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

#endif
