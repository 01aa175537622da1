/*
 * The decoding the system call handlers share (see sys_decode.h): handles,
 * capabilities of a type with a right, and quota arguments. Side-effect free
 * but for the references returned.
 *
 * Trust boundary: every value comes from a user register; a handle is
 * range-checked before it is used as one.
 */
#include "api/sys_decode.h"
#include "obj/notification.h"
#include "obj/process.h"
#include "obj/quota.h"
#include <orbital/errors.h>

int decode_handle(uint64_t v, cap_handle_t *h)
{
	if (v > 0x7fffffffu)
		return -ERR_BADCAP;
	*h = (cap_handle_t)v;
	return 0;
}

int decode_cap(uint64_t v, enum cap_type type, uint32_t rights, struct kobject **obj,
	       uint64_t *badge, uint32_t *have)
{
	cap_handle_t h;
	int err = decode_handle(v, &h);
	if (err)
		return err;
	struct cspace *cs = sys_caller()->cs;
	if (have) {
		struct cap_info info;
		err = cap_identify(cs, h, &info);
		if (err)
			return err;
		*have = info.rights;
	}
	return cap_lookup_obj(cs, h, type, rights, obj, badge);
}

int decode_process(uint64_t v, uint32_t rights, struct process **out)
{
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_PROCESS, rights, &o, NULL, NULL);
	if (!err)
		*out = container_of(o, struct process, obj);
	return err;
}

int decode_notification(uint64_t v, uint32_t rights, struct notification **out, uint64_t *badge)
{
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_NOTIFICATION, rights, &o, badge, NULL);
	if (!err)
		*out = container_of(o, struct notification, obj);
	return err;
}

int decode_quota(uint64_t v, uint32_t rights, struct quota **out)
{
	struct process *me = sys_caller();
	if (v == 0) {
		if (!me->quota)
			return -ERR_BADCAP;
		kobject_get(&me->quota->obj);
		*out = me->quota;
		return 0;
	}
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_QUOTA, rights, &o, NULL, NULL);
	if (!err)
		*out = container_of(o, struct quota, obj);
	return err;
}
