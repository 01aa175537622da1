/*
 * Endpoints: the record, creation, closing and destruction (see endpoint.h).
 * Sending and receiving through one is the transfer path's (ipc/ipc.c).
 */
#include "obj/endpoint.h"
#include "obj/memory.h"
#include "ipc/ipc.h"
#include "mm/heap.h"
#include <orbital/errors.h>

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
			while (n[q] < 64 && (t = ipc_waiter(waitq_peek(qs[q])))) {
				ipc_fail_waiter_locked(qs[q], t, err);
				ipc_wake_locked(t);
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
