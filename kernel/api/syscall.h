/*
 * The portable system call dispatcher (api/syscall.c) and the arch hooks
 * around it. The arch entry (arch/x86_64/syscall.c) decodes registers into a
 * number and six arguments; syscall_invoke() finds the call's handler in one
 * table indexed by the number (api/sys_table.h) and hands it the arguments.
 * Each handler decodes and checks everything (handles, rights, pointers,
 * ranges) before it changes anything. A number with no handler is
 * -ERR_NOSYS.
 */
#ifndef ORB_API_SYSCALL_H
#define ORB_API_SYSCALL_H

#include "lib/types.h"

int64_t syscall_invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5);

/* Before any return to user mode: act on a kill, take a due reschedule.
 * Returns with interrupts off. */
void syscall_exit_checks(void);

/* The number of system calls that reached syscall_invoke (for tests). */
extern uint64_t syscall_count_total;

#endif
