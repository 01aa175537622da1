/*
 * The IPC fast path (ipc/fastpath.c): SYS_CALL and SYS_REPLY_RECV when the
 * other side is already waiting, on this CPU, and the message fits in
 * registers. fastpath_call() and fastpath_reply_recv() return only when they did
 * not take the call; the
 * general path then handles it exactly as if the fast path did not exist.
 * `fastpath=off` on the kernel command line turns it off (tests run both).
 */
#ifndef ORB_IPC_FASTPATH_H
#define ORB_IPC_FASTPATH_H

#include "lib/types.h"

extern bool fastpath_enabled;
extern uint64_t fastpath_hits;

/* SYS_CALL and SYS_REPLY_RECV, entered from the architecture's system call
 * entry with interrupts off and the caller's user context saved; each returns
 * only if it did not take the call. */
void fastpath_call(void);
void fastpath_reply_recv(void);

#endif
