/*
 * Load-balancing decisions: pure functions over a table of per-CPU loads.
 *
 * This file decides, it does not move anything: the scheduler reads each
 * CPU's load (racy reads are fine, a decision only needs to be roughly
 * right), asks here which CPU to pull from or to place a new thread on, and
 * then takes the queue locks and moves the thread itself (rq_steal()). No
 * state, no locks, no x86; built on the host for unit tests.
 *
 * A CPU's load is the number of threads runnable there: those on its run
 * queue plus the one running, if it is not the idle thread.
 */
#ifndef ORB_SCHED_BALANCE_H
#define ORB_SCHED_BALANCE_H

#include "lib/types.h"

/*
 * Picks the CPU that CPU self (typically idle) should pull a thread from: the
 * busiest CPU other than self whose load exceeds self's by at least 2, so
 * that moving one thread makes the pair more even (never the reverse). For an
 * idle self (load 0) that is any CPU with a running thread and at least one
 * waiting. Ties go to the lowest index. Returns -1 if no CPU qualifies.
 * If rq_steal() then finds nothing there that may run on self (affinity),
 * the caller may zero that CPU's entry in its copy of loads and ask again.
 * Requires self < ncpus.
 */
int balance_pick_source(const uint32_t *loads, unsigned ncpus, unsigned self);

/*
 * Picks the CPU for a new (or newly woken) thread: the least loaded CPU among
 * those its affinity mask allows (SCHED_AFFINITY_ANY = all ncpus CPUs; a mask
 * can name CPUs 0..SCHED_MAX_CPUS-1 only). Ties go to the lowest index.
 * Returns -1 if the mask allows none of the ncpus CPUs.
 */
int balance_pick_cpu(const uint32_t *loads, unsigned ncpus, uint64_t affinity);

#endif
