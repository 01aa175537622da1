/*
 * Reply objects (CAP_TYPE_REPLY): a call's pending reply, saved as a
 * capability.
 *
 * The receiver of a call holds an implicit, one-shot reply (its thread's
 * ipc.caller). SYS_REPLY_SAVE turns it into a Reply object, named by a
 * capability in the receiver's cspace, so the call can be answered later,
 * by any thread holding the capability, with SYS_REPLY_TO (ipc/ipc.c does
 * both). A reply answers once. If the last reference to a Reply object
 * goes before it answered, the caller learns the reply is lost: its call
 * fails with -ERR_NOENT. Owned here: the record, its allocation and its
 * destruction.
 *
 * Locking: ipc_lock (ipc/ipc.h) guards `caller` (and the caller's
 * thread_ipc.reply, which points back here); `grant` is fixed once the
 * object is filled in, before a capability names it.
 */
#ifndef ORB_OBJ_REPLY_H
#define ORB_OBJ_REPLY_H

#include "obj/kobject.h"

struct thread;

struct reply {
	struct kobject obj;
	struct thread *caller; /* ipc_lock: the caller waiting for this reply, or NULL */
	bool grant;	       /* the call was made with GRANT: the reply may carry caps */
};

/* A new Reply object answering nobody yet, with no reference. -ERR_NOMEM. */
int reply_create(struct reply **out);

/* Frees a Reply object that no capability ever named (its destroy does not
 * run: it had no caller to tell). */
void reply_discard(struct reply *r);

#endif
