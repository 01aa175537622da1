/*
 * The capability system calls: identify, derive, delete, revoke in the
 * caller's cspace, and grant and move into another process's cspace
 * (SYS_CAP_*; the rules are cspace.h's, the ABI docs/syscalls.md's).
 *
 * Decoding here checks the handle's range and the other plain arguments; the
 * capability a handle names is checked by the cspace operation itself, under
 * the lock that also makes its change (cspace.h lists each one's checks in
 * order), so nothing can come between the check and the act. Those
 * operations fail whole or not at all.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "obj/process.h"
#include "mm/usercopy.h"
#include "lib/string.h"

/* (h, struct cap_info *out) -> 0 */
int64_t sys_cap_identify(const struct syscall_args *a)
{
	cap_handle_t h;
	struct cap_info info;
	memset(&info, 0, sizeof(info)); /* no stack bytes out through the padding */
	int err = decode_handle(a->a0, &h);
	if (!err)
		err = cap_identify(sys_caller()->cs, h, &info);
	if (!err && !user_range_ok(a->a1, sizeof(info)))
		err = -ERR_FAULT;
	if (err)
		return err;

	return copy_to_user(a->a1, &info, sizeof(info));
}

/* (h, rights, badge) -> new handle */
int64_t sys_cap_derive(const struct syscall_args *a)
{
	cap_handle_t h, nh;
	int err = decode_handle(a->a0, &h);
	if (err)
		return err;
	if (a->a1 > CAP_RIGHTS_ALL)
		return -ERR_INVAL;

	struct cspace *cs = sys_caller()->cs;
	err = cap_derive(cs, h, cs, (uint32_t)a->a1, a->a2, &nh);
	return err ? err : (int64_t)nh;
}

/* (h) -> 0 */
int64_t sys_cap_delete(const struct syscall_args *a)
{
	cap_handle_t h;
	int err = decode_handle(a->a0, &h);
	if (err)
		return err;

	return cap_delete(sys_caller()->cs, h);
}

/* (h) -> number of capabilities removed */
int64_t sys_cap_revoke(const struct syscall_args *a)
{
	cap_handle_t h;
	size_t removed = 0;
	int err = decode_handle(a->a0, &h);
	if (err)
		return err;

	err = cap_revoke(sys_caller()->cs, h, &removed);
	return err ? err : (int64_t)removed;
}

/*
 * Grant and move share their first two arguments: a Process with MANAGE and a
 * handle in the caller's cspace. On success the caller holds a reference to
 * the process.
 */
static int decode_transfer(const struct syscall_args *a, struct process **p, cap_handle_t *h)
{
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, p);
	if (err)
		return err;
	err = decode_handle(a->a1, h);
	if (err)
		kobject_put(&(*p)->obj);
	return err;
}

/*
 * Locks p for a transfer into its cspace: p->lock, which p's tear-down takes
 * to detach p->cs, so a process that is not ALIVE takes no new capability.
 * Returns false (p unlocked) if p is no longer alive.
 */
static bool transfer_lock(struct process *p, irqflags_t *f)
{
	*f = spin_lock_irqsave(&p->lock);
	if (p->state == PROC_ALIVE && p->cs)
		return true;
	spin_unlock_irqrestore(&p->lock, *f);
	return false;
}

/* After a transfer into p (err its outcome): drops the caller's reference. */
static int64_t transfer_done(struct process *p, int err, cap_handle_t nh)
{
	if (!err) /* the capability may have been p's last way out (kobject.h, "Homes") */
		kobject_check_orphan(&p->obj, 1);
	kobject_put(&p->obj);
	return err ? err : (int64_t)nh;
}

/*
 * SYS_CAP_GRANT (grant: a child of h with rights a2 and badge a3) and
 * SYS_CAP_MOVE (h itself) into the cspace of the process a0 names.
 */
static int64_t transfer(const struct syscall_args *a, bool grant)
{
	struct process *p;
	cap_handle_t h, nh = 0;
	irqflags_t f;
	int err = decode_transfer(a, &p, &h);
	if (err)
		return err;
	if (grant && a->a2 > CAP_RIGHTS_ALL) {
		kobject_put(&p->obj);
		return -ERR_INVAL;
	}

	if (!transfer_lock(p, &f))
		return transfer_done(p, -ERR_DEAD, 0);
	if (grant)
		err = cap_derive(sys_caller()->cs, h, p->cs, (uint32_t)a->a2, a->a3, &nh);
	else
		err = cap_move(sys_caller()->cs, h, p->cs, &nh);
	spin_unlock_irqrestore(&p->lock, f);
	return transfer_done(p, err, nh);
}

/* (proc [MANAGE], h, rights, badge) -> handle in proc's cspace (a child of h) */
int64_t sys_cap_grant(const struct syscall_args *a)
{
	return transfer(a, true);
}

/* (proc [MANAGE], h) -> handle in proc's cspace; h becomes stale */
int64_t sys_cap_move(const struct syscall_args *a)
{
	return transfer(a, false);
}
