/*
 * The system call dispatcher: the table from call number to handler, and
 * syscall_invoke, which the arch entry calls with the number and the six
 * argument registers of every call the IPC fast path did not take.
 *
 * The table is the only place that maps numbers to handlers (sys_table.h
 * lists them, one per call, in the sys_*.c file of their subject). A number
 * outside the table, or on an entry no call has, is -ERR_NOSYS: the number is
 * a full 64-bit value and is never truncated, so a number whose low bits name
 * a call is refused too. What the handlers do, and their decode-then-invoke
 * rule, is in sys_table.h.
 *
 * Trust boundary: nr and the arguments are untrusted. nr is compared with
 * SYS_COUNT before it indexes the table; the arguments go to the handler as
 * they came, for it to decode.
 *
 * Leaf calls (syscall_leaf): a handler that takes no lock, never blocks or
 * switches, wakes no one, touches no user memory, and neither reads nor
 * writes the caller's saved registers beyond its result. Such a call may be
 * entered with interrupts off and without the user registers saved as a
 * trap frame, straight from the entry to its table entry and back
 * (arch/x86_64/syscall_entry.S); it does not count in syscall_count_total.
 * Anything that becomes due while it runs (a kill, a reschedule) was
 * signalled by an interrupt, which is taken as soon as the call returns to
 * user mode, and acted on there.
 *
 * Portable and free of kernel state but one counter, so the host test
 * test_syscall_table builds this file as it is, with stub handlers.
 */
#include "api/syscall.h"
#include "api/sys_table.h"
#include <orbital/errors.h>

uint64_t syscall_count_total;

syscall_fn *const syscall_table[SYS_COUNT] = {
    [SYS_NULL] = sys_null,
    [SYS_DEBUG_WRITE] = sys_debug_write,
    [SYS_YIELD] = sys_yield,
    [SYS_SLEEP] = sys_sleep,
    [SYS_CLOCK] = sys_clock,
    [SYS_SYSINFO] = sys_sysinfo,
    [SYS_LOG_READ] = sys_log_read,
    [SYS_SCREEN_TAKE] = sys_screen_take,
    [SYS_NOP] = sys_nop,

    [SYS_CAP_IDENTIFY] = sys_cap_identify,
    [SYS_CAP_DERIVE] = sys_cap_derive,
    [SYS_CAP_DELETE] = sys_cap_delete,
    [SYS_CAP_REVOKE] = sys_cap_revoke,
    [SYS_CAP_GRANT] = sys_cap_grant,
    [SYS_CAP_MOVE] = sys_cap_move,

    [SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [SYS_NTFN_CREATE] = sys_ntfn_create,
    [SYS_MEM_CREATE] = sys_mem_create,
    [SYS_PROC_CREATE] = sys_proc_create,
    [SYS_THREAD_CREATE] = sys_thread_create,

    [SYS_MEM_MAP] = sys_mem_map,
    [SYS_MEM_UNMAP] = sys_mem_unmap,
    [SYS_MEM_PROTECT] = sys_mem_protect,

    [SYS_THREAD_START] = sys_thread_start,
    [SYS_THREAD_EXIT] = sys_thread_exit,
    [SYS_PROC_EXIT] = sys_proc_exit,
    [SYS_PROC_KILL] = sys_proc_kill,
    [SYS_PROC_WAIT] = sys_proc_wait,
    [SYS_IPC_BUFFER] = sys_ipc_buffer,
    [SYS_PROC_WATCH] = sys_proc_watch,

    [SYS_SEND] = sys_send,
    [SYS_NB_SEND] = sys_nb_send,
    [SYS_RECV] = sys_recv,
    [SYS_CALL] = sys_call,
    [SYS_REPLY] = sys_reply,
    [SYS_REPLY_RECV] = sys_reply_recv,
    [SYS_REPLY_SAVE] = sys_reply_save,
    [SYS_REPLY_TO] = sys_reply_to,
    [SYS_NTFN_SIGNAL] = sys_ntfn_signal,
    [SYS_NTFN_WAIT] = sys_ntfn_wait,
    [SYS_ENDPOINT_CLOSE] = sys_endpoint_close,

    [SYS_IRQ_BIND] = sys_irq_bind,
    [SYS_IRQ_ACK] = sys_irq_ack,
    [SYS_IOPORT_ENABLE] = sys_ioport_enable,
    [SYS_IOPORT_SUB] = sys_ioport_sub,
    [SYS_POWER] = sys_power,
    [SYS_PROC_LIST] = sys_proc_list,
    [SYS_PROC_PID] = sys_proc_pid,

    [SYS_QUOTA_CREATE] = sys_quota_create,
    [SYS_QUOTA_INFO] = sys_quota_info,
};

const bool syscall_leaf[SYS_COUNT] = {
    [SYS_NOP] = true,
};

int64_t syscall_invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	__atomic_fetch_add(&syscall_count_total, 1, __ATOMIC_RELAXED);
	if (nr >= SYS_COUNT || !syscall_table[nr])
		return -ERR_NOSYS;
	const struct syscall_args args = {a0, a1, a2, a3, a4, a5};
	return syscall_table[nr](&args);
}
