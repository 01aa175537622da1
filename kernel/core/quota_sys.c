/*
 * The quota system calls: SYS_QUOTA_CREATE and SYS_QUOTA_INFO, and the
 * decoding of a quota argument that SYS_PROC_CREATE shares (see quota.h for
 * the model, docs/syscalls.md for the calls).
 *
 * Trust boundary: a quota argument is 0 (the caller's own quota) or a handle
 * that must name a Quota capability with the right the call needs; the
 * limit is any 64-bit value (quota_create_child refuses what does not fit,
 * overflow included); the info pointer is reached only through copy_to_user.
 */
#include "core/quota.h"
#include "core/process.h"
#include "core/usercopy.h"
#include "core/sched.h"
#include <orbital/errors.h>
#include <orbital/quota.h>
#include <orbital/syscall.h>

int quota_lookup_arg(uint64_t v, uint32_t rights, struct quota **out)
{
	struct process *me = thread_current()->proc;
	if (v == 0) { /* the caller's own: it may use it as it pleases */
		if (!me->quota)
			return -ERR_BADCAP;
		kobject_get(&me->quota->obj);
		*out = me->quota;
		return 0;
	}
	if (v > 0x7fffffffu)
		return -ERR_BADCAP;
	struct kobject *o;
	int err = cap_lookup_obj(me->cs, (cap_handle_t)v, CAP_TYPE_QUOTA, rights, &o, NULL);
	if (!err)
		*out = container_of(o, struct quota, obj);
	return err;
}

static int64_t sys_quota_create(uint64_t pv, uint64_t limit)
{
	struct quota *parent, *q;
	int err = quota_lookup_arg(pv, CAP_RIGHT_MANAGE, &parent);
	if (err)
		return err;
	err = quota_create_child(parent, limit, &q);
	kobject_put(&parent->obj);
	if (err)
		return err;
	cap_handle_t h;
	kobject_get(&q->obj);
	err = cspace_insert_root(thread_current()->proc->cs, &q->obj, CAP_RIGHTS_ALL, 0, &h);
	kobject_put(&q->obj); /* (destroyed here if no slot was free) */
	return err ? err : (int64_t)h;
}

static int64_t sys_quota_info(uint64_t qv, uint64_t out)
{
	struct quota *q;
	int err = quota_lookup_arg(qv, CAP_RIGHT_READ, &q);
	if (err)
		return err;
	struct orb_quota_info info = {.limit = q->limit, .used = quota_used(q)};
	kobject_put(&q->obj);
	return copy_to_user(out, &info, sizeof(info));
}

int64_t sys_quota(uint64_t nr, uint64_t a0, uint64_t a1)
{
	switch (nr) {
	case SYS_QUOTA_CREATE:
		return sys_quota_create(a0, a1);
	case SYS_QUOTA_INFO:
		return sys_quota_info(a0, a1);
	}
	return -ERR_NOSYS;
}
