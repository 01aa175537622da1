/*
 * The process and thread system calls: making processes and threads,
 * starting, ending, killing and waiting for them, death watches, the list of
 * processes and pids, and giving up or pausing the CPU (SYS_PROC_*,
 * SYS_THREAD_*, SYS_YIELD, SYS_SLEEP). The life cycle and its locking are
 * process.h's.
 *
 * Decoding checks the capabilities (a Process with MANAGE to change it, READ
 * to observe it; a Thread with MANAGE to start it), priorities against the
 * caller's ceiling and the target's, user addresses, and copies the name in.
 * A process that is no longer ALIVE is refused under its own lock by the
 * acting function (-ERR_DEAD), since it may die between decode and invoke.
 *
 * Trust boundary: the process name and the list buffer are user memory,
 * reached only through copy_from_user/copy_to_user.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "api/sys_handout.h"
#include "obj/notification.h"
#include "obj/process.h"
#include "obj/thread_obj.h"
#include "obj/quota.h"
#include "sched/sched.h"
#include "mm/usercopy.h"
#include "lib/string.h"

/* The name a process is created with: as long as process.h keeps it. */
#define PROC_NAME_LEN sizeof(((struct process *)0)->name)

/* SYS_SLEEP sleeps at most this long per call. */
#define SLEEP_MAX_NS 3600000000000ull

/* () -> 0 */
int64_t sys_yield(const struct syscall_args *a)
{
	thread_yield();
	return 0;
}

/* (ns) -> 0 */
int64_t sys_sleep(const struct syscall_args *a)
{
	thread_sleep_ns(MIN(a->a0, SLEEP_MAX_NS));
	return 0;
}

/* A process name from user memory (NUL-terminated, cut to fit), or the
 * default if uptr is 0. */
static int decode_name(uint64_t uptr, char name[PROC_NAME_LEN])
{
	if (!uptr)
		return 0;
	for (size_t i = 0; i < PROC_NAME_LEN; i++) {
		if (copy_from_user(&name[i], uptr + i, 1))
			return -ERR_FAULT;
		if (!name[i])
			break;
	}
	name[PROC_NAME_LEN - 1] = 0;
	return 0;
}

/* (nslots, name, quota [MANAGE] or 0 = the caller's) -> handle [all rights] */
int64_t sys_proc_create(const struct syscall_args *a)
{
	uint64_t nslots = a->a0;
	char name[PROC_NAME_LEN] = "process";
	struct quota *q;
	struct process *p;
	if (nslots == 0 || nslots > CAP_MAX_SLOTS)
		return -ERR_INVAL;
	int err = decode_name(a->a1, name);
	if (err)
		return err;
	err = decode_quota(a->a2, CAP_RIGHT_MANAGE, &q);
	if (err)
		return err;

	err = process_create(name, (uint32_t)nslots, sys_caller()->max_prio, q, &p);
	kobject_put(&q->obj); /* (p holds its own) */
	return err ? err : handout(&p->obj, CAP_RIGHTS_ALL);
}

/* SYS_THREAD_CREATE's process and priority (0 = the default, capped by the
 * caller's ceiling). On success the caller holds a reference to *p. */
static int decode_thread_create(const struct syscall_args *a, struct process **p, uint64_t *prio)
{
	uint64_t entry = a->a1, sp = a->a2;
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, p);
	if (err)
		return err;
	uint8_t mine = sys_caller()->max_prio;
	*prio = a->a4 ? a->a4 : MIN(THREAD_PRIO_DEFAULT, mine);
	if (*prio > mine || *prio > (*p)->max_prio || entry >= ORB_USER_TOP || sp > ORB_USER_TOP) {
		kobject_put(&(*p)->obj);
		return -ERR_INVAL;
	}
	return 0;
}

/* (proc [MANAGE], entry, stack top, arg, prio) -> thread handle; not started */
int64_t sys_thread_create(const struct syscall_args *a)
{
	struct process *p;
	struct thread_obj *to = NULL;
	uint64_t prio;
	int err = decode_thread_create(a, &p, &prio);
	if (err)
		return err;

	/* The thread is p's to pay for; its Thread object the caller's. */
	uint64_t bytes = quota_heap_bytes(sizeof(*to));
	err = handout_charge(bytes);
	if (err) {
		kobject_put(&p->obj);
		return err;
	}
	err = thread_obj_create(p, a->a1, a->a2, a->a3, (int)prio, &to);
	kobject_put(&p->obj);
	return handout_charged(err, to ? &to->obj : NULL, bytes, CAP_RIGHTS_ALL);
}

/* (thread [MANAGE]) -> 0 */
int64_t sys_thread_start(const struct syscall_args *a)
{
	struct kobject *o;
	int err = decode_cap(a->a0, CAP_TYPE_THREAD, CAP_RIGHT_MANAGE, &o, NULL, NULL);
	if (err)
		return err;

	err = thread_obj_start(container_of(o, struct thread_obj, obj));
	kobject_put(o);
	return err;
}

/* () -> does not return */
int64_t sys_thread_exit(const struct syscall_args *a)
{
	process_thread_exit();
}

/* (status) -> does not return; the status is its low 8 bits */
int64_t sys_proc_exit(const struct syscall_args *a)
{
	process_kill(sys_caller(), (int)(a->a0 & 0xff));
	process_thread_exit();
}

/* (proc [MANAGE]) -> 0. Killing oneself ends at the exit checks on the way out. */
int64_t sys_proc_kill(const struct syscall_args *a)
{
	struct process *p;
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;

	process_kill(p, ORB_EXIT_KILLED);
	kobject_put(&p->obj);
	return 0;
}

/* (proc [READ], timeout ns) -> exit status; a process cannot wait for itself */
int64_t sys_proc_wait(const struct syscall_args *a)
{
	struct process *p;
	int err = decode_process(a->a0, CAP_RIGHT_READ, &p);
	if (err)
		return err;
	if (p == sys_caller()) {
		kobject_put(&p->obj);
		return -ERR_INVAL;
	}

	int64_t st = process_wait(p, a->a1);
	kobject_put(&p->obj);
	return st;
}

/* (proc [READ]) -> pid */
int64_t sys_proc_pid(const struct syscall_args *a)
{
	struct process *p;
	int err = decode_process(a->a0, CAP_RIGHT_READ, &p);
	if (err)
		return err;

	int64_t pid = p->pid;
	kobject_put(&p->obj);
	return pid;
}

/*
 * SYS_PROC_WATCH's arguments: the process, the notification and the word to
 * signal, which is the notification capability's badge (as SYS_NTFN_SIGNAL:
 * a badge cannot be forged), or bits if it is unbadged. All or nothing.
 */
static int decode_watch(const struct syscall_args *a, struct process **p, struct notification **n,
			uint64_t *word)
{
	uint64_t badge = 0;
	int err = decode_process(a->a0, CAP_RIGHT_READ, p);
	if (err)
		return err;
	err = decode_notification(a->a1, CAP_RIGHT_SEND, n, &badge);
	if (err)
		goto put_p;
	*word = badge ? badge & NOTIFICATION_WORD_MASK : a->a2;
	if (*word == 0 || (*word & ~NOTIFICATION_WORD_MASK)) {
		err = -ERR_INVAL;
		goto put_n;
	}
	return 0;

put_n:
	kobject_put(&(*n)->obj);
put_p:
	kobject_put(&(*p)->obj);
	return err;
}

/* (proc [READ], ntfn [SEND], bits) -> 0 */
int64_t sys_proc_watch(const struct syscall_args *a)
{
	struct process *p;
	struct notification *n;
	uint64_t word;
	int err = decode_watch(a, &p, &n, &word);
	if (err)
		return err;

	err = proc_watch_add(p, n, word, sys_caller()->quota);
	kobject_put(&n->obj);
	kobject_put(&p->obj);
	return err;
}

/*
 * (struct orb_proc_info *buf, size_t n) -> the number of live processes; the
 * first n (at most 4096) are described in buf. A fault part-way leaves the
 * entries before it written.
 */
int64_t sys_proc_list(const struct syscall_args *a)
{
	uint64_t buf = a->a0, n = MIN(a->a1, 4096);
	struct orb_proc_info info;
	uint32_t total = 0;
	if (!user_range_ok(buf, n * sizeof(info)))
		return -ERR_FAULT;

	for (uint64_t i = 0;; i++) {
		memset(&info, 0, sizeof(info)); /* no stack bytes out: pad, name's tail */
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
