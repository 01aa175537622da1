/*
 * The decoding the system call handlers share: turning an untrusted 64-bit
 * argument into a handle, and a handle into an object of the type the call
 * expects, holding the right it needs, with a reference taken.
 *
 * Nothing here changes anything: a decode step may fail at any point and
 * leaves no trace but the references it returned, which the caller drops
 * (kobject_put) on every path, or hands to an IPC call that consumes them.
 * The errors are the ABI's (include/orbital/syscall.h): a handle above
 * 0x7fffffff, no capability, or one to another type of object is
 * -ERR_BADCAP; a capability lacking a right is -ERR_PERM.
 *
 * Every lookup is in the calling thread's own cspace.
 */
#ifndef ORB_API_SYS_DECODE_H
#define ORB_API_SYS_DECODE_H

#include "obj/cspace.h"
#include "sched/thread.h"

struct process;
struct notification;
struct quota;

/* The calling thread's process. */
static inline struct process *sys_caller(void)
{
	return thread_current()->proc;
}

/* The handle in a 64-bit argument, or -ERR_BADCAP (never truncated). */
int decode_handle(uint64_t v, cap_handle_t *h);

/*
 * A capability argument: v names a capability to an object of `type` with
 * every right in `rights` (cap_lookup_obj's checks). Returns the object with
 * a reference taken; *badge (if badge is not NULL) the capability's badge;
 * *have (if have is not NULL) every right the capability holds.
 */
int decode_cap(uint64_t v, enum cap_type type, uint32_t rights, struct kobject **obj,
	       uint64_t *badge, uint32_t *have);

/* decode_cap for a Process. */
int decode_process(uint64_t v, uint32_t rights, struct process **out);

/* decode_cap for a Notification, with the capability's badge. */
int decode_notification(uint64_t v, uint32_t rights, struct notification **out, uint64_t *badge);

/* A quota argument: 0 is the caller's own quota (which it may use as it
 * pleases), anything else a handle to a Quota capability with `rights`.
 * Returns it with a reference taken. Errors: -ERR_BADCAP, -ERR_PERM. */
int decode_quota(uint64_t v, uint32_t rights, struct quota **out);

#endif
