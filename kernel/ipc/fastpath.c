/*
 * The IPC fast path: SYS_CALL and SYS_REPLY_RECV in their common case, done
 * without the general path's generality (seL4's idea: a separate, short path
 * for the case that matters for speed).
 *
 * Taken only when all of these hold (otherwise fastpath_try returns and the
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
 * endpoint cannot be freed while ipc_lock is held: its destroy takes it).
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

/* Tag bits a fast-path message may have: the label and the word count (no
 * capabilities, no flags); delivered unchanged. */
#define FASTPATH_TAG_MASK 0x000000ffffffffffull

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

void fastpath_try(uint64_t nr)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t tag = uctx_msg_tag(t);
	if ((tag & ~FASTPATH_TAG_MASK) || IPC_TAG_NWORDS(tag) > IPC_REG_WORDS ||
	    uctx_msg_timeout(t) != IPC_TIMEOUT_NEVER || !t->proc || t->proc->state != PROC_ALIVE)
		return;
	uint64_t hv = uctx_msg_ep(t), badge;
	struct kobject *obj;
	uint32_t rights;
	if (hv > 0x7fffffffu || !t->proc->cs)
		return;

	spin_lock(&ipc_lock);
	if (!cspace_peek_lockless(t->proc->cs, (cap_handle_t)hv, CAP_TYPE_ENDPOINT, &obj, &rights,
				  &badge))
		goto slow;
	struct endpoint *ep = container_of(obj, struct endpoint, obj);
	if (ep->closed)
		goto slow;
	if (nr == SYS_CALL) {
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
	}
	/* SYS_REPLY_RECV */
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
