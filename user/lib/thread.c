/*
 * Threads of this process (orb_thread_spawn) and the per-thread IPC buffer
 * (orb_ipc_buf); see <orb/thread.h>.
 *
 * Each thread the library creates has one Memory object holding its stack and
 * its IPC buffer, mapped as [guard page (unmapped)][stack][IPC buffer page],
 * and a slot in ulib_threads[] recording the stack's range. A slot goes
 * FREE -> CLAIMED (being set up by its creator) -> LIVE (its range is
 * valid; stays so for the life of the process) or back to FREE if the
 * creation fails. orb_ipc_buf() reads LIVE slots only.
 */
#include <stdbool.h>
#include <string.h>
#include <orb/spawn.h>

#include "ulib.h"
#include "uvm.h"

enum { ULIB_SLOT_FREE = 0, ULIB_SLOT_CLAIMED = 1, ULIB_SLOT_LIVE = 2 };

struct ulib_thread {
	int state;	    /* ULIB_SLOT_*, atomic */
	uintptr_t stack_lo; /* [stack_lo, stack_hi): the thread's stack */
	uintptr_t stack_hi;
	struct ipc_buffer *ipc; /* its IPC buffer */
	void (*fn)(void *);
	void *arg;
};

static struct ulib_thread ulib_threads[ORB_THREADS_MAX];

_Noreturn void ulib_thread_main(struct ulib_thread *t);
void ulib_thread_entry(void); /* crt0.S */

struct ipc_buffer *orb_ipc_buf(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	for (unsigned i = 0; i < ORB_THREADS_MAX; i++) {
		struct ulib_thread *t = &ulib_threads[i];
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == ULIB_SLOT_LIVE &&
		    sp >= t->stack_lo && sp < t->stack_hi)
			return t->ipc;
	}
	return ulib_main_ipc;
}

/* Called from crt0's ulib_thread_entry on the new thread's stack. */
_Noreturn void ulib_thread_main(struct ulib_thread *t)
{
	orb_ipc_buffer(t->ipc); /* the creator checked the page is mapped R/W */
	t->fn(t->arg);
	orb_thread_exit();
}

static struct ulib_thread *thread_claim(void)
{
	for (unsigned i = 0; i < ORB_THREADS_MAX; i++) {
		int expect = ULIB_SLOT_FREE;
		if (__atomic_compare_exchange_n(&ulib_threads[i].state, &expect, ULIB_SLOT_CLAIMED,
						false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return &ulib_threads[i];
	}
	return NULL;
}

long orb_thread_spawn(void (*fn)(void *), void *arg, int prio, cap_handle_t *thread_out)
{
	if (!fn || prio < 0)
		return -ERR_INVAL;
	struct ulib_thread *t = thread_claim();
	if (!t)
		return -ERR_NOSPACE;

	/* [guard][stack][IPC buffer]: the guard is the reservation's first page. */
	size_t size = ORB_THREAD_STACK_SIZE + UVM_PAGE;
	uintptr_t va = uvm_reserve(UVM_PAGE + size);
	long rc = va ? orb_mem_create(size) : -ERR_NOSPACE;
	if (rc < 0)
		goto fail_va;
	cap_handle_t mem = (cap_handle_t)rc;
	uintptr_t base = va + UVM_PAGE;
	rc = orb_mem_map(orb_self(), mem, base, 0, size, ORB_PROT_READ | ORB_PROT_WRITE);
	if (rc < 0)
		goto fail_mem;

	t->stack_lo = base;
	t->stack_hi = base + ORB_THREAD_STACK_SIZE;
	t->ipc = (struct ipc_buffer *)t->stack_hi;
	t->fn = fn;
	t->arg = arg;
	/* LIVE before it runs: its first orb_ipc_buf() must find it. */
	__atomic_store_n(&t->state, ULIB_SLOT_LIVE, __ATOMIC_RELEASE);

	rc = orb_thread_create(orb_self(), (uintptr_t)ulib_thread_entry, t->stack_hi, (uintptr_t)t,
			       prio ? prio : ORB_PRIO_DEFAULT);
	if (rc < 0)
		goto fail_map;
	cap_handle_t th = (cap_handle_t)rc;
	rc = orb_thread_start(th);
	if (rc < 0) {
		orb_cap_delete(th);
		goto fail_map;
	}
	/* The Memory handle stays: the mapping lives as long as the process. */
	if (thread_out)
		*thread_out = th;
	else
		orb_cap_delete(th);
	return 0;

fail_map:
	__atomic_store_n(&t->state, ULIB_SLOT_CLAIMED, __ATOMIC_RELEASE);
	if (orb_mem_unmap(orb_self(), base, size) < 0)
		va = 0; /* still mapped: keep the range out of use */
fail_mem:
	orb_cap_delete(mem);
fail_va:
	uvm_release(va, UVM_PAGE + size);
	__atomic_store_n(&t->state, ULIB_SLOT_FREE, __ATOMIC_RELEASE);
	return rc;
}
