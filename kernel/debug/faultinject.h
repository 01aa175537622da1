/*
 * Fault injection into user-space services, for reliability measurements
 * (`make faultinject`, docs/testing.md). Off unless the kernel command line
 * has faultinject=SEED; then a kernel thread kills the processes named on a
 * list, flips bits in their saved user registers and in words of their
 * writable memory, at random, and reports how the system recovered.
 */
#ifndef ORB_DEBUG_FAULTINJECT_H
#define ORB_DEBUG_FAULTINJECT_H

#include "boot/bootinfo.h"
#include "sched/thread.h"

/* Starts the injector thread if the command line asks for it. */
void faultinject_start(const struct boot_info *bi);

/* Applies a register fault pending for t (the running thread) on its way
 * back to user mode. */
void faultinject_user_return(struct thread *t);

#endif
