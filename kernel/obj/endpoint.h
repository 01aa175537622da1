/*
 * Endpoints (CAP_TYPE_ENDPOINT): the rendezvous points of synchronous IPC.
 *
 * An endpoint is two wait queues, the threads sending (and calling) through
 * it and the threads receiving from it; it holds no message itself (the
 * transfer path, ipc/ipc.h, moves each message from thread to thread). Owned
 * here: the record, creation, closing and destruction.
 *
 * Closing. SYS_ENDPOINT_CLOSE ends an endpoint for good (a service that is
 * gone): every thread queued on it, sending, calling or receiving, fails
 * with -ERR_CLOSED, and so does every later send, call or receive through
 * any capability to it (the fast path included). Calls already received
 * are not the endpoint's any more: their replies (implicit or saved) still
 * answer them, or fail them with -ERR_NOENT when lost. When the last
 * reference goes, the threads still queued fail with -ERR_BADCAP.
 *
 * Locking: ipc_lock (ipc/ipc.h) guards both queues and `closed`. Failing
 * the queued threads takes it for at most 64 threads per queue at a time.
 */
#ifndef ORB_OBJ_ENDPOINT_H
#define ORB_OBJ_ENDPOINT_H

#include "obj/kobject.h"
#include "sched/waitq.h"

struct endpoint {
	struct kobject obj;
	struct waitq senders;	/* ipc_lock: IPC_SENDING threads */
	struct waitq receivers; /* ipc_lock: IPC_RECEIVING threads */
	bool closed;		/* ipc_lock: ended by SYS_ENDPOINT_CLOSE (never reopens) */
};

/* A new endpoint with no reference yet. -ERR_NOMEM. */
int endpoint_create(struct endpoint **out);

/* SYS_ENDPOINT_CLOSE: closes ep and fails its waiting threads with
 * -ERR_CLOSED. Closing a closed endpoint does nothing. */
void endpoint_close(struct endpoint *ep);

#endif
