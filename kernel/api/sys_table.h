/*
 * The system call handlers: what syscall_invoke (api/syscall.c) hands a call
 * to, and the one table it finds the handler in.
 *
 * One handler per call of include/orbital/syscall.h, named after it: SYS_NAME
 * is handled by sys_name (lower case), reached only through syscall_table[]
 * indexed by the number. No handler sees the number or dispatches on it; a
 * number with no entry is -ERR_NOSYS in syscall_invoke. The host test
 * test_syscall_table checks that every SYS_* of the ABI header has its entry
 * and relies on the naming.
 *
 * Every handler decodes first: each argument, handle (type and right) and
 * user pointer is checked, in argument order, with nothing changed. Only then
 * does it invoke, through one call into the object modules whose acting part
 * does not fail halfway; a step that may fail for want of resources (a quota
 * charge, an allocation) comes before anything visible happens. The shared
 * decoding is sys_decode.h, the hand-out of new objects sys_handout.h.
 *
 * This header is portable and host-compilable on purpose: it names no kernel
 * object, only the argument record.
 */
#ifndef ORB_API_SYS_TABLE_H
#define ORB_API_SYS_TABLE_H

#include "lib/types.h"
#include <orbital/syscall.h>

/* The six argument registers of include/orbital/syscall.h, untrusted values. */
struct syscall_args {
	uint64_t a0, a1, a2, a3, a4, a5;
};

/* A handler: its result is the call's (>= 0, or -ERR_*). */
typedef int64_t syscall_fn(const struct syscall_args *a);

/* The table, indexed by call number; NULL for a number no call has. */
extern syscall_fn *const syscall_table[SYS_COUNT];

/* The leaf calls (api/syscall.c says what one may do), by number. */
extern const bool syscall_leaf[SYS_COUNT];

/* sys_info.c: basics that touch no object. */
syscall_fn sys_null, sys_nop, sys_debug_write, sys_clock, sys_sysinfo, sys_log_read;

/* sys_cap.c: capabilities. */
syscall_fn sys_cap_identify, sys_cap_derive, sys_cap_delete, sys_cap_revoke, sys_cap_grant,
    sys_cap_move;

/* sys_ipc.c: endpoints, notifications, replies (the general path; ipc/fastpath.c has the
 * other), the IPC buffer. */
syscall_fn sys_endpoint_create, sys_ntfn_create, sys_send, sys_nb_send, sys_recv, sys_call,
    sys_reply, sys_reply_recv, sys_reply_save, sys_reply_to, sys_ntfn_signal, sys_ntfn_wait,
    sys_endpoint_close, sys_ipc_buffer;

/* sys_mem.c: Memory objects and mappings. */
syscall_fn sys_mem_create, sys_mem_map, sys_mem_unmap, sys_mem_protect;

/* sys_proc.c: processes and threads. */
syscall_fn sys_yield, sys_sleep, sys_proc_create, sys_thread_create, sys_thread_start,
    sys_thread_exit, sys_proc_exit, sys_proc_kill, sys_proc_wait, sys_proc_watch, sys_proc_list,
    sys_proc_pid;

/* sys_dev.c: interrupts, I/O ports, power, the screen. */
syscall_fn sys_screen_take, sys_irq_bind, sys_irq_ack, sys_ioport_enable, sys_ioport_sub, sys_power;

/* sys_quota.c: quotas. */
syscall_fn sys_quota_create, sys_quota_info;

#endif
