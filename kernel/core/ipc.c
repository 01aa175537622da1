/*
 * Endpoints, replies and notifications: the general IPC path (see ipc.h).
 */
#include "core/ipc.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/time.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "lib/panic.h"
#include <arch/uctx.h>
#include <orbital/errors.h>
#include <orbital/ipc.h>
#include <orbital/syscall.h>

struct spinlock ipc_lock = SPINLOCK_INIT("ipc");
void (*ipc_wake_hook)(struct thread *t);

static struct thread *wait_thread(struct wait_node *n)
{
	return n ? container_of(n, struct thread, wait) : NULL;
}

uint64_t ipc_deadline(uint64_t timeout_ns)
{
	if (timeout_ns == IPC_TIMEOUT_NEVER)
		return UINT64_MAX;
	uint64_t now = time_now_ns();
	return timeout_ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + timeout_ns;
}

/*
 * Wakes t, which the caller has just ended the IPC wait of (ipc_lock held).
 *
 * Always with ipc_lock still held: t may run meanwhile for another reason
 * (its deadline, a kill), but it cannot leave the wait, and so cannot end and
 * be freed, without taking ipc_lock first (wait_done, ipc_resume_blocked,
 * ipc_thread_cleanup). Waking after the unlock would let it: the wake would
 * then write into a freed thread. Order: ipc_lock, then sched_wake's rq_lock.
 */
static void wake_locked(struct thread *t)
{
	if (ipc_wake_hook)
		ipc_wake_hook(t);
	sched_wake(t);
}

/* ---- Objects ------------------------------------------------------------ */

/* Ends t's wait with status err (ipc_lock held; t is queued on wq). */
static void fail_waiter(struct waitq *wq, struct thread *t, int64_t err)
{
	waitq_remove(wq, &t->wait);
	t->ipc.state = IPC_IDLE;
	t->ipc.queue_obj = NULL;
	uctx_set_ret(t, err);
}

/* Fails every thread queued on ep with err, at most 64 per queue per hold of
 * ipc_lock. close: marks ep closed first, in the same critical section as the
 * first batch, so no thread queues after it. */
static void endpoint_fail_all(struct endpoint *ep, int64_t err, bool close)
{
	size_t n[2];
	do {
		irqflags_t f = spin_lock_irqsave(&ipc_lock);
		if (close)
			ep->closed = true;
		n[0] = n[1] = 0;
		struct waitq *qs[2] = {&ep->senders, &ep->receivers};
		for (int q = 0; q < 2; q++) {
			struct thread *t;
			while (n[q] < 64 && (t = wait_thread(waitq_peek(qs[q])))) {
				fail_waiter(qs[q], t, err);
				wake_locked(t);
				n[q]++;
			}
		}
		spin_unlock_irqrestore(&ipc_lock, f);
	} while (n[0] == 64 || n[1] == 64);
}

void endpoint_close(struct endpoint *ep)
{
	endpoint_fail_all(ep, -ERR_CLOSED, true);
}

static void endpoint_destroy(struct kobject *obj)
{
	struct endpoint *ep = container_of(obj, struct endpoint, obj);
	/* Wake everyone still waiting on it: their capability is gone. */
	endpoint_fail_all(ep, -ERR_BADCAP, false);
	kfree(ep);
}

int endpoint_create(struct endpoint **out)
{
	if (!mem_reserve_ok(1))
		return -ERR_NOMEM;
	struct endpoint *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ERR_NOMEM;
	waitq_init(&ep->senders);
	waitq_init(&ep->receivers);
	kobject_init(&ep->obj, CAP_TYPE_ENDPOINT, endpoint_destroy);
	*out = ep;
	return 0;
}

static void notification_destroy(struct kobject *obj)
{
	struct notification *n = container_of(obj, struct notification, obj);
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_lock);
		struct thread *t = wait_thread(waitq_peek(&n->waiters));
		if (t) {
			fail_waiter(&n->waiters, t, -ERR_BADCAP);
			wake_locked(t);
		}
		spin_unlock_irqrestore(&ipc_lock, f);
		if (!t)
			break;
	}
	kfree(n);
}

int notification_create(struct notification **out)
{
	if (!mem_reserve_ok(1))
		return -ERR_NOMEM;
	struct notification *n = kzalloc(sizeof(*n));
	if (!n)
		return -ERR_NOMEM;
	waitq_init(&n->waiters);
	kobject_init(&n->obj, CAP_TYPE_NOTIFICATION, notification_destroy);
	*out = n;
	return 0;
}

static void reply_destroy(struct kobject *obj)
{
	struct reply_obj *r = container_of(obj, struct reply_obj, obj);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = r->caller;
	if (c) { /* never answered: the caller learns the reply is lost */
		c->ipc.reply = NULL;
		c->ipc.state = IPC_IDLE;
		uctx_set_ret(c, -ERR_NOENT);
		wake_locked(c);
	}
	spin_unlock_irqrestore(&ipc_lock, f);
	kfree(r);
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
	uint64_t out = IPC_TAG(IPC_TAG_LABEL(tag), nwords, got) | (lost ? IPC_TAG_CAPS_LOST : 0);
	uctx_deliver(r, badge, out, w);
}

/*
 * Waits until t's IPC operation completes (ipc_lock held on entry, released
 * on return). t is queued (or waits for a reply) with t->ipc.state set.
 * Returns the status its waker left, -ERR_TIMEOUT, or -ERR_BUSY if its
 * process is being killed.
 */
static int64_t wait_done(struct thread *t, uint64_t deadline, irqflags_t f)
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
		/* Wakers change t->ipc.state and wake t under ipc_lock (wake_locked),
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
	uctx_set_ret(t, wait_done(t, UINT64_MAX, f));
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
	struct thread *r = wait_thread(waitq_pop(&ep->receivers));
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
			wake_locked(lost);
		wake_locked(r);
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		if (!call)
			return 0;
		/* A call: wait for the reply (r runs meanwhile). */
		f = spin_lock_irqsave(&ipc_lock);
		return wait_done(s, deadline, f);
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
	return wait_done(s, deadline, f);
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
	struct thread *s = wait_thread(waitq_pop(&ep->senders));
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
			wake_locked(lost);
		if (wake)
			wake_locked(s);
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return 0;
	}
	if (lost)
		wake_locked(lost);
	if (timeout_ns == 0) {
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&ep->obj);
		return -ERR_TIMEOUT;
	}
	ipc_queue_receiver(ep, r, deadline == UINT64_MAX);
	spin_unlock_irqrestore(&ipc_lock, f);
	kobject_put(&ep->obj);
	f = spin_lock_irqsave(&ipc_lock);
	return wait_done(r, deadline, f);
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
	wake_locked(c);
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

int64_t ipc_reply_save(void)
{
	struct thread *r = thread_current();
	struct reply_obj *ro = kzalloc(sizeof(*ro));
	if (!ro)
		return -ERR_NOMEM;
	kobject_init(&ro->obj, CAP_TYPE_REPLY, reply_destroy);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = r->ipc.caller;
	cap_handle_t h = 0;
	int err = c ? cspace_insert_root(r->proc->cs, &ro->obj, CAP_RIGHT_SEND, 0, &h) : -ERR_NOENT;
	if (err) {
		spin_unlock_irqrestore(&ipc_lock, f);
		kfree(ro);
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

int64_t ipc_reply_to(struct reply_obj *ro)
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
	wake_locked(c);
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

/* ---- Notifications -------------------------------------------------------- */

int64_t ntfn_signal(struct notification *n, uint64_t bits)
{
	bits &= NTFN_WORD_MASK;
	if (!bits)
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	n->word |= bits;
	struct thread *t = wait_thread(waitq_pop(&n->waiters));
	if (t) {
		t->ipc.state = IPC_IDLE;
		t->ipc.queue_obj = NULL;
		uctx_set_ret(t, (int64_t)n->word);
		n->word = 0;
		wake_locked(t);
	}
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

int64_t ntfn_wait(struct notification *n, uint64_t timeout_ns)
{
	struct thread *t = thread_current();
	uint64_t deadline = ipc_deadline(timeout_ns);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	if (n->word || timeout_ns == 0) {
		int64_t w = n->word ? (int64_t)n->word : -ERR_TIMEOUT;
		n->word = 0;
		spin_unlock_irqrestore(&ipc_lock, f);
		kobject_put(&n->obj);
		return w;
	}
	t->ipc.state = IPC_NTFN_WAIT;
	t->ipc.queue_obj = n;
	t->wait.prio = t->node.prio;
	waitq_add(&n->waiters, &t->wait);
	spin_unlock_irqrestore(&ipc_lock, f);
	kobject_put(&n->obj);
	f = spin_lock_irqsave(&ipc_lock);
	return wait_done(t, deadline, f);
}

/* ---- IPC buffers and thread exit ------------------------------------------- */

/*
 * The frame is looked up and registered in one p->lock critical section, and
 * memobj_unmap removes a mapping and clears the registrations in it in one
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
	paddr_t pa = va ? memobj_lookup_locked(p, va, ORB_PROT_READ | ORB_PROT_WRITE) : 0;
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
	case IPC_NTFN_WAIT:
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
		wake_locked(c);
	t->ipc.buf_va = 0;
	t->ipc.buf_pa = 0;
	spin_unlock_irqrestore(&ipc_lock, f);
}
