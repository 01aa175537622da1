/*
 * I/O-port objects (CAP_TYPE_IOPORTS, "IoPorts" to user space): the right to
 * use the x86 I/O ports [base, base + count). The kernel gives init one
 * capability for the whole port space; init hands narrower ones to the
 * drivers it starts.
 *
 * An IoPorts object never changes. SYS_IOPORT_SUB makes one for a part of
 * the range; SYS_IOPORT_ENABLE lets the calling process use its ports: the
 * kernel opens them in the process's I/O permission bitmap, which the CPU
 * checks on every in/out (arch: ioperm.c). Any other port raises #GP, which
 * kills the process like any fault.
 *
 * Locking: none for the object (immutable once made); a process's bitmap is
 * guarded by its lock (p->lock).
 */
#ifndef ORB_OBJ_IOPORTS_H
#define ORB_OBJ_IOPORTS_H

#include "obj/kobject.h"
#include "arch/ioports.h" /* arch_ioports_enable/release, which act on these */

struct process;

struct ioports {
	struct kobject obj;
	uint32_t base;	/* first port */
	uint32_t count; /* 1..65536, base + count <= 65536 */
};

/* A new object for [base, base + count), with no reference yet. -ERR_INVAL
 * for an empty range or one past port 0xffff; -ERR_NOMEM. */
int ioports_create(uint32_t base, uint32_t count, struct ioports **out);

#endif
