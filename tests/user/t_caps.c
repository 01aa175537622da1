/*
 * t_caps: capability enforcement as user space sees it.
 *
 * Run as init (`test=user init=t_caps`). Checks, with exact return values:
 *   - handles that name nothing: stale after delete, never issued (null, a
 *     wrong generation, slot 4095), above 0x7fffffff (never truncated), and a
 *     handle to the wrong object type: -ERR_BADCAP;
 *   - rights: a SEND-only endpoint cannot receive, a RECV-only one cannot
 *     send, capabilities travel only with GRANT, notification and memory and
 *     process rights likewise; derive never adds rights; a badge is set once;
 *     malformed tags are -ERR_INVAL;
 *   - identify reports type, rights and badge exactly (including init's
 *     start-up capabilities as include/orbital/proc.h documents them);
 *   - revoke: A -> B -> C, C also granted into a child process; revoking A
 *     removes B, C and the child's copy at once (and reports 3), A still
 *     works; revoking a middle link removes only what hangs below it;
 *   - badges: two client processes with different badges; the server sees
 *     each one's badge;
 *   - capability transfer through IPC: with GRANT the capability arrives in
 *     recv_caps and works across processes; without GRANT -ERR_PERM and no
 *     message; a stale handle in send_caps is refused (-ERR_BADCAP) or
 *     dropped with IPC_TAG_CAPS_LOST set (ipc.h does not say which).
 * Child processes (this program in another role) report by exit status.
 */
#include "t_check.h"

#define T_LBL_BADGE	0xB0
#define T_LBL_GRANT	0xC0
#define T_LBL_NOGRANT	0xC1
#define T_LBL_STALE	0xC2
#define T_BADGE1	0x111
#define T_BADGE2	0x222
#define T_BADGE_GRANT	0x333
#define T_BADGE_NOGRANT 0x444
#define T_NTFN_BITS	0x40
#define T_EP_RIGHTS	(CAP_RIGHT_SEND | CAP_RIGHT_RECV | CAP_RIGHT_GRANT | CAP_RIGHT_MANAGE)

/*
 * One IPC system call with a full 64-bit handle register (orb_ipc takes a
 * 32-bit cap_handle_t, which could never show a kernel that truncates).
 * SAFETY: the IPC register convention of include/orbital/syscall.h; every
 * register the kernel may write is an output.
 */
static long t_raw_ipc(long n, uint64_t ep, uint64_t tag, uint64_t timeout)
{
	register uint64_t rdi __asm__("rdi") = ep;
	register uint64_t rsi __asm__("rsi") = tag;
	register uint64_t rdx __asm__("rdx") = 0;
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	register uint64_t r12 __asm__("r12") = timeout;
	long r = n;
	__asm__ volatile("syscall"
			 : "+a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "r"(r12)
			 : "rcx", "r11", "memory");
	return r;
}

static long t_nb_send(cap_handle_t ep, ipc_tag_t tag)
{
	struct orb_msg m = {0};
	m.tag = tag;
	return orb_nb_send(ep, &m);
}

static long t_recv_poll(cap_handle_t ep)
{
	struct orb_msg m = {0};
	return orb_recv(ep, &m, IPC_TIMEOUT_POLL);
}

static void t_identify(const char *what, cap_handle_t h, uint32_t type, uint32_t rights,
		       uint64_t badge)
{
	struct cap_info ci;
	char buf[120];
	long r;

	memset(&ci, 0xee, sizeof(ci));
	r = orb_cap_identify(h, &ci);
	snprintf(buf, sizeof(buf), "identify(%s)", what);
	T_ERR(buf, r, 0);
	T_CHECK(ci.type == type && ci.rights == rights && ci.badge == badge,
		"identify(%s) = type %u rights 0x%x badge 0x%llx (want %u 0x%x 0x%llx)", what,
		ci.type, ci.rights, (unsigned long long)ci.badge, type, rights,
		(unsigned long long)badge);
}

/* ---- Handles that name nothing. ---- */

static void t_check_bad_handles(void)
{
	long ep = orb_endpoint_create(), dead = orb_endpoint_create(), ntfn = orb_ntfn_create();
	struct cap_info ci;
	cap_handle_t h;

	T_OK("endpoint_create", ep);
	T_OK("endpoint_create (to delete)", dead);
	T_OK("ntfn_create", ntfn);
	T_ERR("delete", orb_cap_delete((cap_handle_t)dead), 0);
	T_ERR("nb_send on a deleted handle", t_nb_send((cap_handle_t)dead, 0), -ERR_BADCAP);
	T_ERR("recv on a deleted handle", t_recv_poll((cap_handle_t)dead), -ERR_BADCAP);
	T_ERR("identify a deleted handle", orb_cap_identify((cap_handle_t)dead, &ci), -ERR_BADCAP);
	T_ERR("derive a deleted handle", orb_cap_derive((cap_handle_t)dead, CAP_RIGHT_SEND, 0),
	      -ERR_BADCAP);
	T_ERR("delete a deleted handle again", orb_cap_delete((cap_handle_t)dead), -ERR_BADCAP);

	T_ERR("nb_send on CAP_HANDLE_NULL", t_nb_send(CAP_HANDLE_NULL, 0), -ERR_BADCAP);
	T_ERR("identify CAP_HANDLE_NULL", orb_cap_identify(CAP_HANDLE_NULL, &ci), -ERR_BADCAP);
	h = CAP_HANDLE(CAP_HANDLE_SLOT((cap_handle_t)ep), CAP_HANDLE_GEN((cap_handle_t)ep) + 1);
	T_ERR("nb_send on a live slot with the next generation", t_nb_send(h, 0), -ERR_BADCAP);
	h = CAP_HANDLE(CAP_HANDLE_SLOT((cap_handle_t)ep), 0);
	T_ERR("nb_send on a live slot with generation 0", t_nb_send(h, 0), -ERR_BADCAP);
	h = CAP_HANDLE(CAP_MAX_SLOTS - 1, 1);
	T_ERR("nb_send on slot 4095 (out of range or empty)", t_nb_send(h, 0), -ERR_BADCAP);
	T_ERR("identify slot 4095", orb_cap_identify(h, &ci), -ERR_BADCAP);

	/* Above 0x7fffffff: rejected, never truncated to the valid handle in the low bits. */
	T_ERR("identify(ep | 1 << 32)",
	      orb_syscall2(SYS_CAP_IDENTIFY, (long)(ep | 1ll << 32), (long)&ci), -ERR_BADCAP);
	T_ERR("identify(ep | 0x80000000)",
	      orb_syscall2(SYS_CAP_IDENTIFY, (long)((uint64_t)ep | 0x80000000ull), (long)&ci),
	      -ERR_BADCAP);
	T_ERR("nb_send(ep | 1 << 32)", t_raw_ipc(SYS_NB_SEND, (uint64_t)ep | 1ull << 32, 0, 0),
	      -ERR_BADCAP);
	T_ERR("recv(ep | 0xffffffff00000000)",
	      t_raw_ipc(SYS_RECV, (uint64_t)ep | 0xffffffff00000000ull, 0, 0), -ERR_BADCAP);
	T_ERR("ntfn_signal(ntfn | 1 << 40)",
	      orb_syscall2(SYS_NTFN_SIGNAL, (long)((uint64_t)ntfn | 1ull << 40), 1), -ERR_BADCAP);
	T_ERR("the same endpoint with a clean handle: nb_send (no receiver)",
	      t_raw_ipc(SYS_NB_SEND, (uint64_t)ep, 0, 0), -ERR_AGAIN);

	/* The wrong object type. */
	T_ERR("nb_send on a notification", t_nb_send((cap_handle_t)ntfn, 0), -ERR_BADCAP);
	T_ERR("ntfn_signal on an endpoint", orb_ntfn_signal((cap_handle_t)ep, 1), -ERR_BADCAP);
	T_ERR("ntfn_wait on the process handle", orb_ntfn_wait(orb_self(), 0), -ERR_BADCAP);
	T_ERR("mem_map of an endpoint",
	      orb_mem_map(orb_self(), (cap_handle_t)ep, T_MAP_BASE, 0, 4096, ORB_PROT_READ),
	      -ERR_BADCAP);
	T_ERR("mem_map into an endpoint (as the process)",
	      orb_mem_map((cap_handle_t)ep, (cap_handle_t)ep, T_MAP_BASE, 0, 4096, ORB_PROT_READ),
	      -ERR_BADCAP);

	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete((cap_handle_t)ntfn);
}

/* ---- Rights, derivation, badges, identify. ---- */

static void t_check_rights(void)
{
	long ep = orb_endpoint_create(), ntfn = orb_ntfn_create(), mem = orb_mem_create(4096);
	long s, r, sg, b, x, ns, nr, mr, mnomap, pread;
	struct cap_info ci;

	T_OK("endpoint_create", ep);
	T_ERR("identify(new endpoint)", orb_cap_identify((cap_handle_t)ep, &ci), 0);
	T_CHECK(ci.type == CAP_TYPE_ENDPOINT && (ci.rights & T_EP_RIGHTS) == T_EP_RIGHTS &&
		    ci.badge == 0,
		"new endpoint: type %u rights 0x%x badge 0x%llx (want %u, every right, 0)", ci.type,
		ci.rights, (unsigned long long)ci.badge, CAP_TYPE_ENDPOINT);

	s = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, 0);
	r = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_RECV, 0);
	sg = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	T_OK("derive(ep, SEND)", s);
	T_OK("derive(ep, RECV)", r);
	T_OK("derive(ep, SEND|GRANT)", sg);
	t_identify("SEND-only", (cap_handle_t)s, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, 0);
	t_identify("RECV-only", (cap_handle_t)r, CAP_TYPE_ENDPOINT, CAP_RIGHT_RECV, 0);
	t_identify("SEND|GRANT", (cap_handle_t)sg, CAP_TYPE_ENDPOINT,
		   CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	T_ERR("recv with a SEND-only cap", t_recv_poll((cap_handle_t)s), -ERR_PERM);
	T_ERR("nb_send with a RECV-only cap", t_nb_send((cap_handle_t)r, 0), -ERR_PERM);
	{
		struct orb_msg m = {0};
		T_ERR("call with a RECV-only cap", orb_call((cap_handle_t)r, &m, 0), -ERR_PERM);
	}
	T_ERR("nb_send with SEND-only (no receiver)", t_nb_send((cap_handle_t)s, 0), -ERR_AGAIN);
	T_ERR("recv with RECV-only (nothing queued)", t_recv_poll((cap_handle_t)r), -ERR_TIMEOUT);
	orb_ipc_buf()->send_caps[0] = (cap_handle_t)ntfn;
	T_ERR("nb_send carrying a cap without GRANT", t_nb_send((cap_handle_t)s, IPC_TAG(1, 0, 1)),
	      -ERR_PERM);
	T_ERR("nb_send carrying a cap with GRANT (no receiver)",
	      t_nb_send((cap_handle_t)sg, IPC_TAG(1, 0, 1)), -ERR_AGAIN);

	/* Malformed tags. */
	T_ERR("nb_send with a reserved tag bit (bit 50)", t_nb_send((cap_handle_t)sg, 1ull << 50),
	      -ERR_INVAL);
	T_ERR("nb_send with nwords 65",
	      t_nb_send((cap_handle_t)sg, IPC_TAG(1, IPC_MAX_WORDS + 1, 0)), -ERR_INVAL);
	T_ERR("nb_send with ncaps 5", t_nb_send((cap_handle_t)sg, IPC_TAG(1, 0, IPC_MAX_CAPS + 1)),
	      -ERR_INVAL);
	T_ERR("nb_send with IPC_TAG_CAPS_LOST set", t_nb_send((cap_handle_t)sg, IPC_TAG_CAPS_LOST),
	      -ERR_INVAL);

	/* Derivation never adds rights. */
	T_ERR("derive(SEND-only, SEND|RECV)",
	      orb_cap_derive((cap_handle_t)s, CAP_RIGHT_SEND | CAP_RIGHT_RECV, 0), -ERR_PERM);
	T_ERR("derive(SEND-only, SEND|GRANT)",
	      orb_cap_derive((cap_handle_t)s, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0), -ERR_PERM);
	T_ERR("derive(RECV-only, all rights)", orb_cap_derive((cap_handle_t)r, CAP_RIGHTS_ALL, 0),
	      -ERR_PERM);
	x = orb_cap_derive((cap_handle_t)s, CAP_RIGHT_SEND, 0);
	T_OK("derive(SEND-only, SEND) (equal rights)", x);
	t_identify("SEND-only's child", (cap_handle_t)x, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, 0);
	orb_cap_delete((cap_handle_t)x);

	/* Badges: set once. */
	b = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0x1234);
	T_OK("derive(ep, SEND|GRANT, badge 0x1234)", b);
	t_identify("badged", (cap_handle_t)b, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND | CAP_RIGHT_GRANT,
		   0x1234);
	T_ERR("re-badge a badged cap (0x5678)",
	      orb_cap_derive((cap_handle_t)b, CAP_RIGHT_SEND, 0x5678), -ERR_PERM);
	x = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, 0xfedcba9876543210ull);
	T_OK("derive(ep, SEND, 64-bit badge)", x);
	t_identify("64-bit badge", (cap_handle_t)x, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND,
		   0xfedcba9876543210ull);
	orb_cap_delete((cap_handle_t)x);

	/* Notifications. */
	ns = orb_cap_derive((cap_handle_t)ntfn, CAP_RIGHT_SEND, 0);
	nr = orb_cap_derive((cap_handle_t)ntfn, CAP_RIGHT_RECV, 0);
	T_OK("derive(ntfn, SEND)", ns);
	T_OK("derive(ntfn, RECV)", nr);
	t_identify("ntfn SEND-only", (cap_handle_t)ns, CAP_TYPE_NOTIFICATION, CAP_RIGHT_SEND, 0);
	T_ERR("ntfn_wait with SEND-only", orb_ntfn_wait((cap_handle_t)ns, 0), -ERR_PERM);
	T_ERR("ntfn_signal with RECV-only", orb_ntfn_signal((cap_handle_t)nr, 1), -ERR_PERM);
	T_ERR("ntfn_signal with SEND-only", orb_ntfn_signal((cap_handle_t)ns, 0x5), 0);
	T_EQX("ntfn_wait with RECV-only", orb_ntfn_wait((cap_handle_t)nr, 0), 0x5);

	/* Memory: READ|MAP cannot be mapped writable; without MAP not at all. */
	T_OK("mem_create(4096)", mem);
	mr = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	mnomap = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0);
	T_OK("derive(mem, READ|MAP)", mr);
	T_OK("derive(mem, READ|WRITE)", mnomap);
	t_identify("mem READ|MAP", (cap_handle_t)mr, CAP_TYPE_MEMORY,
		   CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	T_ERR("map READ|MAP memory writable",
	      orb_mem_map(orb_self(), (cap_handle_t)mr, T_MAP_BASE, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      -ERR_PERM);
	T_ERR("map READ|MAP memory executable",
	      orb_mem_map(orb_self(), (cap_handle_t)mr, T_MAP_BASE, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_EXEC),
	      -ERR_PERM);
	T_ERR("map memory without MAP",
	      orb_mem_map(orb_self(), (cap_handle_t)mnomap, T_MAP_BASE, 0, 4096, ORB_PROT_READ),
	      -ERR_PERM);
	T_ERR("map READ|MAP memory read-only",
	      orb_mem_map(orb_self(), (cap_handle_t)mr, T_MAP_BASE, 0, 4096, ORB_PROT_READ), 0);
	T_ERR("mem_protect it to writable (beyond the cap's rights)",
	      orb_mem_protect(orb_self(), T_MAP_BASE, 4096, ORB_PROT_READ | ORB_PROT_WRITE),
	      -ERR_PERM);
	T_ERR("unmap", orb_mem_unmap(orb_self(), T_MAP_BASE, 4096), 0);

	/* Process: mapping into a process needs MANAGE. */
	pread = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	T_OK("derive(self, READ)", pread);
	T_ERR(
	    "mem_map through a Process cap without MANAGE",
	    orb_mem_map((cap_handle_t)pread, (cap_handle_t)mem, T_MAP_BASE, 0, 4096, ORB_PROT_READ),
	    -ERR_PERM);

	x = orb_cap_delete((cap_handle_t)pread);
	x |= orb_cap_delete((cap_handle_t)mr) | orb_cap_delete((cap_handle_t)mnomap);
	x |= orb_cap_delete((cap_handle_t)mem) | orb_cap_delete((cap_handle_t)ns);
	x |= orb_cap_delete((cap_handle_t)nr) | orb_cap_delete((cap_handle_t)ntfn);
	x |= orb_cap_delete((cap_handle_t)b) | orb_cap_delete((cap_handle_t)sg);
	x |= orb_cap_delete((cap_handle_t)s) | orb_cap_delete((cap_handle_t)r);
	x |= orb_cap_delete((cap_handle_t)ep);
	T_ERR("deleting every capability of this part", x, 0);
}

/* init's start-up capabilities, as include/orbital/proc.h documents them. */
static void t_check_init_caps(void)
{
	const struct orb_init_info *ii = orb_init_info();
	struct cap_info ci;

	T_CHECK(ii && ii->magic == ORB_INIT_MAGIC, "init info magic 0x%llx",
		ii ? (unsigned long long)ii->magic : 0ull);
	if (!ii)
		return;
	t_identify("init self", ii->self, CAP_TYPE_PROCESS, CAP_RIGHTS_ALL, 0);
	T_EQX("orb_self() is init's self handle", orb_self(), ii->self);
	t_identify("init self_thread", ii->self_thread, CAP_TYPE_THREAD, CAP_RIGHTS_ALL, 0);
	t_identify("init bootfs", ii->bootfs, CAP_TYPE_MEMORY, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	if (ii->ioports) /* devices arrive later; when present it must be as documented */
		t_identify("init ioports", ii->ioports, CAP_TYPE_IOPORTS, CAP_RIGHTS_ALL, 0);
	for (unsigned i = 0; i < 16; i++) {
		if (!ii->irq[i])
			continue;
		T_ERR("identify(init irq)", orb_cap_identify(ii->irq[i], &ci), 0);
		T_CHECK(ci.type == CAP_TYPE_IRQ, "init irq[%u]: type %u (want %u)", i, ci.type,
			CAP_TYPE_IRQ);
	}
	T_ERR("map the boot archive writable",
	      orb_mem_map(orb_self(), ii->bootfs, T_MAP_BASE, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      -ERR_PERM);
}

/* ---- Revoke. ---- */

static int t_child_revoked(void)
{
	cap_handle_t c = orb_start_cap(0), ready = orb_start_cap(1), go = orb_start_cap(2);
	struct cap_info ci;

	t_identify("child's copy of C before the revoke", c, CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, 0);
	T_ERR("child: nb_send on C's copy before the revoke (no receiver)", t_nb_send(c, 0),
	      -ERR_AGAIN);
	orb_ntfn_signal(ready, 1);
	T_EQX("child: go signal", orb_ntfn_wait(go, T_WAIT_NS), 1);
	T_ERR("child: identify C's copy after the revoke", orb_cap_identify(c, &ci), -ERR_BADCAP);
	T_ERR("child: nb_send on C's copy after the revoke", t_nb_send(c, 0), -ERR_BADCAP);
	return t_finish("t_caps[revoked child]");
}

static void t_check_revoke(void)
{
	long a = orb_endpoint_create(), b, c, ready = orb_ntfn_create(), go = orb_ntfn_create();
	long a2, b2, c2, d, st, r;
	cap_handle_t caps[3], proc = 0;
	struct cap_info ci;

	T_OK("revoke: A = endpoint_create", a);
	b = orb_cap_derive((cap_handle_t)a, T_EP_RIGHTS, 0);
	T_OK("revoke: B = derive(A)", b);
	c = orb_cap_derive((cap_handle_t)b, CAP_RIGHT_SEND, 0);
	T_OK("revoke: C = derive(B, SEND)", c);
	caps[0] = (cap_handle_t)c;
	caps[1] = (cap_handle_t)ready;
	caps[2] = (cap_handle_t)go;
	r = t_spawn_role("t_caps", "revoked", NULL, caps, 3, &proc);
	T_ERR("spawn the child holding a copy of C", r, 0);
	if (r < 0)
		return;
	T_EQX("child holds its copy", orb_ntfn_wait((cap_handle_t)ready, T_WAIT_NS), 1);

	r = orb_cap_revoke((cap_handle_t)a);
	T_EQ("revoke(A): capabilities removed (B, C, the child's copy)", r, 3);
	T_ERR("identify(B) after revoke(A)", orb_cap_identify((cap_handle_t)b, &ci), -ERR_BADCAP);
	T_ERR("identify(C) after revoke(A)", orb_cap_identify((cap_handle_t)c, &ci), -ERR_BADCAP);
	T_ERR("nb_send(B) after revoke(A)", t_nb_send((cap_handle_t)b, 0), -ERR_BADCAP);
	T_ERR("nb_send(C) after revoke(A)", t_nb_send((cap_handle_t)c, 0), -ERR_BADCAP);
	t_identify("A after revoke(A)", (cap_handle_t)a, CAP_TYPE_ENDPOINT, T_EP_RIGHTS, 0);
	T_ERR("nb_send(A) after revoke(A) (works: no receiver)", t_nb_send((cap_handle_t)a, 0),
	      -ERR_AGAIN);
	orb_ntfn_signal((cap_handle_t)go, 1);
	st = t_wait_and_drop(proc);
	T_EQ("child saw its copy revoked (exit status)", st, 0);
	d = orb_cap_derive((cap_handle_t)a, CAP_RIGHT_SEND, 0);
	T_OK("derive(A) after revoke(A)", d);
	orb_cap_delete((cap_handle_t)d);
	T_EQ("revoke(A) with no children left", orb_cap_revoke((cap_handle_t)a), 0);

	/* Revoking a middle link removes what hangs below it only. */
	a2 = orb_endpoint_create();
	b2 = orb_cap_derive((cap_handle_t)a2, T_EP_RIGHTS, 0);
	c2 = orb_cap_derive((cap_handle_t)b2, CAP_RIGHT_SEND, 7);
	T_OK("A2 -> B2 -> C2 (badged)", c2);
	T_EQ("revoke(B2) removes one", orb_cap_revoke((cap_handle_t)b2), 1);
	T_ERR("identify(C2) after revoke(B2)", orb_cap_identify((cap_handle_t)c2, &ci),
	      -ERR_BADCAP);
	t_identify("B2 after revoke(B2)", (cap_handle_t)b2, CAP_TYPE_ENDPOINT, T_EP_RIGHTS, 0);
	t_identify("A2 after revoke(B2)", (cap_handle_t)a2, CAP_TYPE_ENDPOINT, T_EP_RIGHTS, 0);
	T_EQ("revoke(A2) removes B2", orb_cap_revoke((cap_handle_t)a2), 1);
	T_ERR("identify(B2) after revoke(A2)", orb_cap_identify((cap_handle_t)b2, &ci),
	      -ERR_BADCAP);

	orb_cap_delete((cap_handle_t)a2);
	orb_cap_delete((cap_handle_t)a);
	orb_cap_delete((cap_handle_t)ready);
	orb_cap_delete((cap_handle_t)go);
}

/* ---- Badges and capability transfer, across processes. ---- */

/* Calls the server once with its id; the reply carries the badge the server saw. */
static int t_child_badge(const char *arg)
{
	cap_handle_t ep = orb_start_cap(0);
	struct orb_msg m = {0};
	struct cap_info ci;
	uint64_t id = t_parse_u64(arg);
	long r;

	T_ERR("badge child: identify its cap", orb_cap_identify(ep, &ci), 0);
	m.tag = IPC_TAG(T_LBL_BADGE, 1, 0);
	m.w[0] = id;
	r = orb_call(ep, &m, T_WAIT_NS);
	T_ERR("badge child: call", r, 0);
	T_EQX("badge child: badge the server saw", m.w[0], ci.badge);
	T_EQX("badge child: reply tag", m.tag, IPC_TAG(T_LBL_BADGE, 1, 0));
	return t_finish("t_caps[badge child]");
}

/* Sends a notification it created: without GRANT (refused), a stale handle (refused or
 * dropped), then with GRANT; the server signals it, which proves the transferred copy works. */
static int t_child_grant(void)
{
	cap_handle_t g = orb_start_cap(0), nog = orb_start_cap(1);
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m = {0};
	long ntfn = orb_ntfn_create(), stale = orb_ntfn_create(), r;

	T_OK("grant child: ntfn_create", ntfn);
	T_CHECK(buf != NULL, "grant child: has an IPC buffer");
	if (!buf || ntfn < 0)
		return t_finish("t_caps[grant child]");
	orb_cap_delete((cap_handle_t)stale);

	buf->send_caps[0] = (cap_handle_t)ntfn;
	m.tag = IPC_TAG(T_LBL_NOGRANT, 0, 1);
	r = orb_call(nog, &m, T_MS(2000));
	T_ERR("grant child: call carrying a cap through SEND-only (no GRANT)", r, -ERR_PERM);

	/* A stale handle in send_caps: refused, or (what ipc.h leaves open) the message goes
	 * through without it, flagged IPC_TAG_CAPS_LOST; never anything else. */
	buf->send_caps[0] = (cap_handle_t)stale;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(T_LBL_STALE, 0, 1);
	r = orb_call(g, &m, T_WAIT_NS);
	T_CHECK(r == -ERR_BADCAP || (r == 0 && m.w[0] == 1),
		"grant child: call carrying a stale handle = %ld (%s), server saw it lost: %llu "
		"(want -ERR_BADCAP, or delivered with CAPS_LOST and no capability)",
		r, t_errname(r), (unsigned long long)(r == 0 ? m.w[0] : 0));

	buf->send_caps[0] = (cap_handle_t)ntfn;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(T_LBL_GRANT, 1, 1);
	m.w[0] = 0x600d;
	r = orb_call(g, &m, T_WAIT_NS);
	T_ERR("grant child: call carrying the notification with GRANT", r, 0);
	T_EQX("grant child: reply word (server identified the cap as a notification)", m.w[0],
	      CAP_TYPE_NOTIFICATION);
	T_EQX("grant child: the server signalled through its copy",
	      orb_ntfn_wait((cap_handle_t)ntfn, T_MS(5000)), T_NTFN_BITS);
	T_ERR("grant child: the cap sent is still ours", orb_ntfn_signal((cap_handle_t)ntfn, 1), 0);
	return t_finish("t_caps[grant child]");
}

/* Serves the badge and grant children: three calls, four if the stale-cap call is delivered. */
static void t_serve_children(cap_handle_t ep)
{
	struct ipc_buffer *buf = orb_ipc_buf();
	bool seen1 = false, seen2 = false, seen_grant = false;

	for (int n = 0; n < 4 && !(seen1 && seen2 && seen_grant); n++) {
		struct orb_msg m = {0};
		struct cap_info ci;
		long r = orb_recv(ep, &m, T_WAIT_NS);

		T_ERR("server: recv", r, 0);
		if (r != 0)
			return;
		switch (IPC_TAG_LABEL(m.tag)) {
		case T_LBL_BADGE:
			if (m.w[0] == 1) {
				T_EQX("server: badge of client 1", m.badge, T_BADGE1);
				seen1 = true;
			} else {
				T_EQX("server: badge of client 2", m.badge, T_BADGE2);
				T_EQ("server: client id", m.w[0], 2);
				seen2 = true;
			}
			m.w[0] = m.badge;
			m.tag = IPC_TAG(T_LBL_BADGE, 1, 0);
			break;
		case T_LBL_GRANT:
			seen_grant = true;
			T_EQX("server: grant message badge", m.badge, T_BADGE_GRANT);
			T_EQX("server: grant message tag (1 word, 1 cap, nothing lost)", m.tag,
			      IPC_TAG(T_LBL_GRANT, 1, 1));
			T_EQX("server: grant message word", m.w[0], 0x600d);
			memset(&ci, 0, sizeof(ci));
			r = orb_cap_identify(buf->recv_caps[0], &ci);
			T_ERR("server: identify(recv_caps[0])", r, 0);
			T_CHECK(ci.type == CAP_TYPE_NOTIFICATION && ci.badge == 0,
				"server: received cap is type %u badge 0x%llx (want %u, 0)",
				ci.type, (unsigned long long)ci.badge, CAP_TYPE_NOTIFICATION);
			T_ERR("server: signal through the received cap",
			      orb_ntfn_signal(buf->recv_caps[0], T_NTFN_BITS), 0);
			T_ERR("server: delete the received cap", orb_cap_delete(buf->recv_caps[0]),
			      0);
			m.w[0] = ci.type;
			m.tag = IPC_TAG(0, 1, 0);
			break;
		case T_LBL_STALE:
			/* Delivered without the stale capability: must say so. */
			T_EQX("server: message with a stale cap arrives with none, CAPS_LOST set",
			      m.tag, IPC_TAG(T_LBL_STALE, 0, 0) | IPC_TAG_CAPS_LOST);
			m.w[0] = m.tag == (IPC_TAG(T_LBL_STALE, 0, 0) | IPC_TAG_CAPS_LOST);
			m.tag = IPC_TAG(0, 1, 0);
			break;
		default:
			T_CHECK(false,
				"server: unexpected message label 0x%x badge 0x%llx (a "
				"refused send was delivered)",
				IPC_TAG_LABEL(m.tag), (unsigned long long)m.badge);
			m.tag = 0;
			break;
		}
		T_ERR("server: reply", orb_reply(&m), 0);
	}
	T_CHECK(seen1 && seen2 && seen_grant, "server: saw client 1 %d, client 2 %d, grant %d",
		seen1, seen2, seen_grant);
}

static void t_check_ipc_caps(void)
{
	long ep = orb_endpoint_create();
	cap_handle_t caps[2], p1 = 0, p2 = 0, pg = 0;
	long b1, b2, g, nog, r1, r2, rg;

	T_OK("endpoint_create", ep);
	b1 = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, T_BADGE1);
	b2 = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, T_BADGE2);
	g = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_GRANT);
	nog = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, T_BADGE_NOGRANT);
	T_CHECK(b1 >= 0 && b2 >= 0 && g >= 0 && nog >= 0, "badged derivations: %ld %ld %ld %ld", b1,
		b2, g, nog);

	caps[0] = (cap_handle_t)b1;
	r1 = t_spawn_role("t_caps", "badge", "1", caps, 1, &p1);
	caps[0] = (cap_handle_t)b2;
	r2 = t_spawn_role("t_caps", "badge", "2", caps, 1, &p2);
	caps[0] = (cap_handle_t)g;
	caps[1] = (cap_handle_t)nog;
	rg = t_spawn_role("t_caps", "grant", NULL, caps, 2, &pg);
	T_CHECK(r1 == 0 && r2 == 0 && rg == 0,
		"spawn badge clients and the grant client: %ld %ld %ld", r1, r2, rg);
	if (r1 || r2 || rg) {
		orb_proc_kill(p1);
		orb_proc_kill(p2);
		orb_proc_kill(pg);
		return;
	}
	t_serve_children((cap_handle_t)ep);
	T_EQ("badge client 1: exit status", t_wait_and_drop(p1), 0);
	T_EQ("badge client 2: exit status", t_wait_and_drop(p2), 0);
	T_EQ("grant client: exit status", t_wait_and_drop(pg), 0);
	T_EQ("revoke(ep) removes the 4 derived caps (the children's copies died with them)",
	     orb_cap_revoke((cap_handle_t)ep), 4);
	orb_cap_delete((cap_handle_t)ep);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "revoked"))
		return t_child_revoked();
	if (t_role_is(argc, argv, "badge"))
		return t_child_badge(argc >= 3 ? argv[2] : NULL);
	if (t_role_is(argc, argv, "grant"))
		return t_child_grant();

	t_check_bad_handles();
	t_check_rights();
	t_check_init_caps();
	t_check_revoke();
	t_check_ipc_caps();
	return t_finish("t_caps");
}
