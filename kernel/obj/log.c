/*
 * The Log object (see log.h): one statically allocated kobject of type
 * CAP_TYPE_LOG. It starts with a reference that is the kernel's own and is
 * never dropped, so deleting every capability to it never destroys it (and
 * it has no destroy callback).
 */
#include "obj/log.h"

/* refs is guarded by cap_lock, like every kobject's. */
static struct kobject log_obj = {.type = CAP_TYPE_LOG, .refs = 1, .destroy = NULL};

struct kobject *log_get(void)
{
	return &log_obj;
}
