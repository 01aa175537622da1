/*
 * t_attack: what an ordinary process can throw at the kernel's object life
 * cycles, raced on several CPUs. Every attack here once reset the machine,
 * corrupted memory or leaked kernel bytes; each part checks the rule that
 * stops it.
 *
 * Run as init (`test=user init=t_attack`), on -smp 2 and more. Parts:
 *   - dying: a child whose only thread exits at once; as soon as
 *     SYS_PROC_LIST shows it without threads, the parent tries to attach
 *     things to it (a thread, started; a mapping; a capability granted and
 *     moved; unmap and protect). Once its last thread has ended nothing can be
 *     attached any more: every call is -ERR_DEAD, and the list never shows a
 *     thread-less process as alive after it ran. (Before, the new thread ran
 *     on page tables being freed: a triple fault.) A Thread created but never
 *     started in a process that died cannot be started either.
 *   - ipcbuf: one thread registers its IPC buffer on a page while another
 *     unmaps that page. Whatever the order, once both calls are done the
 *     buffer must not be registered (a send of 8 words then needs a buffer:
 *     -ERR_INVAL). (Before, the registration could survive the unmap and the
 *     kernel wrote message words into the freed frame.)
 *   - leak: SYS_PROC_LIST after the kernel stack was filled with bytes by
 *     SYS_DEBUG_WRITE: every name's tail and the pad word are zero.
 *   - noncanon: a child whose `syscall` is the last instruction below the
 *     top of user space (its return address is not canonical) is killed with
 *     a fault report; the kernel goes on and starts a normal child after it.
 *   - revoke: one thread revokes a wide, deep derivation tree while another
 *     deletes, derives and moves capabilities in it; afterwards nothing
 *     derived from the root before the revoke returned is left.
 * Rounds: attack.rounds=N on the kernel command line (default below);
 * attack.only=K runs part K alone (1..5 in the order above; 0: all).
 */
#include <orb/thread.h>
#include "t_check.h"

#define T_ROUNDS_DEFAULT 200
#define T_CODE_VA	 (T_MAP_BASE + 0x10000)	     /* our view of the victims' code page */
#define T_BUF_VA	 (T_MAP_BASE + 0x20000)	     /* the page the IPC buffer race is about */
#define T_SPARE_VA	 (T_MAP_BASE + 0x30000)	     /* a page the dying victims never get */
#define T_VICTIM_VA	 ORB_USER_LINK		     /* where a victim's code runs */
#define T_TOP_PAGE	 (ORB_USER_TOP - 0x1000)     /* the last page of user space */
#define T_POLL_NS	 (5ull * 1000 * 1000 * 1000) /* bound on waiting for a victim */

static cap_handle_t t_code; /* Memory: one page of victim code */

/* ---- Victims ------------------------------------------------------------ */

/* Writes the victims' code: at 0, SYS_THREAD_EXIT; at the page's end, a
 * SYS_NULL whose `syscall` is the page's last instruction (entry below). */
#define T_TAIL_ENTRY (0x1000 - 7)

static bool t_make_code(void)
{
	long mem = orb_mem_create(0x1000);
	if (mem < 0 || orb_mem_map(orb_self(), (cap_handle_t)mem, T_CODE_VA, 0, 0x1000,
				   ORB_PROT_READ | ORB_PROT_WRITE) != 0)
		return false;
	uint8_t *c = (uint8_t *)(uintptr_t)T_CODE_VA;
	const uint8_t exit_code[] = {0xb8, SYS_THREAD_EXIT, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xfe};
	const uint8_t tail_code[] = {0xb8, SYS_NULL, 0, 0, 0, 0x0f, 0x05};
	memcpy(c, exit_code, sizeof(exit_code));
	memcpy(c + T_TAIL_ENTRY, tail_code, sizeof(tail_code));
	t_code = (cap_handle_t)mem;
	return true;
}

/* A process with the code page mapped executable at va and no thread yet. */
static long t_victim(const char *name, uintptr_t va)
{
	long p = orb_proc_create(16, name);
	if (p < 0)
		return p;
	long r = orb_mem_map((cap_handle_t)p, t_code, va, 0, 0x1000, ORB_PROT_READ | ORB_PROT_EXEC);
	if (r < 0) {
		orb_cap_delete((cap_handle_t)p);
		return r;
	}
	return p;
}

/* ---- Part 1: attaching to a dying process -------------------------------- */

static struct orb_proc_info t_list[64];

/* Polls SYS_PROC_LIST until pid shows no thread; its state then, or -1. */
static long t_wait_threadless(uint32_t pid)
{
	for (uint64_t start = orb_clock(); orb_clock() - start < T_POLL_NS;) {
		long n = orb_syscall2(SYS_PROC_LIST, (long)t_list, 64);
		for (long i = 0; i < n && i < 64; i++)
			if (t_list[i].pid == pid && t_list[i].nthreads == 0)
				return t_list[i].state;
	}
	return -1;
}

struct t_dying {
	unsigned seen_alive; /* thread-less, yet listed alive */
	unsigned lost;	     /* never seen thread-less */
	unsigned attached[6];
	long last[6];
};

static const char *const t_dying_what[6] = {"thread create", "map",   "grant",
					    "move",	     "unmap", "protect"};

static void t_dying_round(struct t_dying *d, cap_handle_t ep)
{
	long p = t_victim("t_attack_victim", T_VICTIM_VA);
	if (p < 0) {
		T_OK("victim process", p);
		return;
	}
	cap_handle_t ph = (cap_handle_t)p;
	uint32_t pid = (uint32_t)orb_syscall1(SYS_PROC_PID, ph);
	long th = orb_thread_create(ph, T_VICTIM_VA, 0, 0, T_PRIO);
	if (th < 0 || orb_thread_start((cap_handle_t)th) != 0) {
		T_OK("victim thread", th);
		orb_cap_delete(ph);
		return;
	}
	long st = t_wait_threadless(pid);
	if (st < 0)
		d->lost++;
	if (st == 0)
		d->seen_alive++;
	/* As fast as possible after the last thread ended: attach things. */
	long r[6];
	r[0] = orb_thread_create(ph, T_VICTIM_VA, 0, 0, T_PRIO);
	if (r[0] >= 0)
		orb_thread_start((cap_handle_t)r[0]); /* (what used to reset the machine) */
	r[1] = orb_mem_map(ph, t_code, T_SPARE_VA, 0, 0x1000, ORB_PROT_READ);
	r[2] = orb_cap_grant(ph, ep, CAP_RIGHT_SEND, 0);
	long dup = orb_cap_derive(ep, CAP_RIGHT_SEND, 0);
	r[3] = dup < 0 ? dup : orb_cap_move(ph, (cap_handle_t)dup);
	if (dup >= 0 && r[3] < 0)
		orb_cap_delete((cap_handle_t)dup);
	r[4] = orb_mem_unmap(ph, T_VICTIM_VA, 0x1000);
	r[5] = orb_mem_protect(ph, T_VICTIM_VA, 0x1000, ORB_PROT_READ);
	for (int i = 0; i < 6; i++) {
		if (r[i] != -ERR_DEAD)
			d->attached[i]++;
		d->last[i] = r[i];
	}
	orb_proc_wait(ph, T_WAIT_NS);
	if (r[0] >= 0)
		orb_cap_delete((cap_handle_t)r[0]);
	orb_cap_delete((cap_handle_t)th);
	orb_cap_delete(ph);
}

static void t_part_dying(unsigned rounds)
{
	struct t_dying d;
	memset(&d, 0, sizeof(d));
	long ep = orb_endpoint_create();
	T_OK("endpoint for the grants", ep);
	for (unsigned i = 0; i < rounds; i++)
		t_dying_round(&d, (cap_handle_t)ep);
	T_EQ("dying: rounds where the victim never showed 0 threads", d.lost, 0);
	T_EQ("dying: rounds where a victim without threads was listed alive", d.seen_alive, 0);
	for (int i = 0; i < 6; i++)
		T_CHECK(d.attached[i] == 0,
			"dying: %s into a process whose last thread ended: %u of %u rounds not "
			"-ERR_DEAD (last %ld)",
			t_dying_what[i], d.attached[i], rounds, d.last[i]);
	orb_cap_delete((cap_handle_t)ep);

	/* A created, never started Thread of a process that then died. */
	long p = t_victim("t_attack_unstarted", T_VICTIM_VA);
	long t1 = p < 0 ? p : orb_thread_create((cap_handle_t)p, T_VICTIM_VA, 0, 0, T_PRIO);
	long t2 = p < 0 ? p : orb_thread_create((cap_handle_t)p, T_VICTIM_VA, 0, 0, T_PRIO);
	if (p < 0 || t1 < 0 || t2 < 0) {
		T_CHECK(false, "unstarted: setup %ld %ld %ld", p, t1, t2);
		return;
	}
	T_OK("unstarted: start the first thread", orb_thread_start((cap_handle_t)t1));
	T_EQ("unstarted: the victim's status", orb_proc_wait((cap_handle_t)p, T_WAIT_NS), 0);
	T_ERR("unstarted: starting its other thread", orb_thread_start((cap_handle_t)t2),
	      -ERR_DEAD);
	T_ERR("unstarted: a new thread",
	      orb_thread_create((cap_handle_t)p, T_VICTIM_VA, 0, 0, T_PRIO), -ERR_DEAD);
	orb_cap_delete((cap_handle_t)t1);
	orb_cap_delete((cap_handle_t)t2);
	orb_cap_delete((cap_handle_t)p);
}

/* ---- Part 2: IPC buffer against unmap ------------------------------------ */

static volatile unsigned t_go, t_done; /* round numbers: start, setter finished */
static volatile long t_set_result;
static volatile bool t_setter_quit;
static cap_handle_t t_probe_ep;
static cap_handle_t t_go_ntfn, t_done_ntfn; /* signalled after every store to t_go, t_done */
static volatile unsigned t_stale, t_set_ok;

/* 8 words need an IPC buffer: -ERR_INVAL tells that none is registered. */
static long t_probe_buffer(void)
{
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(1, 8, 0);
	return orb_nb_send(t_probe_ep, &m);
}

/* Stores v = val and signals n, so a waiter blocked in t_wait_for wakes. */
static void t_post(volatile unsigned *v, unsigned val, cap_handle_t n)
{
	__atomic_store_n(v, val, __ATOMIC_RELEASE);
	orb_ntfn_signal(n, 1);
}

/* Waits for *v == want: spins a while (so both threads race when each has a
 * CPU), then blocks on n, which the other side signals after every store.
 * Never spins for long: a spinning CPU need not let the other thread run (a
 * single-threaded emulator may run this virtual CPU alone for as long as it
 * spins), and the other side may be waiting for this CPU (a TLB shootdown).
 * Bounded by T_WAIT_NS of blocked time: only a hang gets there. Ends
 * early once the part is over (t_setter_quit). */
static bool t_wait_for(volatile unsigned *v, unsigned want, cap_handle_t n)
{
	for (unsigned i = 0; i < 65536; i++) /* well under a millisecond */
		if (__atomic_load_n(v, __ATOMIC_ACQUIRE) == want)
			return true;
	uint64_t start = orb_clock();
	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want) {
		if (orb_clock() - start > T_WAIT_NS || t_setter_quit)
			return false;
		orb_ntfn_wait(n, T_WAIT_NS / 8); /* (a stale signal just loops) */
	}
	return true;
}

static void t_setter(void *arg)
{
	(void)arg;
	struct ipc_buffer *mine = orb_ipc_buf();
	orb_ipc_buffer(NULL);
	for (unsigned round = 1; !t_setter_quit; round++) {
		if (!t_wait_for(&t_go, round, t_go_ntfn))
			break;
		t_set_result = orb_ipc_buffer((struct ipc_buffer *)(uintptr_t)T_BUF_VA);
		t_post(&t_done, round, t_done_ntfn);
		/* The main thread unmaps; once it is through, no buffer may be left. */
		if (!t_wait_for(&t_go, round + 0x80000000u, t_go_ntfn))
			break;
		if (t_set_result == 0)
			t_set_ok++;
		if (t_probe_buffer() != -ERR_INVAL)
			t_stale++;
		orb_ipc_buffer(NULL);
		t_post(&t_done, round + 0x80000000u, t_done_ntfn);
	}
	orb_ipc_buffer(mine);
}

static void t_part_ipcbuf(unsigned rounds)
{
	long mem = orb_mem_create(0x1000);
	t_probe_ep = (cap_handle_t)orb_endpoint_create();
	long go = orb_ntfn_create(), dn = orb_ntfn_create();
	t_go_ntfn = (cap_handle_t)go;
	t_done_ntfn = (cap_handle_t)dn;
	cap_handle_t th;
	T_OK("ipcbuf: memory", mem);
	if (mem < 0 || go < 0 || dn < 0 || orb_thread_spawn(t_setter, NULL, T_PRIO, &th) != 0) {
		T_CHECK(false, "ipcbuf: setter thread");
		return;
	}
	unsigned done = 0;
	for (unsigned round = 1; round <= rounds * 100; round++) {
		long r = orb_mem_map(orb_self(), (cap_handle_t)mem, T_BUF_VA, 0, 0x1000,
				     ORB_PROT_READ | ORB_PROT_WRITE);
		if (r != 0) {
			T_OK("ipcbuf: map the page again", r);
			break;
		}
		t_post(&t_go, round, t_go_ntfn);
		/* Race the setter: spin a little, varying, so either may come first. */
		for (volatile unsigned k = 0; k < (round * 7) % 64; k++)
			;
		orb_mem_unmap(orb_self(), T_BUF_VA, 0x1000);
		if (!t_wait_for(&t_done, round, t_done_ntfn)) {
			T_CHECK(false, "ipcbuf: round %u: the setter did not answer", round);
			break;
		}
		t_post(&t_go, round + 0x80000000u, t_go_ntfn);
		if (!t_wait_for(&t_done, round + 0x80000000u, t_done_ntfn)) {
			T_CHECK(false, "ipcbuf: round %u: the setter did not check", round);
			break;
		}
		done = round;
	}
	t_setter_quit = true;
	t_post(&t_go, 0, t_go_ntfn);
	/* Every round completes whatever the interleaving (the waits block); which
	 * call came first is only reported: the check above holds either way. */
	T_EQ("ipcbuf: rounds completed", done, rounds * 100);
	printf("t_attack: ipcbuf: the registration came first in %u of %u rounds (for "
	       "information)\n",
	       t_set_ok, done);
	T_EQ("ipcbuf: rounds where a buffer stayed registered on an unmapped page", t_stale, 0);
	orb_cap_delete((cap_handle_t)mem);
	orb_cap_delete(t_probe_ep);
	orb_cap_delete(t_go_ntfn);
	orb_cap_delete(t_done_ntfn);
}

/* ---- Part 3: SYS_PROC_LIST leaks nothing ----------------------------------- */

static void t_part_leak(void)
{
	char fill[256];
	unsigned dirty = 0, entries = 0;
	memset(fill, 'Z', sizeof(fill));
	memcpy(fill, "t_attack: stack filler ", 23);
	fill[sizeof(fill) - 1] = '\n';
	/* Names shorter than the field, so their tails are what is checked. */
	long kids[4];
	for (int i = 0; i < 4; i++)
		kids[i] = orb_proc_create(4, i & 1 ? "a" : "tiny");
	for (int round = 0; round < 16; round++) {
		orb_debug_write(fill, sizeof(fill)); /* leaves 'Z's on the kernel stack */
		struct orb_proc_info list[32];
		memset(list, 0, sizeof(list));
		long n = orb_syscall2(SYS_PROC_LIST, (long)list, 32);
		for (long i = 0; i < n && i < 32; i++) {
			const struct orb_proc_info *p = &list[i];
			size_t len = strnlen(p->name, sizeof(p->name));
			bool clean = p->pad == 0;
			for (size_t k = len; k < sizeof(p->name); k++)
				clean = clean && p->name[k] == 0;
			entries++;
			if (!clean)
				dirty++;
		}
	}
	T_CHECK(entries > 0 && dirty == 0,
		"leak: SYS_PROC_LIST entries with kernel bytes in the name's tail or pad: %u of %u",
		dirty, entries);
	for (int i = 0; i < 4; i++)
		if (kids[i] >= 0)
			orb_cap_delete((cap_handle_t)kids[i]);
}

/* ---- Part 4: a return address that is not canonical ------------------------ */

static void t_part_noncanon(void)
{
	static const uint8_t nrs[2] = {SYS_NULL, SYS_YIELD}; /* the entry's shortcut; C */
	for (int round = 0; round < 2; round++) {
		((volatile uint8_t *)(uintptr_t)T_CODE_VA)[T_TAIL_ENTRY + 1] = nrs[round];
		long p = t_victim("t_attack_top", T_TOP_PAGE);
		long th = p < 0 ? p
				: orb_thread_create((cap_handle_t)p, T_TOP_PAGE + T_TAIL_ENTRY, 0,
						    0, T_PRIO);
		if (th < 0) {
			T_CHECK(false, "noncanon: setup: %ld", th);
			return;
		}
		T_OK("noncanon: start the thread whose syscall ends user space",
		     orb_thread_start((cap_handle_t)th));
		long st = orb_proc_wait((cap_handle_t)p, T_WAIT_NS);
		T_CHECK(st == ORB_EXIT_FAULT, "noncanon: its status = %ld (%s; want a fault)", st,
			t_status_name(st));
		orb_cap_delete((cap_handle_t)th);
		orb_cap_delete((cap_handle_t)p);
	}
	long p = t_victim("t_attack_normal", T_VICTIM_VA);
	long th = p < 0 ? p : orb_thread_create((cap_handle_t)p, T_VICTIM_VA, 0, 0, T_PRIO);
	if (th >= 0)
		orb_thread_start((cap_handle_t)th);
	T_EQ("noncanon: a normal child afterwards: status",
	     orb_proc_wait((cap_handle_t)p, T_WAIT_NS), 0);
	if (th >= 0)
		orb_cap_delete((cap_handle_t)th);
	if (p >= 0)
		orb_cap_delete((cap_handle_t)p);
}

/* ---- Part 5: revoke while the tree changes --------------------------------- */

#define T_TREE 600 /* capabilities derived below the root */

static cap_handle_t t_tree[T_TREE];
static volatile bool t_revoke_done, t_mutator_gone;
static volatile unsigned t_mutations;

/* Deletes, derives from and moves capabilities of the tree while it is revoked. */
static void t_mutator(void *arg)
{
	(void)arg;
	unsigned i = 0;
	while (!__atomic_load_n(&t_revoke_done, __ATOMIC_ACQUIRE)) {
		cap_handle_t h = t_tree[(i * 7919u) % T_TREE];
		switch (i % 3) {
		case 0:
			orb_cap_delete(h);
			break;
		case 1: {
			long d = orb_cap_derive(h, CAP_RIGHT_SEND, 0);
			if (d >= 0)
				t_tree[(i * 7919u) % T_TREE] = (cap_handle_t)d;
			break;
		}
		default: {
			long m = orb_cap_move(orb_self(), h);
			if (m >= 0)
				t_tree[(i * 7919u) % T_TREE] = (cap_handle_t)m;
			break;
		}
		}
		i++;
		t_mutations = i;
	}
	__atomic_store_n(&t_mutator_gone, true, __ATOMIC_RELEASE);
}

static void t_part_revoke(unsigned rounds)
{
	unsigned left = 0, removed_total = 0, raced = 0;
	for (unsigned round = 0; round < (rounds + 19) / 20; round++) {
		long root = orb_endpoint_create();
		if (root < 0) {
			T_OK("revoke: root", root);
			return;
		}
		/* Half a chain, half children of chain links: deep and wide. */
		cap_handle_t parent = (cap_handle_t)root;
		for (unsigned i = 0; i < T_TREE; i++) {
			long d = orb_cap_derive(i % 2 ? parent : (cap_handle_t)root,
						CAP_RIGHT_SEND | CAP_RIGHT_RECV, 0);
			t_tree[i] = d < 0 ? 0 : (cap_handle_t)d;
			if (i % 2 == 0 && d >= 0)
				parent = (cap_handle_t)d;
		}
		t_revoke_done = false;
		t_mutator_gone = false;
		t_mutations = 0;
		cap_handle_t th;
		if (orb_thread_spawn(t_mutator, NULL, T_PRIO, &th) != 0) {
			T_CHECK(false, "revoke: mutator thread");
			return;
		}
		while (t_mutations < 20)
			orb_yield();
		unsigned before = t_mutations;
		long n = orb_cap_revoke((cap_handle_t)root);
		unsigned during = t_mutations;
		__atomic_store_n(&t_revoke_done, true, __ATOMIC_RELEASE);
		for (uint64_t s = orb_clock(); !t_mutator_gone && orb_clock() - s < T_WAIT_NS;)
			orb_yield();
		raced += during > before ? 1 : 0;
		if (n > 0)
			removed_total += (unsigned)n;
		/* Whatever the mutator did before the revoke returned is gone; what it
		 * made afterwards derives from handles that were already stale. */
		for (unsigned i = 0; i < T_TREE; i++) {
			struct cap_info ci;
			if (t_tree[i] && orb_cap_identify(t_tree[i], &ci) == 0) {
				left++;
				orb_cap_delete(t_tree[i]);
			}
		}
		orb_cap_delete(th);
		orb_cap_delete((cap_handle_t)root);
	}
	printf("t_attack: revoke: %u capabilities removed; the tree changed while it was "
	       "revoked in %u rounds\n",
	       removed_total, raced);
	T_CHECK(t_mutator_gone, "revoke: the mutator ended");
	T_EQ("revoke: capabilities derived from the root left after its revoke", left, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	unsigned rounds = (unsigned)t_cmdline_u64("attack.rounds", T_ROUNDS_DEFAULT);
	struct orb_sysinfo si = t_sysinfo();
	printf("t_attack: %u CPUs, %u rounds\n", si.ncpus, rounds);
	if (!t_make_code()) {
		T_CHECK(false, "victim code page");
		return t_finish("t_attack");
	}
	unsigned only = (unsigned)t_cmdline_u64("attack.only", 0);
	if (only == 0 || only == 1)
		t_part_dying(rounds);
	if (only == 0 || only == 2)
		t_part_ipcbuf(rounds);
	if (only == 0 || only == 3)
		t_part_leak();
	if (only == 0 || only == 4)
		t_part_noncanon();
	if (only == 0 || only == 5)
		t_part_revoke(rounds);
	return t_finish("t_attack");
}
