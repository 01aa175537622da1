/*
 * The monotonic clock: nanoseconds since the clock started, from the CPU's
 * time-stamp counter scaled by its measured frequency. It never goes
 * backwards, on any CPU: every reading is at least the largest one any CPU
 * has returned before (one atomic compare-and-swap).
 */
#ifndef ORB_SCHED_TIME_H
#define ORB_SCHED_TIME_H

#include "lib/types.h"

/* Starts the clock: counter_hz is the counter's frequency. */
void time_init(uint64_t counter_hz);

uint64_t time_now_ns(void);

/* Busy-waits ns nanoseconds (for hardware start-up delays). */
void time_delay_ns(uint64_t ns);

#endif
