/*
 * Notifications: the record, creation, destruction, signal and wait (see
 * notification.h). Blocking and waking go through the IPC path's helpers
 * (ipc/ipc.h), so a thread waiting here ends its wait like any IPC wait.
 */
#include "obj/notification.h"
#include "obj/memory.h"
#include "ipc/ipc.h"
#include "mm/heap.h"
#include "arch/context.h"
#include <orbital/errors.h>

static void notification_destroy(struct kobject *obj)
{
	struct notification *n = container_of(obj, struct notification, obj);
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_lock);
		struct thread *t = ipc_waiter(waitq_peek(&n->waiters));
		if (t) {
			ipc_fail_waiter_locked(&n->waiters, t, -ERR_BADCAP);
			ipc_wake_locked(t);
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

int64_t notification_signal(struct notification *n, uint64_t bits)
{
	bits &= NOTIFICATION_WORD_MASK;
	if (!bits)
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	n->word |= bits;
	struct thread *t = ipc_waiter(waitq_pop(&n->waiters));
	if (t) {
		t->ipc.state = IPC_IDLE;
		t->ipc.queue_obj = NULL;
		uctx_set_ret(t, (int64_t)n->word);
		n->word = 0;
		ipc_wake_locked(t);
	}
	spin_unlock_irqrestore(&ipc_lock, f);
	return 0;
}

int64_t notification_wait(struct notification *n, uint64_t timeout_ns)
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
	t->ipc.state = IPC_NOTIFICATION_WAIT;
	t->ipc.queue_obj = n;
	t->wait.prio = t->node.prio;
	waitq_add(&n->waiters, &t->wait);
	spin_unlock_irqrestore(&ipc_lock, f);
	kobject_put(&n->obj);
	f = spin_lock_irqsave(&ipc_lock);
	return ipc_wait_done(t, deadline, f);
}
