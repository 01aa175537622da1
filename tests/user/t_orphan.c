/*
 * t_orphan: a process that never started a thread is freed once nothing
 * outside it can reach it, even though its own cspace names it.
 *
 * Run as init (`test=user init=t_orphan`). A new process holding a capability
 * to itself (or to its own unstarted thread) is gone as soon as its creator
 * deletes (or moves into it) the last capability that names it; one still
 * reachable from outside (through another capability, or a Thread capability
 * that can start it) stays and works. Such a process cannot be given the
 * Process or Thread capability of another one that has not started a thread
 * either (-ERR_INVAL), so two of them cannot keep each other; one of a
 * process that runs is fine. Each check compares the settled process and thread counts
 * with those before it; the harness (user.warm) checks the free frames.
 */
#include "t_check.h"

#define T_NOWHERE 0x1000 /* an entry point nothing maps: a started thread faults */

static struct orb_sysinfo t_base;

static long t_pid(long proc)
{
	return orb_syscall1(SYS_PROC_PID, proc);
}

static void t_begin(void)
{
	t_base = t_settle();
}

/* The process and thread counts are back to (or above by procs, threads) the base. */
static void t_counts(const char *what, unsigned procs, unsigned threads)
{
	struct orb_sysinfo now = t_settle();
	T_CHECK(now.nprocs == t_base.nprocs + procs && now.nthreads == t_base.nthreads + threads,
		"%s: processes %u -> %u, threads %u -> %u (want +%u, +%u)", what, t_base.nprocs,
		now.nprocs, t_base.nthreads, now.nthreads, procs, threads);
}

static void t_self_process(void)
{
	t_begin();
	long p = orb_proc_create(4, "orphan");
	T_OK("self: create", p);
	T_OK("self: grant the process its own capability", orb_cap_grant(p, p, CAP_RIGHTS_ALL, 0));
	T_ERR("self: delete ours", orb_cap_delete(p), 0);
	t_counts("self: gone once ours is deleted", 0, 0);
}

static void t_self_thread(void)
{
	t_begin();
	long p = orb_proc_create(4, "orphan");
	long th = p < 0 ? p : orb_thread_create(p, T_NOWHERE, 0, 0, T_PRIO);
	T_OK("thread: create an unstarted thread", th);
	T_OK("thread: grant it its thread", orb_cap_grant(p, th, CAP_RIGHTS_ALL, 0));
	T_OK("thread: grant it itself", orb_cap_grant(p, p, CAP_RIGHT_READ, 0));
	T_ERR("thread: delete our thread capability", orb_cap_delete(th), 0);
	t_counts("thread: still reachable through our process capability", 1, 1);
	T_ERR("thread: delete ours", orb_cap_delete(p), 0);
	t_counts("thread: gone once ours are deleted", 0, 0);
}

static void t_move_in(void)
{
	t_begin();
	long p = orb_proc_create(4, "orphan");
	T_OK("move: create", p);
	long d = p < 0 ? p : orb_cap_derive(p, CAP_RIGHT_READ | CAP_RIGHT_MANAGE, 0);
	T_OK("move: a second capability", d);
	T_OK("move: grant it itself", orb_cap_grant(p, p, CAP_RIGHTS_ALL, 0));
	T_ERR("move: delete the first", orb_cap_delete(p), 0);
	T_OK("move: move our last capability into it", orb_cap_move(d, d));
	t_counts("move: gone once our last capability moved in", 0, 0);
}

static void t_no_cycle(void)
{
	t_begin();
	long p1 = orb_proc_create(4, "orphan1"), p2 = orb_proc_create(4, "orphan2");
	T_OK("cycle: create two", p1 < 0 ? p1 : p2);
	long th2 = orb_thread_create(p2, T_NOWHERE, 0, 0, T_PRIO);
	T_OK("cycle: a thread of the second", th2);
	T_ERR("cycle: grant the second's process to the first", orb_cap_grant(p1, p2, 0, 0),
	      -ERR_INVAL);
	T_ERR("cycle: grant the second's thread to the first", orb_cap_grant(p1, th2, 0, 0),
	      -ERR_INVAL);
	T_ERR("cycle: move the second's process into the first", orb_cap_move(p1, p2), -ERR_INVAL);
	T_CHECK(t_pid(p2) > 0, "cycle: the refused move left our capability");
	T_OK("cycle: the first may hold itself", orb_cap_grant(p1, p1, CAP_RIGHT_READ, 0));
	T_OK("cycle: the first may hold a process that runs (us)",
	     orb_cap_grant(p1, orb_self(), CAP_RIGHT_READ, 0));
	T_OK("cycle: the second may hold itself", orb_cap_grant(p2, p2, CAP_RIGHT_READ, 0));
	T_OK("cycle: the second may hold its thread", orb_cap_grant(p2, th2, CAP_RIGHT_READ, 0));
	orb_cap_delete(th2);
	orb_cap_delete(p1);
	orb_cap_delete(p2);
	t_counts("cycle: both gone", 0, 0);
}

static void t_reachable(void)
{
	/* Through a derived capability: it stays and answers. */
	t_begin();
	long p = orb_proc_create(4, "orphan");
	long d = p < 0 ? p : orb_cap_derive(p, CAP_RIGHT_READ, 0);
	T_OK("reachable: a derived capability", d);
	T_OK("reachable: grant it itself", orb_cap_grant(p, p, CAP_RIGHTS_ALL, 0));
	orb_cap_delete(p);
	t_counts("reachable: kept while we hold a derived capability", 1, 0);
	T_CHECK(t_pid(d) > 0, "reachable: the process answers");
	orb_cap_delete(d);
	t_counts("reachable: gone with it", 0, 0);

	/* Through a Thread capability: it can still be started. */
	t_begin();
	p = orb_proc_create(4, "orphan");
	long th = p < 0 ? p : orb_thread_create(p, T_NOWHERE, 0, 0, T_PRIO);
	T_OK("start: an unstarted thread", th);
	T_OK("start: grant it itself", orb_cap_grant(p, p, CAP_RIGHTS_ALL, 0));
	orb_cap_delete(p);
	t_counts("start: kept while we can start its thread", 1, 1);
	T_ERR("start: the thread starts", orb_thread_start(th), 0); /* (and faults) */
	orb_cap_delete(th);
	t_counts("start: gone once its thread faulted", 0, 0);
}

int main(void)
{
	printf("t_orphan: start\n");
	t_self_process();
	t_self_thread();
	t_move_in();
	t_no_cycle();
	t_reachable();
	return t_finish("t_orphan");
}
