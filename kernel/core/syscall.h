/*
 * The portable system call dispatcher (core/syscall.c) and the arch hooks
 * around it. The arch entry (arch/x86_64/syscall.c) decodes registers into a
 * number and six arguments; syscall_invoke() routes them to one handler per
 * call, each of which decodes and checks everything (handles, rights,
 * pointers, ranges) before it changes anything.
 */
#ifndef ORB_CORE_SYSCALL_H
#define ORB_CORE_SYSCALL_H

#include "lib/types.h"

int64_t syscall_invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5);

/* Arch: set up syscall entry and the CPU's user-mode protections on this CPU. */
void syscall_init_cpu(void);
void syscall_report_features(void);

/* Before any return to user mode: act on a kill, take a due reschedule.
 * Returns with interrupts off. */
void syscall_exit_checks(void);

/* Counts of system calls, by outcome (for tests). */
extern uint64_t syscall_count_total;

#endif
