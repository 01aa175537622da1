/*
 * What the library's files share and programs do not see: the main thread's
 * IPC buffer (set by start.c, read by thread.c), the boot archive's place,
 * and a small lock for the library's few shared structures.
 */
#ifndef ORB_ULIB_ULIB_H
#define ORB_ULIB_ULIB_H

#include <stddef.h>
#include <stdint.h>
#include <orb/sys.h>

extern struct ipc_buffer *ulib_main_ipc; /* the main thread's IPC buffer, or NULL */

/*
 * A test-and-set lock that yields the CPU while it waits: the library's locks
 * guard a few instructions' worth of work (the heap, the output buffer), and
 * yielding lets a preempted holder run even on one CPU.
 */
struct ulib_lock {
	volatile char held;
};

static inline void ulib_lock(struct ulib_lock *l)
{
	while (__atomic_test_and_set(&l->held, __ATOMIC_ACQUIRE))
		orb_yield();
}

static inline void ulib_unlock(struct ulib_lock *l)
{
	__atomic_clear(&l->held, __ATOMIC_RELEASE);
}

#endif
