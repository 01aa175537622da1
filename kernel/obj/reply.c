/*
 * Reply objects: the record, its allocation and destruction (see reply.h).
 * Saving a pending reply into one and answering through it are the transfer
 * path's (ipc_reply_save, ipc_reply_to in ipc/ipc.c).
 */
#include "obj/reply.h"
#include "ipc/ipc.h"
#include "mm/heap.h"
#include "arch/context.h"
#include <orbital/errors.h>

static void reply_destroy(struct kobject *obj)
{
	struct reply *r = container_of(obj, struct reply, obj);
	irqflags_t f = spin_lock_irqsave(&ipc_lock);
	struct thread *c = r->caller;
	if (c) { /* never answered: the caller learns the reply is lost */
		c->ipc.reply = NULL;
		c->ipc.state = IPC_IDLE;
		uctx_set_ret(c, -ERR_NOENT);
		ipc_wake_locked(c);
	}
	spin_unlock_irqrestore(&ipc_lock, f);
	kfree(r);
}

int reply_create(struct reply **out)
{
	struct reply *r = kzalloc(sizeof(*r));
	if (!r)
		return -ERR_NOMEM;
	kobject_init(&r->obj, CAP_TYPE_REPLY, reply_destroy);
	*out = r;
	return 0;
}

void reply_discard(struct reply *r)
{
	kfree(r);
}
