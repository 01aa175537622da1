/*
 * The IPC system calls on their general path: making endpoints and
 * notifications, send / call / receive / reply in their blocking forms,
 * saved replies, notification signal and wait, closing an endpoint, and the
 * thread's IPC buffer. The transfer itself is ipc/ipc.c's; SYS_CALL and
 * SYS_REPLY_RECV between two ready threads are usually taken by the fast path
 * (ipc/fastpath.c) before they reach the dispatcher, with the same results.
 *
 * Decoding looks up the endpoint, notification or reply with the right the
 * call needs; the message itself (registers and IPC buffer) is the transfer
 * path's to read. ipc_send, ipc_recv and notification_wait consume the
 * reference decoding took (they drop it before blocking); the other calls
 * drop it here.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "api/sys_handout.h"
#include "ipc/ipc.h"
#include "obj/endpoint.h"
#include "obj/notification.h"
#include "obj/reply.h"
#include "obj/process.h"
#include "obj/quota.h"
#include "arch/context.h"

/* () -> handle with every endpoint right */
int64_t sys_endpoint_create(const struct syscall_args *a)
{
	struct endpoint *ep = NULL;
	uint64_t bytes = quota_heap_bytes(sizeof(*ep));
	int err = handout_charge(bytes);
	if (err)
		return err;
	err = endpoint_create(&ep);
	return handout_charged(err, ep ? &ep->obj : NULL, bytes,
			       CAP_RIGHT_SEND | CAP_RIGHT_RECV | CAP_RIGHT_GRANT |
				   CAP_RIGHT_MANAGE);
}

/* () -> handle with every notification right */
int64_t sys_ntfn_create(const struct syscall_args *a)
{
	struct notification *n = NULL;
	uint64_t bytes = quota_heap_bytes(sizeof(*n));
	int err = handout_charge(bytes);
	if (err)
		return err;
	err = notification_create(&n);
	return handout_charged(err, n ? &n->obj : NULL, bytes, CAP_RIGHT_SEND | CAP_RIGHT_RECV);
}

/* An endpoint argument (with the capability's badge and rights if asked for). */
static int decode_endpoint(uint64_t v, uint32_t rights, struct endpoint **ep, uint64_t *badge,
			   uint32_t *have)
{
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_ENDPOINT, rights, &o, badge, have);
	if (!err)
		*ep = container_of(o, struct endpoint, obj);
	return err;
}

/* The sending calls: ep [SEND]; the message is in the caller's registers. */
static int64_t send_common(const struct syscall_args *a, bool call, bool nonblocking)
{
	struct endpoint *ep;
	uint64_t badge = 0;
	uint32_t have = 0;
	int err = decode_endpoint(a->a0, CAP_RIGHT_SEND, &ep, &badge, &have);
	if (err)
		return err;

	return ipc_send(ep, badge, (have & CAP_RIGHT_GRANT) != 0, call, nonblocking,
			uctx_msg_timeout(thread_current()));
}

int64_t sys_send(const struct syscall_args *a)
{
	return send_common(a, false, false);
}

int64_t sys_nb_send(const struct syscall_args *a)
{
	return send_common(a, false, true);
}

int64_t sys_call(const struct syscall_args *a)
{
	return send_common(a, true, false);
}

/* ep [RECV] */
int64_t sys_recv(const struct syscall_args *a)
{
	struct endpoint *ep;
	int err = decode_endpoint(a->a0, CAP_RIGHT_RECV, &ep, NULL, NULL);
	if (err)
		return err;

	return ipc_recv(ep, uctx_msg_timeout(thread_current()));
}

/*
 * ep [RECV]: replies to the pending call, if there is one, then receives. The
 * reply is a whole step of its own: if it fails (other than finding the
 * caller gone, -ERR_NOENT), nothing is received and its error is the result.
 */
int64_t sys_reply_recv(const struct syscall_args *a)
{
	struct thread *t = thread_current();
	struct endpoint *ep;
	int err = decode_endpoint(a->a0, CAP_RIGHT_RECV, &ep, NULL, NULL);
	if (err)
		return err;

	if (t->ipc.caller) {
		err = (int)ipc_reply();
		if (err && err != -ERR_NOENT) {
			kobject_put(&ep->obj);
			return err;
		}
	}
	return ipc_recv(ep, uctx_msg_timeout(t));
}

/* Replies to the last call received by this thread. */
int64_t sys_reply(const struct syscall_args *a)
{
	return ipc_reply();
}

/* () -> Reply handle. The saved Reply object is charged to the caller's quota. */
int64_t sys_reply_save(const struct syscall_args *a)
{
	struct process *me = sys_caller();
	uint64_t bytes = quota_heap_bytes(sizeof(struct reply));
	int err = handout_charge(bytes);
	if (err)
		return err;

	int64_t h = ipc_reply_save();
	struct kobject *o;
	if (h < 0 || cap_lookup_obj(me->cs, (cap_handle_t)h, CAP_TYPE_REPLY, 0, &o, NULL)) {
		quota_uncharge(me->quota, bytes); /* (or already deleted by another thread) */
		return h;
	}
	quota_attach(o, me->quota, bytes);
	kobject_put(o);
	return h;
}

/* (reply [SEND]) like SYS_REPLY, through a saved Reply, which is used up. */
int64_t sys_reply_to(const struct syscall_args *a)
{
	struct cspace *cs = sys_caller()->cs;
	cap_handle_t h;
	struct kobject *o;
	int err = decode_handle(a->a0, &h);
	if (!err)
		err = cap_lookup_obj(cs, h, CAP_TYPE_REPLY, CAP_RIGHT_SEND, &o, NULL);
	if (err)
		return err;

	int64_t r = ipc_reply_to(container_of(o, struct reply, obj));
	kobject_put(o);
	if (r == 0 || r == -ERR_NOENT)
		cap_delete(cs, h); /* one-shot: used up */
	return r;
}

/* (ntfn [SEND], bits) -> 0. A badged capability signals its badge, not bits:
 * a badge cannot be forged. */
int64_t sys_ntfn_signal(const struct syscall_args *a)
{
	struct notification *n;
	uint64_t badge = 0;
	int err = decode_notification(a->a0, CAP_RIGHT_SEND, &n, &badge);
	if (err)
		return err;

	int64_t r = notification_signal(n, badge ? badge : a->a1);
	kobject_put(&n->obj);
	return r;
}

/* (ntfn [RECV], timeout ns) -> the word */
int64_t sys_ntfn_wait(const struct syscall_args *a)
{
	struct notification *n;
	int err = decode_notification(a->a0, CAP_RIGHT_RECV, &n, NULL);
	if (err)
		return err;

	return notification_wait(n, a->a1);
}

/* (ep [MANAGE]) -> 0 */
int64_t sys_endpoint_close(const struct syscall_args *a)
{
	struct endpoint *ep;
	int err = decode_endpoint(a->a0, CAP_RIGHT_MANAGE, &ep, NULL, NULL);
	if (err)
		return err;

	endpoint_close(ep);
	kobject_put(&ep->obj);
	return 0;
}

/* (vaddr) -> 0: the page is ipc_buffer_set's to check, under the process's lock. */
int64_t sys_ipc_buffer(const struct syscall_args *a)
{
	return ipc_buffer_set(a->a0);
}
