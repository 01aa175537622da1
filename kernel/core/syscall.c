/*
 * The system call dispatcher: one handler per call of
 * include/orbital/syscall.h.
 *
 * Decode, then invoke. Each handler first turns every argument into something
 * checked: handles into object references with the right needed (the order of
 * checks follows the argument order, so the first bad argument decides the
 * error), user pointers into copied data, sizes into ranges. Only then does it
 * act, through the object modules (process.c, memobj.c, ipc.c, cspace.c),
 * whose acting parts do not fail halfway. References taken while decoding are
 * dropped on every path (the IPC calls consume theirs).
 *
 * Trust boundary: every argument is an untrusted 64-bit value; a handle above
 * 0x7fffffff is -ERR_BADCAP (never truncated), and user memory is reached
 * only through copy_from_user/copy_to_user.
 */
#include "core/syscall.h"
#include "core/ipc.h"
#include "core/process.h"
#include "core/memobj.h"
#include "core/quota.h"
#include "core/userinit.h"
#include <arch/init.h>
#include <arch/power.h>
#include "core/devobj.h"
#include "core/sched.h"
#include "core/time.h"
#include "core/console.h"
#include "core/usercopy.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "lib/string.h"
#include <arch/uctx.h>
#include <orbital/syscall.h>
#include <orbital/ipc.h>

uint64_t syscall_count_total;

static struct process *self(void)
{
	return thread_current()->proc;
}

/* The handle in a 64-bit argument, or -ERR_BADCAP. */
static int handle_of(uint64_t v, cap_handle_t *h)
{
	if (v > 0x7fffffffu)
		return -ERR_BADCAP;
	*h = (cap_handle_t)v;
	return 0;
}

/* Looks up a handle argument in the caller's cspace (see cap_lookup_obj). */
static int lookup(uint64_t v, enum cap_type type, uint32_t rights, struct kobject **obj,
		  uint64_t *badge, uint32_t *have)
{
	cap_handle_t h;
	int err = handle_of(v, &h);
	if (err)
		return err;
	struct cspace *cs = self()->cs;
	if (have) {
		struct cap_info info;
		err = cap_identify(cs, h, &info);
		if (err)
			return err;
		*have = info.rights;
	}
	return cap_lookup_obj(cs, h, type, rights, obj, badge);
}

static int lookup_proc(uint64_t v, uint32_t rights, struct process **out)
{
	struct kobject *o;
	int err = lookup(v, CAP_TYPE_PROCESS, rights, &o, NULL, NULL);
	if (!err)
		*out = container_of(o, struct process, obj);
	return err;
}

/* Gives a new object's first capability to the caller; the object is
 * destroyed if that fails. Returns the handle or an error. */
static int64_t hand_out(struct kobject *obj, uint32_t rights)
{
	cap_handle_t h;
	kobject_get(obj);
	int err = cspace_insert_root(self()->cs, obj, rights, 0, &h);
	kobject_put(obj);
	return err ? err : (int64_t)h;
}

/* The caller's quota pays `bytes` for an object about to be made: 0 or
 * -ERR_QUOTA. Pair with hand_out_charged(). */
static int charge_self(uint64_t bytes)
{
	return quota_charge(self()->quota, bytes);
}

/* After charge_self(bytes): if the object could not be made (err), the charge
 * goes back; else it follows the object (given back when it is destroyed,
 * whoever holds it then) and the caller gets its first capability. */
static int64_t hand_out_charged(int err, struct kobject *obj, uint64_t bytes, uint32_t rights)
{
	if (err) {
		quota_uncharge(self()->quota, bytes);
		return err;
	}
	quota_attach(obj, self()->quota, bytes);
	return hand_out(obj, rights);
}

static int64_t sys_debug_write(uint64_t buf, uint64_t len)
{
	char chunk[256];
	if (len > 4096)
		return -ERR_RANGE;
	if (!user_range_ok(buf, len))
		return -ERR_FAULT;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (copy_from_user(chunk, buf + done, n))
			return -ERR_FAULT;
		console_write_user(chunk, n); /* bounded time with interrupts off */
		done += n;
	}
	return (int64_t)len;
}

/*
 * Every struct copied out to user space is zeroed whole first (memset, not an
 * initializer: padding and fields nobody sets must not carry kernel stack
 * bytes out).
 */
static int64_t sys_sysinfo(uint64_t out)
{
	struct orb_sysinfo si;
	memset(&si, 0, sizeof(si));
	si.mem_total = (uint64_t)pmm_usable_count(&kernel_pmm) * PAGE_SIZE;
	si.mem_free = (uint64_t)pmm_free_count(&kernel_pmm) * PAGE_SIZE;
	si.uptime_ns = time_now_ns();
	si.ncpus = ncpus_online;
	si.nthreads = (unsigned)thread_count();
	si.nprocs = process_count();
	/* A report, not a decision: an unlocked read of a count that only grows. */
	si.kernel_tables = (unsigned)__atomic_load_n(&kernel_space.ntables, __ATOMIC_RELAXED);
	return copy_to_user(out, &si, sizeof(si));
}

/* Needs a Log capability with READ (logobj.h); without one, -ERR_PERM whatever the handle. */
static int64_t sys_log_read(uint64_t hv, uint64_t upos, uint64_t buf, uint64_t len)
{
	uint64_t pos;
	char chunk[256];
	struct kobject *o;
	if (lookup(hv, CAP_TYPE_LOG, CAP_RIGHT_READ, &o, NULL, NULL))
		return -ERR_PERM;
	kobject_put(o); /* the Log object is never freed: only the authority matters */
	if (copy_from_user(&pos, upos, sizeof(pos)))
		return -ERR_FAULT;
	if (!user_range_ok(buf, len))
		return -ERR_FAULT;
	uint64_t done = 0;
	while (done < len) {
		uint64_t at = pos;
		size_t n = console_log_read(&at, chunk, MIN(sizeof(chunk), len - done));
		if (n == 0)
			break;
		if (copy_to_user(buf + done, chunk, n))
			return -ERR_FAULT;
		pos = at;
		done += n;
	}
	if (copy_to_user(upos, &pos, sizeof(pos)))
		return -ERR_FAULT;
	return (int64_t)done;
}

static int64_t sys_screen_take(uint64_t hv)
{
	struct kobject *o;
	int err = lookup(hv, CAP_TYPE_MEMORY, CAP_RIGHT_WRITE, &o, NULL, NULL);
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

static int64_t sys_cap_identify(uint64_t hv, uint64_t out)
{
	cap_handle_t h;
	struct cap_info info;
	memset(&info, 0, sizeof(info)); /* see sys_sysinfo */
	int err = handle_of(hv, &h);
	if (!err)
		err = cap_identify(self()->cs, h, &info);
	if (!err && !user_range_ok(out, sizeof(info)))
		err = -ERR_FAULT;
	return err ? err : copy_to_user(out, &info, sizeof(info));
}

static int64_t sys_cap_derive(uint64_t hv, uint64_t rights, uint64_t badge)
{
	cap_handle_t h, nh;
	int err = handle_of(hv, &h);
	if (err)
		return err;
	if (rights > CAP_RIGHTS_ALL)
		return -ERR_INVAL;
	struct cspace *cs = self()->cs;
	err = cap_derive(cs, h, cs, (uint32_t)rights, badge, &nh);
	return err ? err : (int64_t)nh;
}

static int64_t sys_cap_one(uint64_t nr, uint64_t hv)
{
	cap_handle_t h;
	int err = handle_of(hv, &h);
	if (err)
		return err;
	if (nr == SYS_CAP_DELETE)
		return cap_delete(self()->cs, h);
	size_t removed = 0;
	err = cap_revoke(self()->cs, h, &removed);
	return err ? err : (int64_t)removed;
}

/* SYS_CAP_GRANT / SYS_CAP_MOVE: into another process's cspace. */
static int64_t sys_cap_grant(uint64_t nr, uint64_t pv, uint64_t hv, uint64_t rights, uint64_t badge)
{
	struct process *p;
	cap_handle_t h, nh = 0;
	int err = lookup_proc(pv, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;
	err = handle_of(hv, &h);
	if (!err && nr == SYS_CAP_GRANT && rights > CAP_RIGHTS_ALL)
		err = -ERR_INVAL;
	if (!err) {
		/* Under p->lock, which its tear-down takes to detach p->cs: a
		 * process that is not ALIVE takes no new capability. */
		irqflags_t f = spin_lock_irqsave(&p->lock);
		if (p->state != PROC_ALIVE || !p->cs)
			err = -ERR_DEAD;
		else if (nr == SYS_CAP_GRANT)
			err = cap_derive(self()->cs, h, p->cs, (uint32_t)rights, badge, &nh);
		else
			err = cap_move(self()->cs, h, p->cs, &nh);
		spin_unlock_irqrestore(&p->lock, f);
	}
	if (!err) /* the capability may have been p's last way out (cspace.h, "Homes") */
		kobject_check_orphan(&p->obj, 1);
	kobject_put(&p->obj);
	return err ? err : (int64_t)nh;
}

static int64_t sys_create(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	if (nr == SYS_ENDPOINT_CREATE) {
		struct endpoint *ep = NULL;
		uint64_t bytes = quota_heap_bytes(sizeof(*ep));
		int err = charge_self(bytes);
		if (err)
			return err;
		err = endpoint_create(&ep);
		return hand_out_charged(err, ep ? &ep->obj : NULL, bytes,
					CAP_RIGHT_SEND | CAP_RIGHT_RECV | CAP_RIGHT_GRANT |
					    CAP_RIGHT_MANAGE);
	}
	if (nr == SYS_NTFN_CREATE) {
		struct notification *n = NULL;
		uint64_t bytes = quota_heap_bytes(sizeof(*n));
		int err = charge_self(bytes);
		if (err)
			return err;
		err = notification_create(&n);
		return hand_out_charged(err, n ? &n->obj : NULL, bytes,
					CAP_RIGHT_SEND | CAP_RIGHT_RECV);
	}
	if (nr == SYS_MEM_CREATE) {
		struct memobj *mo = NULL;
		/* (a bad size is memobj_create's to refuse: nothing is charged for it) */
		bool sized = a0 && a0 % PAGE_SIZE == 0 && a0 / PAGE_SIZE <= MEMOBJ_MAX_PAGES;
		uint64_t bytes = sized ? memobj_bytes(a0 / PAGE_SIZE) : 0;
		int err = charge_self(bytes);
		if (err)
			return err;
		err = memobj_create(a0, &mo);
		return hand_out_charged(err, mo ? &mo->obj : NULL, bytes,
					CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC |
					    CAP_RIGHT_MAP);
	}
	/* SYS_PROC_CREATE(nslots, name, quota) */
	char name[24] = "process";
	if (a0 == 0 || a0 > CAP_MAX_SLOTS)
		return -ERR_INVAL;
	if (a1) {
		for (size_t i = 0; i < sizeof(name); i++) {
			if (copy_from_user(&name[i], a1 + i, 1))
				return -ERR_FAULT;
			if (!name[i])
				break;
		}
		name[sizeof(name) - 1] = 0;
	}
	struct quota *q;
	int err = quota_lookup_arg(a2, CAP_RIGHT_MANAGE, &q);
	if (err)
		return err;
	struct process *p;
	err = process_create(name, (uint32_t)a0, self()->max_prio, q, &p);
	kobject_put(&q->obj); /* (p holds its own) */
	return err ? err : hand_out(&p->obj, CAP_RIGHTS_ALL);
}

static int64_t sys_thread_create(uint64_t pv, uint64_t entry, uint64_t sp, uint64_t arg,
				 uint64_t prio)
{
	struct process *p;
	int err = lookup_proc(pv, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;
	uint8_t mine = self()->max_prio;
	if (prio == 0)
		prio = THREAD_PRIO_DEFAULT < mine ? THREAD_PRIO_DEFAULT : mine;
	if (prio > mine || prio > p->max_prio || entry >= ORB_USER_TOP || sp > ORB_USER_TOP) {
		kobject_put(&p->obj);
		return -ERR_INVAL;
	}
	/* The thread is p's to pay for; its Thread object the caller's. */
	struct thread_obj *to = NULL;
	uint64_t bytes = quota_heap_bytes(sizeof(*to));
	err = charge_self(bytes);
	if (!err)
		err = process_thread_create(p, entry, sp, arg, (int)prio, &to);
	else
		bytes = 0; /* (nothing to give back) */
	kobject_put(&p->obj);
	return hand_out_charged(err, to ? &to->obj : NULL, bytes, CAP_RIGHTS_ALL);
}

/* Rights a Memory capability needs for a mapping protection. */
static uint32_t map_rights(uint64_t prot)
{
	return CAP_RIGHT_MAP | ((prot & ORB_PROT_READ) ? CAP_RIGHT_READ : 0) |
	       ((prot & ORB_PROT_WRITE) ? CAP_RIGHT_WRITE : 0) |
	       ((prot & ORB_PROT_EXEC) ? CAP_RIGHT_EXEC : 0);
}

static unsigned prot_of_rights(uint32_t r)
{
	return ((r & CAP_RIGHT_READ) ? ORB_PROT_READ : 0) |
	       ((r & CAP_RIGHT_WRITE) ? ORB_PROT_WRITE : 0) |
	       ((r & CAP_RIGHT_EXEC) ? ORB_PROT_EXEC : 0);
}

static int64_t sys_mem(uint64_t nr, uint64_t pv, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct process *p;
	int err = lookup_proc(pv, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;
	if (nr == SYS_MEM_MAP) { /* (proc, mem, vaddr, offset, len, prot) */
		struct kobject *o;
		uint32_t have = 0;
		err = a5 > 7 ? -ERR_INVAL
			     : lookup(a1, CAP_TYPE_MEMORY, map_rights(a5), &o, NULL, &have);
		if (!err) {
			err = memobj_map(p, container_of(o, struct memobj, obj), a2, a3, a4,
					 (unsigned)a5, prot_of_rights(have));
			kobject_put(o);
		}
	} else if (nr == SYS_MEM_UNMAP) {
		err = memobj_unmap(p, a1, a2);
	} else {
		err = a3 > 7 ? -ERR_INVAL : memobj_protect(p, a1, a2, (unsigned)a3);
	}
	kobject_put(&p->obj);
	return err;
}

static int64_t sys_proc(uint64_t nr, uint64_t a0, uint64_t a1)
{
	struct process *me = self();
	if (nr == SYS_THREAD_EXIT)
		process_thread_exit();
	if (nr == SYS_PROC_EXIT) {
		process_kill(me, (int)(a0 & 0xff));
		process_thread_exit();
	}
	if (nr == SYS_THREAD_START) {
		struct kobject *o;
		int err = lookup(a0, CAP_TYPE_THREAD, CAP_RIGHT_MANAGE, &o, NULL, NULL);
		if (err)
			return err;
		err = thread_obj_start(container_of(o, struct thread_obj, obj));
		kobject_put(o);
		return err;
	}
	struct process *p;
	int err = lookup_proc(a0, nr == SYS_PROC_KILL ? CAP_RIGHT_MANAGE : CAP_RIGHT_READ, &p);
	if (err)
		return err;
	int64_t ret = 0;
	if (nr == SYS_PROC_PID) {
		ret = p->pid;
	} else if (nr == SYS_PROC_WAIT) {
		ret = p == me ? -ERR_INVAL : process_wait(p, a1);
	} else { /* SYS_PROC_KILL */
		process_kill(p, ORB_EXIT_KILLED);
	}
	kobject_put(&p->obj);
	return ret; /* (killing oneself ends at the exit checks) */
}

/* SYS_PROC_WATCH: the word signalled is the notification capability's badge
 * (as SYS_NTFN_SIGNAL: a badge cannot be forged), or bits if it is unbadged. */
static int64_t sys_proc_watch(uint64_t pv, uint64_t nv, uint64_t bits)
{
	struct process *p;
	struct kobject *o;
	uint64_t badge = 0;
	int err = lookup_proc(pv, CAP_RIGHT_READ, &p);
	if (err)
		return err;
	err = lookup(nv, CAP_TYPE_NOTIFICATION, CAP_RIGHT_SEND, &o, &badge, NULL);
	if (!err) {
		uint64_t word = badge ? badge & NTFN_WORD_MASK : bits;
		if (word == 0 || (word & ~NTFN_WORD_MASK))
			err = -ERR_INVAL;
		else
			err = proc_watch_add(p, container_of(o, struct notification, obj), word,
					     self()->quota);
		kobject_put(o);
	}
	kobject_put(&p->obj);
	return err;
}

static int64_t sys_endpoint_close(uint64_t hv)
{
	struct kobject *o;
	int err = lookup(hv, CAP_TYPE_ENDPOINT, CAP_RIGHT_MANAGE, &o, NULL, NULL);
	if (err)
		return err;
	endpoint_close(container_of(o, struct endpoint, obj));
	kobject_put(o);
	return 0;
}

/* SYS_REPLY_SAVE: the saved Reply object is charged to the caller's quota. */
static int64_t sys_reply_save(void)
{
	uint64_t bytes = quota_heap_bytes(sizeof(struct reply_obj));
	int err = charge_self(bytes);
	if (err)
		return err;
	int64_t h = ipc_reply_save();
	struct kobject *o;
	if (h < 0 || cap_lookup_obj(self()->cs, (cap_handle_t)h, CAP_TYPE_REPLY, 0, &o, NULL)) {
		quota_uncharge(self()->quota, bytes); /* (or already deleted by another thread) */
		return h;
	}
	quota_attach(o, self()->quota, bytes);
	kobject_put(o);
	return h;
}

static int64_t sys_ipc(uint64_t nr, uint64_t a0)
{
	struct thread *t = thread_current();
	struct kobject *o;
	uint64_t badge = 0;
	uint32_t have = 0;
	int err;
	switch (nr) {
	case SYS_SEND:
	case SYS_NB_SEND:
	case SYS_CALL:
		err = lookup(a0, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, &o, &badge, &have);
		if (err)
			return err;
		return ipc_send(container_of(o, struct endpoint, obj), badge,
				(have & CAP_RIGHT_GRANT) != 0, nr == SYS_CALL, nr == SYS_NB_SEND,
				uctx_msg_timeout(t));
	case SYS_RECV:
	case SYS_REPLY_RECV:
		err = lookup(a0, CAP_TYPE_ENDPOINT, CAP_RIGHT_RECV, &o, NULL, NULL);
		if (err)
			return err;
		if (nr == SYS_REPLY_RECV && t->ipc.caller) {
			err = (int)ipc_reply();
			if (err && err != -ERR_NOENT) {
				kobject_put(o);
				return err;
			}
		}
		return ipc_recv(container_of(o, struct endpoint, obj), uctx_msg_timeout(t));
	case SYS_REPLY:
		return ipc_reply();
	case SYS_REPLY_SAVE:
		return sys_reply_save();
	case SYS_REPLY_TO: {
		cap_handle_t h;
		err = handle_of(a0, &h);
		if (!err)
			err =
			    cap_lookup_obj(self()->cs, h, CAP_TYPE_REPLY, CAP_RIGHT_SEND, &o, NULL);
		if (err)
			return err;
		int64_t r = ipc_reply_to(container_of(o, struct reply_obj, obj));
		kobject_put(o);
		if (r == 0 || r == -ERR_NOENT)
			cap_delete(self()->cs, h); /* one-shot: used up */
		return r;
	}
	}
	return -ERR_NOSYS;
}

static int64_t sys_ntfn(uint64_t nr, uint64_t a0, uint64_t a1)
{
	struct kobject *o;
	uint64_t badge = 0;
	int err = lookup(a0, CAP_TYPE_NOTIFICATION,
			 nr == SYS_NTFN_SIGNAL ? CAP_RIGHT_SEND : CAP_RIGHT_RECV, &o, &badge, NULL);
	if (err)
		return err;
	struct notification *n = container_of(o, struct notification, obj);
	if (nr == SYS_NTFN_SIGNAL) {
		int64_t r = ntfn_signal(n, badge ? badge : a1);
		kobject_put(o);
		return r;
	}
	return ntfn_wait(n, a1);
}

static int64_t sys_proc_list(uint64_t buf, uint64_t n)
{
	if (n > 4096)
		n = 4096;
	if (!user_range_ok(buf, n * sizeof(struct orb_proc_info)))
		return -ERR_FAULT;
	struct orb_proc_info info;
	uint32_t total = 0;
	for (uint64_t i = 0;; i++) {
		memset(&info, 0, sizeof(info)); /* see sys_sysinfo: pad, name's tail */
		int more = process_info(i, &info.pid, &info.nthreads, &info.state, info.name,
					sizeof(info.name));
		if (more <= 0)
			break;
		total++;
		if (i < n && copy_to_user(buf + i * sizeof(info), &info, sizeof(info)))
			return -ERR_FAULT;
	}
	return total;
}

static int64_t sys_dev(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct kobject *o, *no;
	uint64_t badge = 0;
	int err;
	switch (nr) {
	case SYS_IRQ_BIND:
		err = lookup(a0, CAP_TYPE_IRQ, CAP_RIGHT_RECV, &o, NULL, NULL);
		if (err)
			return err;
		err = lookup(a1, CAP_TYPE_NOTIFICATION, CAP_RIGHT_SEND, &no, &badge, NULL);
		if (!err) {
			err = irq_obj_bind(container_of(o, struct irq_obj, obj),
					   container_of(no, struct notification, obj), badge);
			kobject_put(no);
		}
		kobject_put(o);
		return err;
	case SYS_IRQ_ACK:
		err = lookup(a0, CAP_TYPE_IRQ, CAP_RIGHT_MANAGE, &o, NULL, NULL);
		if (err)
			return err;
		err = irq_obj_ack(container_of(o, struct irq_obj, obj));
		kobject_put(o);
		return err;
	}
	err = lookup(a0, CAP_TYPE_IOPORTS, CAP_RIGHT_MANAGE, &o, NULL, NULL);
	if (err)
		return err;
	struct ioports_obj *io = container_of(o, struct ioports_obj, obj);
	int64_t ret;
	if (nr == SYS_POWER) {
		/* Whoever may touch every port can reset the machine anyway. */
		ret = io->base != 0 || io->count != 0x10000	       ? -ERR_PERM
		      : a1 != ORB_POWER_REBOOT && a1 != ORB_POWER_HALT ? -ERR_INVAL
								       : 0;
		if (!ret) {
			kobject_put(o);
			arch_power(a1 == ORB_POWER_REBOOT ? POWER_REBOOT : POWER_HALT);
		}
	} else if (nr == SYS_IOPORT_ENABLE) {
		ret = arch_ioports_enable(self(), io->base, io->count);
	} else if (a2 == 0 || a1 < io->base || a1 > io->base + io->count ||
		   a2 > io->base + io->count - a1) {
		ret = -ERR_RANGE; /* SYS_IOPORT_SUB: not inside the range */
	} else {
		struct ioports_obj *sub = NULL;
		uint64_t bytes = quota_heap_bytes(sizeof(*sub));
		ret = charge_self(bytes);
		if (!ret) {
			int made = ioports_create((uint32_t)a1, (uint32_t)a2, &sub);
			ret = hand_out_charged(made, sub ? &sub->obj : NULL, bytes, CAP_RIGHTS_ALL);
		}
	}
	kobject_put(o);
	return ret;
}

int64_t syscall_invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	__atomic_fetch_add(&syscall_count_total, 1, __ATOMIC_RELAXED);
	switch (nr) {
	case SYS_NULL:
		return 0;
	case SYS_DEBUG_WRITE:
		return sys_debug_write(a0, a1);
	case SYS_YIELD:
		thread_yield();
		return 0;
	case SYS_SLEEP:
		thread_sleep_ns(a0 < 3600000000000ull ? a0 : 3600000000000ull);
		return 0;
	case SYS_CLOCK:
		return (int64_t)time_now_ns();
	case SYS_SYSINFO:
		return sys_sysinfo(a0);
	case SYS_LOG_READ:
		return sys_log_read(a0, a1, a2, a3);
	case SYS_SCREEN_TAKE:
		return sys_screen_take(a0);
	case SYS_CAP_IDENTIFY:
		return sys_cap_identify(a0, a1);
	case SYS_CAP_DERIVE:
		return sys_cap_derive(a0, a1, a2);
	case SYS_CAP_DELETE:
	case SYS_CAP_REVOKE:
		return sys_cap_one(nr, a0);
	case SYS_CAP_GRANT:
	case SYS_CAP_MOVE:
		return sys_cap_grant(nr, a0, a1, a2, a3);
	case SYS_ENDPOINT_CREATE:
	case SYS_NTFN_CREATE:
	case SYS_MEM_CREATE:
	case SYS_PROC_CREATE:
		return sys_create(nr, a0, a1, a2);
	case SYS_THREAD_CREATE:
		return sys_thread_create(a0, a1, a2, a3, a4);
	case SYS_MEM_MAP:
	case SYS_MEM_UNMAP:
	case SYS_MEM_PROTECT:
		return sys_mem(nr, a0, a1, a2, a3, a4, a5);
	case SYS_THREAD_START:
	case SYS_THREAD_EXIT:
	case SYS_PROC_EXIT:
	case SYS_PROC_KILL:
	case SYS_PROC_WAIT:
	case SYS_PROC_PID:
		return sys_proc(nr, a0, a1);
	case SYS_PROC_WATCH:
		return sys_proc_watch(a0, a1, a2);
	case SYS_IPC_BUFFER:
		return ipc_buffer_set(a0);
	case SYS_SEND:
	case SYS_NB_SEND:
	case SYS_RECV:
	case SYS_CALL:
	case SYS_REPLY:
	case SYS_REPLY_RECV:
	case SYS_REPLY_SAVE:
	case SYS_REPLY_TO:
		return sys_ipc(nr, a0);
	case SYS_NTFN_SIGNAL:
	case SYS_NTFN_WAIT:
		return sys_ntfn(nr, a0, a1);
	case SYS_ENDPOINT_CLOSE:
		return sys_endpoint_close(a0);
	case SYS_IRQ_BIND:
	case SYS_IRQ_ACK:
	case SYS_IOPORT_ENABLE:
	case SYS_IOPORT_SUB:
	case SYS_POWER:
		return sys_dev(nr, a0, a1, a2);
	case SYS_PROC_LIST:
		return sys_proc_list(a0, a1);
	case SYS_QUOTA_CREATE:
	case SYS_QUOTA_INFO:
		return sys_quota(nr, a0, a1);
	}
	return -ERR_NOSYS;
}
