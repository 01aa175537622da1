/*
 * I/O-port objects: creation and destruction (see ioports.h). Opening the
 * ports for a process is the arch layer's (arch_ioports_enable).
 */
#include "obj/ioports.h"
#include "mm/heap.h"
#include <orbital/errors.h>

static void ioports_destroy(struct kobject *obj)
{
	kfree(container_of(obj, struct ioports, obj));
}

int ioports_create(uint32_t base, uint32_t count, struct ioports **out)
{
	if (count == 0 || base > 0xffff || count > 0x10000 - base)
		return -ERR_INVAL;
	struct ioports *io = kzalloc(sizeof(*io));
	if (!io)
		return -ERR_NOMEM;
	io->base = base;
	io->count = count;
	kobject_init(&io->obj, CAP_TYPE_IOPORTS, ioports_destroy);
	*out = io;
	return 0;
}
