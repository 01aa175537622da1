/*
 * What the scheduler tests share (kt_sched.c, kt_stress.c, kt_yield.c): pinning a thread
 * to one CPU and holding off preemption while a test creates threads that
 * outrank it. Defined in kt_sched.c.
 */
#ifndef ORB_TESTS_KERNEL_KT_SCHED_H
#define ORB_TESTS_KERNEL_KT_SCHED_H

#include "lib/types.h"

/* Nanoseconds in a millisecond. */
#define MS 1000000ull

/* The affinity mask of CPU cpu alone. */
uint64_t kt_on_cpu_mask(unsigned cpu);

/* Preemption off on this CPU (and back on): kt_no_preempt() before creating
 * several threads that outrank the caller, kt_preempt_ok() after. */
void kt_no_preempt(void);
void kt_preempt_ok(void);

#endif
