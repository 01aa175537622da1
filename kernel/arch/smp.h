/*
 * The other CPUs: starting them, interrupting them, stopping them. The
 * architecture implements these (kernel/arch/<arch>/smp.c, context.c); the
 * portable side is struct cpu (sched/cpu.h) and the scheduler.
 */
#ifndef ORB_ARCH_SMP_H
#define ORB_ARCH_SMP_H

struct cpu;

/* Starts the boot CPU's timer tick and every other CPU the firmware lists;
 * each comes up in the scheduler's idle loop. Returns how many CPUs are
 * online (the boot CPU included). Once, from kmain, after
 * arch_platform_init() and sched_init_cpu() of CPU 0. */
unsigned arch_start_cpus(void);

/* Sends CPU c an interrupt that makes it reschedule (and so notice a wake-up
 * or a kill); returns at once. */
void arch_resched_cpu(struct cpu *c);

/* Stops every other CPU for good, whatever it is doing (panic). */
void arch_stop_other_cpus(void);

#endif
