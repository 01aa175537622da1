/*
 * The IPC fast path: SYS_CALL and SYS_REPLY_RECV in their common case, done
 * without the general path's generality (seL4's idea: a separate, short path
 * for the case that matters for speed).
 *
 * Taken only when all of these hold (otherwise fastpath_call or fastpath_reply_recv returns and the
 * general path in ipc.c does the work, with the same result):
 *   - the message is registers only (at most 4 words, no capabilities) and
 *     the thread waits without a timeout;
 *   - call: a receiver already waits on the endpoint, blocked without a
 *     deadline, owing no reply; reply-recv: the thread owes a reply to a
 *     caller that waits without a deadline, and no sender waits on the
 *     endpoint it will receive on;
 *   - the thread to run next last ran on this CPU, is fully switched out, is
 *     at least as important as the caller, and nothing more important is
 *     ready here;
 *   - neither process is being killed;
 *   - the endpoint is not closed (SYS_ENDPOINT_CLOSE).
 * Then the fast path delivers the message straight into the other thread's
 * user context, blocks the current thread in the state the general path
 * would have left it in (a queued receiver, or a caller waiting for its
 * reply), makes the other thread current and leaves for user mode on its
 * stack (arch_fastpath_switch). The blocked thread will resume straight into
 * user mode too (arch_thread_resume_user), through ipc_resume_blocked() if
 * something else (a reply through the general path, a kill) wakes it.
 *
 * Locks: ipc_lock only. The handle is read with cspace_peek_lockless (the
 * endpoint cannot be freed while ipc_lock is held: its destroy takes it), or
 * taken from the thread's copy of the capability it used last (t->fp_cap),
 * which is good while its cspace has emptied no slot since (cspace.h).
 * The two threads' scheduler state and this CPU's `current` change without
 * the rq_lock: interrupts are off, and everyone who could wake either thread
 * (IPC through ipc.c, an endpoint's close or end and a Reply object's end in
 * obj/, a kill through process_kill) holds ipc_lock to do so;
 * no deadline can (fastpath_ok); the previous thread stays on_cpu until this
 * CPU has left its stack (fastpath_leave).
 */
#include "ipc/fastpath.h"
#include "ipc/ipc.h"
#include "obj/endpoint.h"
#include "obj/process.h"
#include "sched/sched.h"
#include "arch/context.h"
#include <orbital/syscall.h>
#include <orbital/ipc.h>

/* A fast-path message: the tag's upper half is the word count alone (no
 * capabilities, no flags) and at most IPC_REG_WORDS; the label, below it, is
 * delivered unchanged. One comparison checks all of it. */
_Static_assert(IPC_TAG(0, 1, 0) == 1ull << 32, "the word count starts at bit 32");

bool fastpath_enabled = true;
uint64_t fastpath_hits;

/* Can next take over this CPU from t at once? (ipc_lock held) */
static inline bool takes_over(struct cpu *c, struct thread *t, struct thread *next)
{
	return next->node.cpu == c->id && next->state == THREAD_BLOCKED && next->ipc.fastpath_ok &&
	       !__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE) &&
	       next->node.prio >= t->node.prio && !rq_has_above(&c->rq, next->node.prio) &&
	       next->proc->state == PROC_ALIVE &&
	       !__atomic_load_n(&next->fault_reg, __ATOMIC_RELAXED); /* faultinject.c */
}

/* Makes next current in place of t, now blocked, and leaves (ipc_lock held). */
static inline __attribute__((always_inline)) noreturn void
switch_to(struct cpu *c, struct thread *t, struct thread *next)
{
	t->state = THREAD_BLOCKED;
	next->on_cpu = 1;
	next->state = THREAD_RUNNING;
	c->current = next;
	spin_unlock(&ipc_lock);
	arch_thread_resume_user(t);
	fastpath_hits++;
	arch_fastpath_switch(t, next);
}

/*
 * What both calls check first, without a lock: a register message, no
 * timeout, a live process, and the endpoint handle. Returns the endpoint
 * with ipc_lock held (and the capability's rights and badge), or NULL with
 * no lock held.
 */
static inline __attribute__((always_inline)) struct endpoint *
fastpath_decode(struct thread *t, uint32_t *rights, uint64_t *badge)
{
	uint64_t hv = uctx_msg_ep(t);
	struct process *p = t->proc;
	if ((uctx_msg_tag(t) >> 32) > IPC_REG_WORDS || uctx_msg_timeout(t) != IPC_TIMEOUT_NEVER ||
	    hv > 0x7fffffffu || p->state != PROC_ALIVE)
		return NULL;
	struct kobject *obj;
	spin_lock(&ipc_lock);
	/* The thread's copy of the capability it used last, while no slot of its
	 * cspace has been emptied since it was read (cspace.h): then the
	 * capability is still there, unchanged. Else the lockless read, which
	 * refreshes the copy. The endpoint cannot be freed while ipc_lock is
	 * held either way (its destroy takes it). */
	uint64_t releases = __atomic_load_n(&p->cs->releases, __ATOMIC_ACQUIRE);
	if (hv + 1 == t->fp_cap.handle1 && releases == t->fp_cap.releases) {
		obj = t->fp_cap.obj;
		*rights = t->fp_cap.rights;
		*badge = t->fp_cap.badge;
	} else {
		if (!cspace_peek_lockless(p->cs, (cap_handle_t)hv, CAP_TYPE_ENDPOINT, &obj, rights,
					  badge))
			goto no;
		t->fp_cap.handle1 = hv + 1;
		t->fp_cap.releases = releases;
		t->fp_cap.obj = obj;
		t->fp_cap.rights = *rights;
		t->fp_cap.badge = *badge;
	}
	struct endpoint *ep = container_of(obj, struct endpoint, obj);
	if (ep->closed)
		goto no;
	return ep;
no:
	spin_unlock(&ipc_lock);
	return NULL;
}

/* SYS_CALL from user mode (syscall_entry.S; interrupts off). t->proc and its
 * cspace exist: only a user thread of a process that has not been torn down
 * makes system calls. */
void fastpath_call(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint32_t rights;
	uint64_t badge;
	struct endpoint *ep = fastpath_decode(t, &rights, &badge);
	if (!ep)
		return;
	struct wait_node *n = waitq_first(&ep->receivers);
	struct thread *r = n ? container_of(n, struct thread, wait) : NULL;
	if (!(rights & CAP_RIGHT_SEND) || !r || r->ipc.caller || !takes_over(c, t, r))
		goto slow;
	waitq_unlink_fast(&ep->receivers, n);
	r->ipc.state = IPC_IDLE;
	r->ipc.queue_obj = NULL;
	r->ipc.caller = t;
	uctx_copy_msg(r, t, badge);
	t->ipc.state = IPC_REPLY_WAIT;
	t->ipc.can_grant = (rights & CAP_RIGHT_GRANT) != 0;
	t->ipc.fastpath_ok = true;
	t->ipc.replier = r;
	t->ipc.reply = NULL;
	switch_to(c, t, r);
slow:
	spin_unlock(&ipc_lock);
}

/* SYS_REPLY_RECV from user mode (syscall_entry.S; interrupts off). */
void fastpath_reply_recv(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint32_t rights;
	uint64_t badge;
	struct endpoint *ep = fastpath_decode(t, &rights, &badge);
	if (!ep)
		return;
	/* Read under ipc_lock: a caller that ends clears it (ipc.c) and is freed. */
	struct thread *caller = t->ipc.caller;
	if (!(rights & CAP_RIGHT_RECV) || !caller || !waitq_empty(&ep->senders) ||
	    !takes_over(c, t, caller))
		goto slow;
	t->ipc.caller = NULL;
	caller->ipc.state = IPC_IDLE;
	caller->ipc.replier = NULL;
	uctx_copy_msg(caller, t, 0);
	t->ipc.state = IPC_RECEIVING; /* ipc_queue_receiver, inline when the queue is empty */
	t->ipc.queue_obj = ep;
	t->ipc.fastpath_ok = true;
	t->wait.prio = t->node.prio;
	if (waitq_empty(&ep->receivers))
		waitq_link_only(&ep->receivers, &t->wait);
	else
		waitq_add(&ep->receivers, &t->wait);
	switch_to(c, t, caller);
slow:
	spin_unlock(&ipc_lock);
}
