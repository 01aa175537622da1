/*
 * The quota system calls: SYS_QUOTA_CREATE and SYS_QUOTA_INFO (see
 * obj/quota.h for the model, docs/syscalls.md for the calls).
 *
 * Trust boundary: a quota argument is 0 (the caller's own quota) or a handle
 * that must name a Quota capability with the right the call needs
 * (decode_quota); the limit is any 64-bit value (quota_create_child refuses
 * what does not fit, overflow included, before it reserves anything); the
 * info pointer is reached only through copy_to_user.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "api/sys_handout.h"
#include "obj/quota.h"
#include "mm/usercopy.h"
#include <orbital/quota.h>

/* (parent quota [MANAGE] or 0 = the caller's, limit bytes) -> handle [all rights] */
int64_t sys_quota_create(const struct syscall_args *a)
{
	struct quota *parent, *q;
	int err = decode_quota(a->a0, CAP_RIGHT_MANAGE, &parent);
	if (err)
		return err;

	err = quota_create_child(parent, a->a1, &q);
	kobject_put(&parent->obj);
	return err ? err : handout(&q->obj, CAP_RIGHTS_ALL);
}

/* (quota [READ] or 0 = the caller's, struct orb_quota_info *out) -> 0 */
int64_t sys_quota_info(const struct syscall_args *a)
{
	struct quota *q;
	int err = decode_quota(a->a0, CAP_RIGHT_READ, &q);
	if (err)
		return err;

	struct orb_quota_info info = {.limit = q->limit, .used = quota_used(q)};
	kobject_put(&q->obj);
	return copy_to_user(a->a1, &info, sizeof(info));
}
