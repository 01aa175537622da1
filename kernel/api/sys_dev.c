/*
 * The device system calls, for drivers in user space: binding and
 * acknowledging interrupt lines, I/O-port ranges (enable, sub-range),
 * rebooting or halting the machine, and taking the screen over from the
 * kernel (SYS_IRQ_*, SYS_IOPORT_*, SYS_POWER, SYS_SCREEN_TAKE). The objects
 * and their rules are obj/irq.h's and obj/ioports.h's; the hardware is the
 * arch layer's.
 *
 * Authority is the capability alone: an IRQ capability for its line, an
 * IoPorts capability for its range (SYS_POWER needs one covering every
 * port: whoever may touch every port can reset the machine anyway), the
 * screen's Memory capability with WRITE for the screen. Decoding checks
 * each, and each range against the capability's, before anything is done.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "api/sys_handout.h"
#include "boot/userinit.h"
#include "obj/ioports.h"
#include "obj/irq.h"
#include "obj/notification.h"
#include "obj/process.h"
#include "obj/quota.h"
#include "arch/screen.h"
#include "arch/power.h"

#define IOPORTS_ALL 0x10000u /* the number of I/O ports */

/* (screen Memory [WRITE]) -> 0 */
int64_t sys_screen_take(const struct syscall_args *a)
{
	struct kobject *o;
	int err = decode_cap(a->a0, CAP_TYPE_MEMORY, CAP_RIGHT_WRITE, &o, NULL, NULL);
	if (err)
		return err;
	if (o != userinit_screen()) {
		kobject_put(o);
		return -ERR_BADCAP; /* not the screen */
	}

	arch_screen_release();
	kobject_put(o);
	return 0;
}

/* An IRQ argument with `rights`. */
static int decode_irq(uint64_t v, uint32_t rights, struct irq **out)
{
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_IRQ, rights, &o, NULL, NULL);
	if (!err)
		*out = container_of(o, struct irq, obj);
	return err;
}

/* An IoPorts argument with MANAGE (the only right IoPorts calls use). */
static int decode_ioports(uint64_t v, struct ioports **out)
{
	struct kobject *o;
	int err = decode_cap(v, CAP_TYPE_IOPORTS, CAP_RIGHT_MANAGE, &o, NULL, NULL);
	if (!err)
		*out = container_of(o, struct ioports, obj);
	return err;
}

/* (irq [RECV], ntfn [SEND]) -> 0. The line signals the notification
 * capability's badge (or bit 0, irq_bind's default, when unbadged). */
int64_t sys_irq_bind(const struct syscall_args *a)
{
	struct irq *irq;
	struct notification *n;
	uint64_t badge = 0;
	int err = decode_irq(a->a0, CAP_RIGHT_RECV, &irq);
	if (err)
		return err;
	err = decode_notification(a->a1, CAP_RIGHT_SEND, &n, &badge);
	if (err) {
		kobject_put(&irq->obj);
		return err;
	}

	err = irq_bind(irq, n, badge);
	kobject_put(&n->obj);
	kobject_put(&irq->obj);
	return err;
}

/* (irq [MANAGE]) -> 0 */
int64_t sys_irq_ack(const struct syscall_args *a)
{
	struct irq *irq;
	int err = decode_irq(a->a0, CAP_RIGHT_MANAGE, &irq);
	if (err)
		return err;

	err = irq_ack(irq);
	kobject_put(&irq->obj);
	return err;
}

/* (ioports [MANAGE]) -> 0: the calling process may use those ports. */
int64_t sys_ioport_enable(const struct syscall_args *a)
{
	struct ioports *io;
	int err = decode_ioports(a->a0, &io);
	if (err)
		return err;

	err = arch_ioports_enable(sys_caller(), io->base, io->count);
	kobject_put(&io->obj);
	return err;
}

/* (ioports [MANAGE], base, count) -> a new IoPorts handle for [base, base + count),
 * which must lie inside the capability's range (-ERR_RANGE). */
int64_t sys_ioport_sub(const struct syscall_args *a)
{
	uint64_t base = a->a1, count = a->a2;
	struct ioports *io, *sub = NULL;
	int err = decode_ioports(a->a0, &io);
	if (err)
		return err;
	uint64_t end = (uint64_t)io->base + io->count;
	if (count == 0 || base < io->base || base > end || count > end - base) {
		kobject_put(&io->obj);
		return -ERR_RANGE;
	}
	kobject_put(&io->obj); /* (only its range was needed) */

	uint64_t bytes = quota_heap_bytes(sizeof(*sub));
	err = handout_charge(bytes);
	if (err)
		return err;
	err = ioports_create((uint32_t)base, (uint32_t)count, &sub);
	return handout_charged(err, sub ? &sub->obj : NULL, bytes, CAP_RIGHTS_ALL);
}

/* (ioports [MANAGE] covering every port, ORB_POWER_*) -> does not return */
int64_t sys_power(const struct syscall_args *a)
{
	uint64_t op = a->a1;
	struct ioports *io;
	int err = decode_ioports(a->a0, &io);
	if (err)
		return err;
	if (io->base != 0 || io->count != IOPORTS_ALL)
		err = -ERR_PERM;
	else if (op != ORB_POWER_REBOOT && op != ORB_POWER_HALT)
		err = -ERR_INVAL;
	kobject_put(&io->obj);
	if (err)
		return err;

	arch_power(op == ORB_POWER_REBOOT ? POWER_REBOOT : POWER_HALT);
}
