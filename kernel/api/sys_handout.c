/*
 * Handing out new objects to the calling process, charged to its quota (see
 * sys_handout.h). The object modules make objects; this file decides who pays
 * for them and where their first capability goes.
 */
#include "api/sys_handout.h"
#include "api/sys_decode.h"
#include "obj/process.h"
#include "obj/quota.h"

int handout_charge(uint64_t bytes)
{
	return quota_charge(sys_caller()->quota, bytes);
}

int64_t handout(struct kobject *obj, uint32_t rights)
{
	cap_handle_t h;
	kobject_get(obj);
	int err = cspace_insert_root(sys_caller()->cs, obj, rights, 0, &h);
	kobject_put(obj); /* (the object is destroyed here if no slot was free) */
	return err ? err : (int64_t)h;
}

int64_t handout_charged(int err, struct kobject *obj, uint64_t bytes, uint32_t rights)
{
	struct quota *q = sys_caller()->quota;
	if (err) {
		quota_uncharge(q, bytes);
		return err;
	}
	quota_attach(obj, q, bytes);
	return handout(obj, rights);
}
