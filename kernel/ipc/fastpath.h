/*
 * The IPC fast path (ipc/fastpath.c): SYS_CALL and SYS_REPLY_RECV when the
 * other side is already waiting, on this CPU, and the message fits in
 * registers. fastpath_try() returns only when it did not take the call; the
 * general path then handles it exactly as if the fast path did not exist.
 * `fastpath=off` on the kernel command line turns it off (tests run both).
 */
#ifndef ORB_IPC_FASTPATH_H
#define ORB_IPC_FASTPATH_H

#include "lib/types.h"

extern bool fastpath_enabled;
extern uint64_t fastpath_hits;

void fastpath_try(uint64_t nr);

#endif
