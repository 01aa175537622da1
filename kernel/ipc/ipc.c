/*
 * The general IPC path: send, receive, call and reply, message transfer and
 * blocking (see ipc.h). The objects it works on (endpoints, replies,
 * notifications) are in obj/.
 */
#include "ipc/ipc.h"
#include "obj/cspace.h"
#include "obj/endpoint.h"
#include "obj/reply.h"
#include "obj/process.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "debug/panic.h"
#include "arch/context.h"
#include <orbital/errors.h>
#include <orbital/ipc.h>
#include <orbital/syscall.h>

struct spinlock ipc_lock = SPINLOCK_INIT("ipc");
void (*ipc_wake_hook)(struct thread *t);

uint64_t ipc_deadline(uint64_t timeout_ns)
{
	if (timeout_ns == IPC_TIMEOUT_NEVER)
		return UINT64_MAX;
	uint64_t now = time_now_ns();
	return timeout_ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + timeout_ns;
}

/* ---- Waking and waiting --------------------------------------------------- */

void ipc_wake_locked(struct thread *t)
{
	if (ipc_wake_hook)
		ipc_wake_hook(t);
	sched_wake(t);
}

void ipc_fail_waiter_locked(struct waitq *wq, struct thread *t, int64_t err)
{
	waitq_remove(wq, &t->wait);
	t->ipc.state = IPC_IDLE;
	t->ipc.queue_obj = NULL;
	uctx_set_ret(t, err);
}

int64_t ipc_wait_done(struct thread *t, uint64_t deadline, irqflags_t f)
{
	bool timed_out = false;
	for (;;) {
		if (t->ipc.state == IPC_IDLE) {
			spin_unlock_irqrestore(&ipc_lock, f);
			return uctx_get_ret(t);
		}
		bool dying = t->proc && process_dying(t->proc);
		if (timed_out || dying || (deadline != UINT64_MAX && time_now_ns() >= deadline)) {
			/* Give up: off the queue, or forget the reply we waited for. */
			if (t->ipc.state == IPC_REPLY_WAIT) {
				if (t->ipc.replier && t->ipc.replier->ipc.caller == t)
					t->ipc.replier->ipc.caller = NULL;
				if (t->ipc.reply)
					t->ipc.reply->caller = NULL;
				t->ipc.replier = NULL;
				t->ipc.reply = NULL;
			} else if (waitq_of(&t->wait)) {
				waitq_remove(waitq_of(&t->wait), &t->wait);
			}
			t->ipc.state = IPC_IDLE;
			t->ipc.queue_obj = NULL;
			spin_unlock_irqrestore(&ipc_lock, f);
			return dying ? -ERR_BUSY : -ERR_TIMEOUT;
		}
		/* Wakers change t->ipc.state and wake t under ipc_lock (ipc_wake_locked),
		 * so no wake-up is lost between here and the block, and t cannot
		 * return (and end) while a waker still has to wake it. */
		sched_prepare_block();
		spin_unlock_irqrestore(&ipc_lock, f);
		timed_out = sched_block_until(deadline);
		f = spin_lock_irqsave(&ipc_lock);
	}
}

void ipc_resume_blocked(void)
{
	struct thread *t = thread_current();
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	if (t->ipc.state == IPC_IDLE) {
		spin_unlock_irqrestore(&ipc_lock, f);
		return;
	}
	uctx_set_ret(t, ipc_wait_done(t, UINT64_MAX, f));
}

/* ---- Messages ------------------------------------------------------------ */

static struct ipc_buffer *ipc_buf(const struct thread *t)
{
	return t->ipc.buf_pa ? phys_to_virt(t->ipc.buf_pa) : NULL;
}

/* Checks a tag the running thread is about to send. */
static int64_t check_tag(struct thread *s, uint64_t tag, bool grant)
{
	if (tag & ~IPC_TAG_SEND_MASK)
		return -ERR_INVAL;
	if (IPC_TAG_NWORDS(tag) > IPC_MAX_WORDS || IPC_TAG_NCAPS(tag) > IPC_MAX_CAPS)
		return -ERR_INVAL;
	if ((IPC_TAG_NWORDS(tag) > IPC_REG_WORDS || IPC_TAG_NCAPS(tag)) && !s->ipc.buf_pa)
		return -ERR_INVAL; /* words or capabilities beyond the registers need a buffer */
	if (IPC_TAG_NCAPS(tag) && !grant)
		return -ERR_PERM;
	/* Every capability named must exist now (one deleted while the
	 * message waits is dropped at delivery, and the tag says so). */
	const struct ipc_buffer *b = ipc_buf(s);
	for (unsigned i = 0; i < IPC_TAG_NCAPS(tag); i++) {
		struct cap_info info;
		if (!s->proc->cs || cap_identify(s->proc->cs, b->send_caps[i], &info))
			return -ERR_BADCAP;
	}
	return 0;
}

/*
 * Moves the message s is sending into r's user context and IPC buffer
 * (ipc_lock held; both threads are either running this code or blocked).
 * Never fails: what cannot be delivered (words without a receive buffer,
 * capabilities without slots) is dropped and the tag says so.
 */
static void transfer(struct thread *s, struct thread *r, uint64_t badge, bool grant)
{
	uint64_t tag = uctx_msg_tag(s), w[IPC_REG_WORDS];
	uctx_msg_words(s, w);
	unsigned nwords = IPC_TAG_NWORDS(tag), ncaps = IPC_TAG_NCAPS(tag), got = 0;
	struct ipc_buffer *sb = ipc_buf(s), *rb = ipc_buf(r);
	bool lost = false;
	if (nwords > IPC_REG_WORDS) {
		if (sb && rb)
			memcpy(&rb->words[IPC_REG_WORDS], &sb->words[IPC_REG_WORDS],
			       (nwords - IPC_REG_WORDS) * sizeof(uint64_t));
		else
			nwords = IPC_REG_WORDS;
	}
	if (ncaps) {
		/* Copies (children) of the sender's capabilities; a bad handle, or no
		 * room at the receiver, drops that one capability. */
		if (grant && sb && rb && s->proc && r->proc && s->proc->cs && r->proc->cs) {
			for (unsigned i = 0; i < ncaps; i++) {
				cap_handle_t h;
				if (cap_copy(s->proc->cs, sb->send_caps[i], r->proc->cs, &h) == 0)
					rb->recv_caps[got++] = h;
				else
					lost = true;
			}
		} else {
			lost = true;
		}
	}
	/* Register words beyond the count arrive as 0: what the sender left in
	 * those registers (a word of an earlier message) is not sent. */
	for (unsigned i = nwords; i < IPC_REG_WORDS; i++)
		w[i] = 0;
	uint64_t out = IPC_TAG(IPC_TAG_LABEL(tag), nwords, got) | (lost ? IPC_TAG_CAPS_LOST : 0);
	uctx_deliver(r, badge, out, w);
}

/* Hands the call r received from c over to r's implicit reply (ipc_lock held). */
static void take_call(struct thread *r, struct thread *c)
{
	c->ipc.state = IPC_REPLY_WAIT;
	c->ipc.replier = r;
	c->ipc.reply = NULL;
	c->ipc.queue_obj = NULL;
	r->ipc.caller = c;
}

/* The reply r owed to c is lost (ipc_lock held): c fails with -ERR_NOENT.
 * Returns c, for the caller to wake before it releases the lock. */
static struct thread *drop_call(struct thread *r)
{
	struct thread *c = r->ipc.caller;
	r->ipc.caller = NULL;
	if (c) {
		c->ipc.state = IPC_IDLE;
		c->ipc.replier = NULL;
		uctx_set_ret(c, -ERR_NOENT);
	}
	return c;
}

void ipc_queue_receiver(struct endpoint *ep, struct thread *t, bool fastpath_ok)
{
	t->ipc.state = IPC_RECEIVING;
	t->ipc.queue_obj = ep;
	t->ipc.fastpath_ok = fastpath_ok;
	t->wait.prio = t->node.prio;
	waitq_add(&ep->receivers, &t->wait);
}

int64_t ipc_send(struct endpoint *ep, uint64_t badge, bool grant, bool call, bool nonblocking,
		 uint64_t timeout_ns)
{
	struct thread *s = thread_current();
	int64_t err = check_tag(s, uctx_msg_tag(s), grant);
	if (err) {
		kobject_put(&ep->obj);
		return err;
	}
	uint64_t deadline = ipc_deadline(timeout_ns);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	if (ep->closed) {
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return -ERR_CLOSED;
	}
	s->ipc.fastpath_ok = deadline == UINT64_MAX; /* for the reply, if a call */
	struct thread *r = ipc_waiter(waitq_pop(&ep->receivers));
	if (r) {
		r->ipc.state = IPC_IDLE;
		r->ipc.queue_obj = NULL;
		transfer(s, r, badge, grant);
		struct thread *lost = drop_call(r); /* r received without answering its last call */
		if (call) {
			s->ipc.can_grant = grant;
			take_call(r, s);
		}
		if (lost)
			ipc_wake_locked(lost);
		ipc_wake_locked(r);
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		if (!call)
			return 0;
		/* A call: wait for the reply (r runs meanwhile). */
		f = spin_lock_irqsave(&ipc_lock);
		return ipc_wait_done(s, deadline, f);
	}
	if (nonblocking || timeout_ns == 0) {
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return nonblocking ? -ERR_AGAIN : -ERR_TIMEOUT;
	}
	s->ipc.state = IPC_SENDING;
	s->ipc.is_call = call;
	s->ipc.can_grant = grant;
	s->ipc.badge = badge;
	s->ipc.queue_obj = ep;
	s->wait.prio = s->node.prio;
	waitq_add(&ep->senders, &s->wait);
	/* Drop our reference before sleeping: if it was the last, the endpoint
	 * is destroyed and ends our wait with -ERR_BADCAP. */
	spin_unlock_irqrestore(&ipc_lock, f);
	kobject_put(&ep->obj);
	f = spin_lock_irqsave(&ipc_lock);
	return ipc_wait_done(s, deadline, f);
}

int64_t ipc_recv(struct endpoint *ep, uint64_t timeout_ns)
{
	struct thread *r = thread_current();
	uint64_t deadline = ipc_deadline(timeout_ns);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	if (ep->closed) { /* before anything changes: the call it owes stays owed */
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return -ERR_CLOSED;
	}
	struct thread *lost = drop_call(r);
	struct thread *s = ipc_waiter(waitq_pop(&ep->senders));
	if (s) {
		s->ipc.queue_obj = NULL;
		transfer(s, r, s->ipc.badge, s->ipc.can_grant);
		bool wake = !s->ipc.is_call;
		if (s->ipc.is_call) {
			take_call(r, s);
		} else {
			s->ipc.state = IPC_IDLE;
			uctx_set_ret(s, 0);
		}
		if (lost)
			ipc_wake_locked(lost);
		if (wake)
			ipc_wake_locked(s);
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return 0;
	}
	if (lost)
		ipc_wake_locked(lost);
	if (timeout_ns == 0) {
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return -ERR_TIMEOUT;
	}
	ipc_queue_receiver(ep, r, deadline == UINT64_MAX);
	spin_unlock_irqrestore(&ipc_lock, f);
	kobject_put(&ep->obj);
	f = spin_lock_irqsave(&ipc_lock);
	return ipc_wait_done(r, deadline, f);
}

/* Answers c with the running thread's message (ipc_lock held). */
static void answer(struct thread *r, struct thread *c, bool grant)
{
	transfer(r, c, 0, grant);
	c->ipc.state = IPC_IDLE;
	c->ipc.replier = NULL;
	c->ipc.reply = NULL;
}

int64_t ipc_reply(void)
{
	struct thread *r = thread_current();
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = r->ipc.caller;
	if (!c) {
		spin_unlock_irqrestore(&ipc_lock, f);
		return -ERR_NOENT;
	}
	int64_t err = check_tag(r, uctx_msg_tag(r), c->ipc.can_grant);
	if (err) {
		spin_unlock_irqrestore(&ipc_lock, f);
		return err;
	}
	r->ipc.caller = NULL;
	answer(r, c, c->ipc.can_grant);
	ipc_wake_locked(c);
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

int64_t ipc_reply_save(void)
{
	struct thread *r = thread_current();
	struct reply *ro;
	if (reply_create(&ro))
		return -ERR_NOMEM;
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = r->ipc.caller;
	cap_handle_t h = 0;
	int err = c ? cspace_insert_root(r->proc->cs, &ro->obj, CAP_RIGHT_SEND, 0, &h) : -ERR_NOENT;
	if (err) {
		spin_unlock_irqrestore(&ipc_lock, f);
		reply_discard(ro);
		return err;
	}
	r->ipc.caller = NULL;
	ro->caller = c;
	ro->grant = c->ipc.can_grant;
	c->ipc.replier = NULL;
	c->ipc.reply = ro;
	spin_unlock_irqrestore(&ipc_lock, f);
	return h;
}

int64_t ipc_reply_to(struct reply *ro)
{
	struct thread *r = thread_current();
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = ro->caller;
	int64_t err = c ? check_tag(r, uctx_msg_tag(r), ro->grant) : -ERR_NOENT;
	if (err) {
		spin_unlock_irqrestore(&ipc_lock, f);
		return err;
	}
	ro->caller = NULL;
	answer(r, c, ro->grant);
	ipc_wake_locked(c);
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

/* ---- IPC buffers and thread exit ------------------------------------------- */

/*
 * The frame is looked up and registered in one p->lock critical section, and
 * memory_unmap removes a mapping and clears the registrations in it in one
 * too: so a registered buffer's frame is always still mapped there, and the
 * kernel never writes a message into a frame that went back to the allocator.
 */
int64_t ipc_buffer_set(uint64_t va)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	if (va % PAGE_SIZE)
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	paddr_t pa = va ? memory_lookup_locked(p, va, ORB_PROT_READ | ORB_PROT_WRITE) : 0;
	if (va && !pa) {
		spin_unlock_irqrestore(&p->lock, f);
		return -ERR_FAULT;
	}
	spin_lock(&ipc_lock);
	t->ipc.buf_va = va;
	t->ipc.buf_pa = pa;
	spin_unlock(&ipc_lock);
	spin_unlock_irqrestore(&p->lock, f);
	return 0;
}

void ipc_buffer_unmapped_locked(struct process *p, uint64_t va, uint64_t end)
{
	spin_lock(&ipc_lock);
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		if (t->ipc.buf_va && t->ipc.buf_va >= va && t->ipc.buf_va < end) {
			t->ipc.buf_va = 0;
			t->ipc.buf_pa = 0;
		}
	}
	spin_unlock(&ipc_lock);
}

void ipc_thread_cleanup(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	switch (t->ipc.state) {
	case IPC_SENDING:
	case IPC_RECEIVING:
	case IPC_NOTIFICATION_WAIT:
		waitq_remove(waitq_of(&t->wait), &t->wait);
		break;
	case IPC_REPLY_WAIT:
		if (t->ipc.replier && t->ipc.replier->ipc.caller == t)
			t->ipc.replier->ipc.caller = NULL;
		if (t->ipc.reply)
			t->ipc.reply->caller = NULL;
		break;
	}
	t->ipc.state = IPC_IDLE;
	t->ipc.queue_obj = NULL;
	t->ipc.replier = NULL;
	t->ipc.reply = NULL;
	struct thread *c = drop_call(t); /* its caller learns the reply is lost */
	if (c)
		ipc_wake_locked(c);
	t->ipc.buf_va = 0;
	t->ipc.buf_pa = 0;
	spin_unlock_irqrestore(&ipc_lock, f);
}
