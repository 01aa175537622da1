/*
 * t_lifecycle: learning that a process died (SYS_PROC_WATCH) and ending an
 * endpoint for good (SYS_ENDPOINT_CLOSE).
 *
 * Run as init (`test=user init=t_lifecycle`). Watches: a child that exits, is
 * killed or faults signals every watch on it (each with its own word: the
 * bits given, or the notification capability's badge), a watch of a process
 * already dead fires at once, and a process that never ran fires when its
 * object goes; at most 64 live watches per process, and watches nobody can
 * observe any more (their notification deleted, their watcher dead) are
 * freed rather than counted. Endpoints: closing one wakes the threads
 * blocked sending, calling and receiving on it with -ERR_CLOSED, and every
 * later send, call or receive fails at once, through any capability; a call
 * the server already received is still answered (implicit and saved
 * replies, reply-receive through the fast path); only a capability with
 * MANAGE closes. Hostile arguments are refused with the documented error.
 * The harness (user.warm) checks that nothing is left behind.
 */
#include <orb/thread.h>
#include "t_check.h"

#define T_BOUND_NS T_MS(10000) /* generous bound on something that should be immediate */
#define T_EXIT_ST  7
#define T_GO_EXIT  1ull
#define T_GO_FAULT 2ull
#define T_NO_MSG   0x5a5aull /* a word no message carries */

/* ---- Child roles ------------------------------------------------------------ */

/* "wait": waits on start capability 0 for its order (exit or fault); killed otherwise. */
static int t_child_wait(void)
{
	long go = orb_ntfn_wait(orb_start_cap(0), IPC_TIMEOUT_NEVER);
	if (go > 0 && ((uint64_t)go & T_GO_FAULT)) {
		volatile uintptr_t null_page = 8;
		*(volatile uint64_t *)null_page = 1; /* unmapped: a fault */
	}
	return go > 0 ? T_EXIT_ST : 90;
}

/* "watcher": watches the process in start capability 0 with a notification of its own,
 * then exits (the watch outlives its watcher). */
static int t_child_watcher(void)
{
	long n = orb_ntfn_create();
	if (n < 0)
		return 2;
	return orb_proc_watch(orb_start_cap(0), (cap_handle_t)n, 1) == 0 ? 0 : 3;
}

/* ---- Helpers ------------------------------------------------------------------ */

/* Starts a "wait" child that waits on go; returns its Process handle or 0. */
static cap_handle_t t_start_waiter(cap_handle_t go)
{
	cap_handle_t proc = 0;
	long rc = orb_cap_derive(go, CAP_RIGHT_RECV, 0);
	if (rc < 0)
		return 0;
	cap_handle_t recv = (cap_handle_t)rc;
	rc = t_spawn_role("t_lifecycle", "wait", NULL, &recv, 1, &proc);
	orb_cap_delete(recv);
	return rc == 0 ? proc : 0;
}

/* The word on ntfn now (0 if none), without waiting. */
static uint64_t t_word_now(cap_handle_t ntfn)
{
	long r = orb_ntfn_wait(ntfn, 0);
	return r > 0 ? (uint64_t)r : 0;
}

/* ---- Watches ------------------------------------------------------------------- */

/* Exit, then a watch of the dead process; kill with several watchers; fault. */
static void t_watch_deaths(void)
{
	long go = orb_ntfn_create(), n1 = orb_ntfn_create(), n2 = orb_ntfn_create();
	T_CHECK(go >= 0 && n1 >= 0 && n2 >= 0, "notifications: %ld %ld %ld", go, n1, n2);
	if (go < 0 || n1 < 0 || n2 < 0)
		return;

	/* Exit. */
	cap_handle_t p = t_start_waiter((cap_handle_t)go);
	T_CHECK(p != 0, "a child to watch starts");
	if (p) {
		T_ERR("watch(exiting child, bits 0x1)", orb_proc_watch(p, (cap_handle_t)n1, 0x1),
		      0);
		T_EQX("nothing signalled while it lives", t_word_now((cap_handle_t)n1), 0);
		orb_ntfn_signal((cap_handle_t)go, T_GO_EXIT);
		T_EQX("exit: the watch fires", t_wait_bits((cap_handle_t)n1, 0x1, T_BOUND_NS) & 0x1,
		      0x1);
		T_EQ("exit: its status", orb_proc_wait(p, T_BOUND_NS), T_EXIT_ST);
		T_ERR("watch(dead child, bits 0x2)", orb_proc_watch(p, (cap_handle_t)n1, 0x2), 0);
		T_EQX("already dead: the watch fires at once", t_word_now((cap_handle_t)n1), 0x2);
		orb_cap_delete(p);
	}

	/* Kill, with several watchers; a badged capability signals its badge. */
	p = t_start_waiter((cap_handle_t)go);
	long b1 = orb_cap_derive((cap_handle_t)n2, CAP_RIGHT_SEND, 0x100);
	long b2 = orb_cap_derive((cap_handle_t)n2, CAP_RIGHT_SEND, 0x200);
	T_CHECK(p != 0 && b1 >= 0 && b2 >= 0, "a child to kill and badged notifications");
	if (p && b1 >= 0 && b2 >= 0) {
		T_ERR("watch 1 (n1, bits 0x4)", orb_proc_watch(p, (cap_handle_t)n1, 0x4), 0);
		T_ERR("watch 2 (n2, bits 0x8)", orb_proc_watch(p, (cap_handle_t)n2, 0x8), 0);
		T_ERR("watch 3 (n2 badged 0x100, bits 0)", orb_proc_watch(p, (cap_handle_t)b1, 0),
		      0);
		T_ERR("watch 4 (n2 badged 0x200, bits 0x400)",
		      orb_proc_watch(p, (cap_handle_t)b2, 0x400), 0);
		/* A watcher may delete its capability: the watch still signals safely. */
		orb_cap_delete((cap_handle_t)b1);
		orb_cap_delete((cap_handle_t)b2);
		T_ERR("kill the child", orb_proc_kill(p), 0);
		T_EQX("kill: watch 1 fires", t_wait_bits((cap_handle_t)n1, 0x4, T_BOUND_NS), 0x4);
		uint64_t w = t_wait_bits((cap_handle_t)n2, 0x308, T_BOUND_NS);
		w |= t_word_now((cap_handle_t)n2);
		T_EQX("kill: watches 2, 3 and 4 fire (bits, badge, badge over bits)", w, 0x308);
		T_EQ("kill: its status", orb_proc_wait(p, T_BOUND_NS), ORB_EXIT_KILLED);
		orb_cap_delete(p);
	}

	/* Fault. */
	p = t_start_waiter((cap_handle_t)go);
	T_CHECK(p != 0, "a child that will fault starts");
	if (p) {
		T_ERR("watch(faulting child)", orb_proc_watch(p, (cap_handle_t)n1, 0x10), 0);
		orb_ntfn_signal((cap_handle_t)go, T_GO_FAULT);
		T_EQX("fault: the watch fires", t_wait_bits((cap_handle_t)n1, 0x10, T_BOUND_NS),
		      0x10);
		T_EQ("fault: its status", orb_proc_wait(p, T_BOUND_NS), ORB_EXIT_FAULT);
		orb_cap_delete(p);
	}

	/* A process that never ran: the watch fires when its last capability goes. */
	long np = orb_proc_create(8, "never-ran");
	T_OK("create a process that never runs", np);
	if (np >= 0) {
		T_ERR("watch(never-ran)", orb_proc_watch((cap_handle_t)np, (cap_handle_t)n1, 0x20),
		      0);
		orb_cap_delete((cap_handle_t)np);
		T_EQX("its object is gone: the watch fires", t_word_now((cap_handle_t)n1), 0x20);
	}
	orb_cap_delete((cap_handle_t)go);
	orb_cap_delete((cap_handle_t)n1);
	orb_cap_delete((cap_handle_t)n2);
}

/* Hostile arguments: wrong types, stale and huge handles, missing rights, bad bits. */
static void t_watch_hostile(void)
{
	long go = orb_ntfn_create(), n = orb_ntfn_create(), ep = orb_endpoint_create();
	cap_handle_t p = go < 0 ? 0 : t_start_waiter((cap_handle_t)go);
	long stale = orb_ntfn_create();
	T_CHECK(go >= 0 && n >= 0 && ep >= 0 && p && stale >= 0, "setup for hostile watches");
	if (go < 0 || n < 0 || ep < 0 || !p || stale < 0)
		return;
	orb_cap_delete((cap_handle_t)stale);
	long p_manage = orb_cap_derive(p, CAP_RIGHT_MANAGE, 0);
	long n_recv = orb_cap_derive((cap_handle_t)n, CAP_RIGHT_RECV, 0);
	cap_handle_t nh = (cap_handle_t)n;

	T_ERR("watch(an endpoint as the process)", orb_proc_watch((cap_handle_t)ep, nh, 1),
	      -ERR_BADCAP);
	T_ERR("watch(a process as the notification)", orb_proc_watch(p, p, 1), -ERR_BADCAP);
	T_ERR("watch(stale notification)", orb_proc_watch(p, (cap_handle_t)stale, 1), -ERR_BADCAP);
	T_ERR("watch(stale process)", orb_proc_watch((cap_handle_t)stale, nh, 1), -ERR_BADCAP);
	T_ERR("watch(handle above 2^31)",
	      orb_syscall3(SYS_PROC_WATCH, (long)(1ull << 40) | p, nh, 1), -ERR_BADCAP);
	T_ERR("watch(notification handle above 2^31)",
	      orb_syscall3(SYS_PROC_WATCH, p, (long)(1ull << 40) | nh, 1), -ERR_BADCAP);
	T_ERR("watch(process without READ)", orb_proc_watch((cap_handle_t)p_manage, nh, 1),
	      -ERR_PERM);
	T_ERR("watch(notification without SEND)", orb_proc_watch(p, (cap_handle_t)n_recv, 1),
	      -ERR_PERM);
	T_ERR("watch(bits 0, unbadged)", orb_proc_watch(p, nh, 0), -ERR_INVAL);
	T_ERR("watch(bit 63)", orb_proc_watch(p, nh, 1ull << 63), -ERR_INVAL);
	T_ERR("watch(bit 63 and bit 0)", orb_proc_watch(p, nh, (1ull << 63) | 1), -ERR_INVAL);
	orb_proc_kill(p);
	T_EQ("the child of the hostile watches dies", orb_proc_wait(p, T_BOUND_NS),
	     ORB_EXIT_KILLED);
	T_EQX("no refused watch fired", t_word_now(nh), 0);
	orb_cap_delete(p);
	orb_cap_delete((cap_handle_t)p_manage);
	orb_cap_delete((cap_handle_t)n_recv);
	orb_cap_delete(nh);
	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete((cap_handle_t)go);
}

/* The bound, and watches nobody can observe any more (deleted, watcher dead) not counting. */
static void t_watch_bound(void)
{
	long go = orb_ntfn_create(), x = orb_ntfn_create(), y = orb_ntfn_create();
	cap_handle_t p = go < 0 ? 0 : t_start_waiter((cap_handle_t)go);
	T_CHECK(go >= 0 && x >= 0 && y >= 0 && p, "setup for the bound");
	if (go < 0 || x < 0 || y < 0 || !p)
		return;
	long r = 0;
	int made = 0;
	while (made < 64 && (r = orb_proc_watch(p, (cap_handle_t)x, 1)) == 0)
		made++;
	T_EQ("watches made up to the bound", made, 64);
	T_ERR("watch 65", orb_proc_watch(p, (cap_handle_t)x, 1), -ERR_NOSPACE);
	/* Their notification deleted: 64 watches nobody can observe. */
	orb_cap_delete((cap_handle_t)x);
	T_ERR("a watch once the 64 watches' notification is deleted",
	      orb_proc_watch(p, (cap_handle_t)y, 1), 0);

	/* A watcher that dies first. */
	long rd = orb_cap_derive(p, CAP_RIGHT_READ, 0);
	cap_handle_t watcher = 0, rdh = (cap_handle_t)rd;
	long rc = rd < 0 ? rd : t_spawn_role("t_lifecycle", "watcher", NULL, &rdh, 1, &watcher);
	T_ERR("a watcher child starts", rc, 0);
	if (rc == 0)
		T_EQ("the watcher child watched and exited", t_wait_and_drop(watcher), 0);
	if (rd >= 0)
		orb_cap_delete((cap_handle_t)rd);
	made = 1;
	while (made < 64 && orb_proc_watch(p, (cap_handle_t)y, 1) == 0)
		made++;
	T_EQ("live watches beside the dead watcher's, up to the bound", made, 64);
	T_ERR("one more: the dead watcher's watch no longer counts",
	      orb_proc_watch(p, (cap_handle_t)y, 1), -ERR_NOSPACE);
	orb_proc_kill(p);
	T_EQX("the 64 live watches fire", t_wait_bits((cap_handle_t)y, 1, T_BOUND_NS), 1);
	T_EQ("the watched child was killed", orb_proc_wait(p, T_BOUND_NS), ORB_EXIT_KILLED);
	orb_cap_delete(p);
	orb_cap_delete((cap_handle_t)y);
	orb_cap_delete((cap_handle_t)go);
}

/* ---- Closing endpoints ------------------------------------------------------------ */

/* One IPC operation in a thread of its own, with no timeout. */
struct t_job {
	cap_handle_t ep;
	long op;	   /* SYS_SEND, SYS_CALL, SYS_RECV, SYS_REPLY_RECV, SYS_NB_SEND */
	cap_handle_t done; /* signalled with bit once the operation returned */
	uint64_t bit;
	int started;
	long result;
	uint64_t w0; /* word 0 received (a call's answer) */
};

static void t_job_run(void *arg)
{
	struct t_job *j = arg;
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(1, 1, 0);
	m.w[0] = T_NO_MSG;
	__atomic_store_n(&j->started, 1, __ATOMIC_RELEASE);
	j->result = orb_ipc(j->op, j->ep, &m, IPC_TIMEOUT_NEVER);
	j->w0 = m.w[0];
	orb_ntfn_signal(j->done, j->bit);
}

static bool t_job_start(struct t_job *j, cap_handle_t ep, long op, cap_handle_t done, uint64_t bit)
{
	memset(j, 0, sizeof(*j));
	j->ep = ep;
	j->op = op;
	j->done = done;
	j->bit = bit;
	j->result = 1;
	return orb_thread_spawn(t_job_run, j, 0, NULL) == 0;
}

/* Until each job is about to enter its call; then a pause so they block in it (they get
 * -ERR_CLOSED whether the close finds them blocked or they find it closed). */
static void t_jobs_started(struct t_job *jobs, int n)
{
	for (int i = 0; i < n; i++)
		while (!__atomic_load_n(&jobs[i].started, __ATOMIC_ACQUIRE))
			orb_yield();
	orb_sleep(T_MS(50));
}

static const char *t_op_name(long op)
{
	switch (op) {
	case SYS_SEND:
		return "send";
	case SYS_NB_SEND:
		return "nb_send";
	case SYS_CALL:
		return "call";
	case SYS_RECV:
		return "recv";
	case SYS_REPLY_RECV:
		return "reply_recv";
	}
	return "?";
}

/* Blocked senders, callers and receivers wake with -ERR_CLOSED; later IPC fails at once. */
static void t_close_wakes(void)
{
	long a = orb_endpoint_create(), b = orb_endpoint_create(), done = orb_ntfn_create();
	T_CHECK(a >= 0 && b >= 0 && done >= 0, "endpoints to close");
	if (a < 0 || b < 0 || done < 0)
		return;
	struct cap_info ci;
	T_CHECK(orb_cap_identify((cap_handle_t)a, &ci) == 0 && (ci.rights & CAP_RIGHT_MANAGE),
		"endpoint_create gives MANAGE (rights 0x%x)", ci.rights);
	long client = orb_cap_derive((cap_handle_t)a, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0x77);
	T_ERR("close through a client capability [SEND, GRANT]",
	      orb_endpoint_close((cap_handle_t)client), -ERR_PERM);

	static struct t_job jobs[4]; /* (static: a thread left blocked by a bug may still write) */
	bool ok = t_job_start(&jobs[0], (cap_handle_t)a, SYS_SEND, (cap_handle_t)done, 1) &&
		  t_job_start(&jobs[1], (cap_handle_t)client, SYS_CALL, (cap_handle_t)done, 2) &&
		  t_job_start(&jobs[2], (cap_handle_t)b, SYS_RECV, (cap_handle_t)done, 4) &&
		  t_job_start(&jobs[3], (cap_handle_t)b, SYS_RECV, (cap_handle_t)done, 8);
	T_CHECK(ok, "threads blocked sending, calling (on A) and receiving (on B)");
	if (!ok)
		return;
	t_jobs_started(jobs, 4);
	T_ERR("close A", orb_endpoint_close((cap_handle_t)a), 0);
	uint64_t back_a = t_wait_bits((cap_handle_t)done, 3, T_BOUND_NS) & 3;
	T_EQX("the sender and the caller on A return", back_a, 3);
	T_ERR("close B", orb_endpoint_close((cap_handle_t)b), 0);
	uint64_t back = t_wait_bits((cap_handle_t)done, 12, T_BOUND_NS) & 12;
	T_EQX("the receivers on B return", back, 12);
	for (int i = 0; i < 4; i++) {
		char what[64];
		snprintf(what, sizeof(what), "blocked %s (%s)", t_op_name(jobs[i].op),
			 i < 2 ? "A" : "B");
		T_ERR(what, jobs[i].result, -ERR_CLOSED);
	}
	if (back_a != 3 || back != 12)
		return; /* a thread still uses jobs[] */

	/* Later: every operation, through the original and a client capability. */
	const long ops[] = {SYS_SEND, SYS_CALL, SYS_NB_SEND, SYS_RECV, SYS_REPLY_RECV};
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		cap_handle_t via = ops[i] == SYS_RECV || ops[i] == SYS_REPLY_RECV
				       ? (cap_handle_t)a
				       : (cap_handle_t)client;
		char what[64];
		if (!t_job_start(&jobs[0], via, ops[i], (cap_handle_t)done, 16))
			break;
		uint64_t w = t_wait_bits((cap_handle_t)done, 16, T_BOUND_NS);
		snprintf(what, sizeof(what), "%s on closed A, no timeout (%s)", t_op_name(ops[i]),
			 w & 16 ? "returned" : "still blocked");
		T_ERR(what, jobs[0].result, -ERR_CLOSED);
		if (!(w & 16))
			break; /* the job's thread still uses jobs[0] */
	}
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	T_ERR("call on closed A with a timeout", orb_call((cap_handle_t)client, &m, T_BOUND_NS),
	      -ERR_CLOSED);
	T_ERR("poll-receive on closed B", orb_recv((cap_handle_t)b, &m, 0), -ERR_CLOSED);
	T_ERR("close A again", orb_endpoint_close((cap_handle_t)a), 0);
	T_ERR("close through the client capability, after",
	      orb_endpoint_close((cap_handle_t)client), -ERR_PERM);
	orb_cap_delete((cap_handle_t)client);
	orb_cap_delete((cap_handle_t)a);
	orb_cap_delete((cap_handle_t)b);
	orb_cap_delete((cap_handle_t)done);
}

/* A server thread that received a call before the endpoint closed still answers it. */
struct t_server {
	cap_handle_t ep, got, go, fin;
	bool saved; /* answer through a saved Reply (else the implicit reply, by reply_recv) */
	long r_recv, r_reply, r_after;
};

static void t_server_run(void *arg)
{
	struct t_server *s = arg;
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	s->r_recv = orb_recv(s->ep, &m, IPC_TIMEOUT_NEVER);
	long reply = s->saved ? orb_reply_save() : 0;
	orb_ntfn_signal(s->got, 1);
	orb_ntfn_wait(s->go, T_BOUND_NS); /* the endpoint is closed now */
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(0, 1, 0);
	m.w[0] = 42;
	if (s->saved) {
		s->r_reply = reply < 0 ? reply : orb_reply_to((cap_handle_t)reply, &m);
		s->r_after = orb_recv(s->ep, &m, IPC_TIMEOUT_NEVER);
	} else {
		/* No timeout, registers only, the caller waiting: the fast path's case. */
		s->r_reply = 0;
		s->r_after = orb_reply_recv(s->ep, &m, IPC_TIMEOUT_NEVER);
	}
	orb_ntfn_signal(s->fin, 1);
}

static void t_close_pending_call(bool saved)
{
	const char *how = saved ? "saved reply" : "reply_recv";
	long ep = orb_endpoint_create(), got = orb_ntfn_create(), go = orb_ntfn_create();
	long fin = orb_ntfn_create(), done = orb_ntfn_create();
	T_CHECK(ep >= 0 && got >= 0 && go >= 0 && fin >= 0 && done >= 0, "%s: setup", how);
	if (ep < 0 || got < 0 || go < 0 || fin < 0 || done < 0)
		return;
	static struct t_server s;
	static struct t_job caller;
	memset(&s, 0, sizeof(s));
	s.ep = (cap_handle_t)ep;
	s.got = (cap_handle_t)got;
	s.go = (cap_handle_t)go;
	s.fin = (cap_handle_t)fin;
	s.saved = saved;
	bool ok = orb_thread_spawn(t_server_run, &s, 0, NULL) == 0 &&
		  t_job_start(&caller, (cap_handle_t)ep, SYS_CALL, (cap_handle_t)done, 1);
	T_CHECK(ok, "%s: a server thread and a caller thread start", how);
	if (!ok)
		return;
	T_EQX("the server received the call", t_wait_bits((cap_handle_t)got, 1, T_BOUND_NS), 1);
	T_ERR("close the endpoint with the call received and unanswered",
	      orb_endpoint_close((cap_handle_t)ep), 0);
	orb_ntfn_signal((cap_handle_t)go, 1);
	uint64_t f = t_wait_bits((cap_handle_t)fin, 1, T_BOUND_NS);
	uint64_t d = t_wait_bits((cap_handle_t)done, 1, T_BOUND_NS);
	T_CHECK(f == 1 && d == 1, "%s: the server and the caller both return (%llx %llx)", how,
		(unsigned long long)f, (unsigned long long)d);
	T_ERR("the server's receive of the call", s.r_recv, 0);
	T_ERR(saved ? "the saved reply" : "the reply half", s.r_reply, 0);
	T_CHECK(caller.result == 0 && caller.w0 == 42,
		"%s: the caller gets the answer (result %ld, w0 %llu)", how, caller.result,
		(unsigned long long)caller.w0);
	T_ERR(saved ? "the server's next receive" : "the receive half of reply_recv", s.r_after,
	      -ERR_CLOSED);
	if (f == 1 && d == 1) { /* (else a thread still uses them: leave them) */
		orb_cap_delete((cap_handle_t)ep);
		orb_cap_delete((cap_handle_t)got);
		orb_cap_delete((cap_handle_t)go);
		orb_cap_delete((cap_handle_t)fin);
		orb_cap_delete((cap_handle_t)done);
	}
}

/* Closing does not disturb another endpoint, and a call between threads still works. */
static void t_close_hostile(void)
{
	long ep = orb_endpoint_create(), n = orb_ntfn_create(), stale = orb_endpoint_create();
	T_CHECK(ep >= 0 && n >= 0 && stale >= 0, "setup for hostile closes");
	if (ep < 0 || n < 0 || stale < 0)
		return;
	orb_cap_delete((cap_handle_t)stale);
	long recv_only = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_RECV, 0);
	T_ERR("close(a notification)", orb_endpoint_close((cap_handle_t)n), -ERR_BADCAP);
	T_ERR("close(a process)", orb_endpoint_close(orb_self()), -ERR_BADCAP);
	T_ERR("close(stale handle)", orb_endpoint_close((cap_handle_t)stale), -ERR_BADCAP);
	T_ERR("close(handle 0)", orb_endpoint_close(0), -ERR_BADCAP);
	T_ERR("close(handle above 2^31)", orb_syscall1(SYS_ENDPOINT_CLOSE, (long)(1ull << 40) | ep),
	      -ERR_BADCAP);
	T_ERR("close([RECV] only)", orb_endpoint_close((cap_handle_t)recv_only), -ERR_PERM);
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(1, 1, 0);
	T_ERR("the endpoint still works after refused closes: poll-receive",
	      orb_recv((cap_handle_t)ep, &m, 0), -ERR_TIMEOUT);
	orb_cap_delete((cap_handle_t)recv_only);
	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete((cap_handle_t)n);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "wait"))
		return t_child_wait();
	if (t_role_is(argc, argv, "watcher"))
		return t_child_watcher();

	t_watch_deaths();
	t_watch_hostile();
	t_watch_bound();
	t_close_wakes();
	t_close_pending_call(true);
	t_close_pending_call(false);
	t_close_hostile();
	return t_finish("t_lifecycle");
}
