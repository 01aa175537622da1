/*
 * t_switch: what a thread switch must carry over and what it must not leak,
 * through the IPC fast path (and, in its other cases, through its C switch,
 * fastpath=c, or the general path alone, fastpath=off), on 1 and 4 CPUs.
 *
 * Run as init (`test=user init=t_switch`). The parts:
 *   - fpu: a client and a server process ping-pong T_ROUNDS calls; before
 *     every call (and reply_recv) each side loads its own fresh values into
 *     all 16 XMM registers (and the upper halves of the YMM ones when the CPU
 *     and the kernel enable AVX) in the same inline assembly as the system
 *     call, and checks them right after it. Every fifth round the client also
 *     yields with its values loaded. Another thread's values, or stale ones,
 *     are a failure;
 *   - badge: T_NCLIENTS threads of the client, each with its own badged
 *     capability, call at once; the server checks that each message came with
 *     the badge of the thread that sent it, and each thread that its reply
 *     carries its own badge, sequence number and words (a message delivered
 *     to the wrong thread, or a badge lost, fails);
 *   - short: calls and replies of 0 to 4 words, each sent from registers
 *     that still hold words of an earlier message beyond its count; every
 *     word beyond the count must arrive as 0 on both sides, the counted ones
 *     unchanged (the kernel copies only what the tag counts);
 *   - stale: the fast path keeps a copy of the capability a thread used
 *     last; a call through a capability that was deleted, or revoked through
 *     its parent, must fail, one without SEND must be refused each time, and
 *     every call through a live one must carry its own badge;
 *   - yield: a second process and the client yield to each other with their
 *     own register values loaded and check them after every yield;
 *   - fresh: a new thread's first instruction stores its registers: they
 *     must be the clean initial state (all zero), not what the thread that
 *     ran before it (this one, which loads a pattern and yields) left;
 *   - io: this process (init) opens ports 0x60-0x64 and ping-pongs with a
 *     server process that has none; after each reply it reads port 0x64 (its
 *     bitmap must be back), and finally the server reads it and must be
 *     killed by the fault (the bitmap must have been closed for it).
 */
#include <orb/thread.h>
#include <orb/ioport.h>
#include "t_check.h"

#define T_ROUNDS    2000
#define T_NCLIENTS  3
#define T_THREAD_RN 600
#define T_YIELDS    600
#define T_IO_ROUNDS 300
#define T_BADGE0    0x5100u

#define T_OP_PING  1u
#define T_OP_IO	   2u /* the server reads port 0x64: it has no ports, so it must die */
#define T_OP_QUIT  3u
#define T_OP_SHORT 4u /* words as t_short_word; the reply has one more (0 after 4) */

#define T_SHORT_ROUNDS 500

/* The 16 XMM registers, then the upper halves of the 16 YMM registers. */
#define T_NWORDS 64
struct t_regs {
	uint64_t w[T_NWORDS];
} __attribute__((aligned(16)));

/* Read by the assembly below (so not static). */
int t_avx; /* user mode may use AVX: CPUID says so and the kernel enabled it */
struct t_regs t_fresh_got;

static uint64_t t_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void t_detect_avx(void)
{
	uint32_t a, b, c, d, lo, hi;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)) || !(c & (1u << 28))) /* OSXSAVE, AVX */
		return;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	t_avx = (lo & 6) == 6; /* SSE and AVX state enabled in XCR0 */
}

static void t_fill(struct t_regs *r, uint64_t seed)
{
	for (unsigned i = 0; i < T_NWORDS; i++)
		r->w[i] = t_mix(seed * T_NWORDS + i);
}

/* Words of got that differ from want (the YMM halves only with AVX). */
static unsigned t_differs(const struct t_regs *want, const struct t_regs *got)
{
	unsigned n = 0, words = t_avx ? T_NWORDS : 32;
	for (unsigned i = 0; i < words; i++)
		n += got->w[i] != want->w[i];
	return n;
}

#define T_LD(n)	 "movdqu " #n "*16(%%rbx), %%xmm" #n "\n\t"
#define T_ST(n)	 "movdqu %%xmm" #n ", " #n "*16(%%r13)\n\t"
#define T_LDY(n) "vinsertf128 $1, 256+" #n "*16(%%rbx), %%ymm" #n ", %%ymm" #n "\n\t"
#define T_STY(n) "vextractf128 $1, %%ymm" #n ", 256+" #n "*16(%%r13)\n\t"
#define T_ALL(m)                                                                                   \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)

/*
 * System call nr (an IPC call with message m, or SYS_YIELD) with the vector
 * registers loaded from *set just before `syscall` and stored into *got
 * right after it, in one piece of assembly, so no compiler code runs between.
 */
static long t_sys_regs(long nr, cap_handle_t ep, struct orb_msg *m, const struct t_regs *set,
		       struct t_regs *got)
{
	long r;
	register uint64_t rdi __asm__("rdi") = ep;
	register uint64_t rsi __asm__("rsi") = m->tag;
	register uint64_t rdx __asm__("rdx") = m->w[0];
	register uint64_t r10 __asm__("r10") = m->w[1];
	register uint64_t r8 __asm__("r8") = m->w[2];
	register uint64_t r9 __asm__("r9") = m->w[3];
	register uint64_t r12 __asm__("r12") = IPC_TIMEOUT_NEVER;
	register const struct t_regs *rbx __asm__("rbx") = set;
	register struct t_regs *r13 __asm__("r13") = got;
	register long r14 __asm__("r14") = t_avx;
	/* SAFETY: only the vector registers (declared clobbered) and the system
	 * call's own registers change; set and got are 64 words each. */
	__asm__ volatile(
	    T_ALL(T_LD) "testq %%r14, %%r14\n\tjz 1f\n\t" T_ALL(
		T_LDY) "1:\n\t"
		       "syscall\n\t" T_ALL(T_ST) "testq %%r14, %%r14\n\tjz 2f\n\t" T_ALL(
			   T_STY) "2:\n\t"
	    : "=a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	    : "a"(nr), "r"(r12), "r"(rbx), "r"(r13), "r"(r14)
	    : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
	      "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	if (r == 0 && nr != SYS_YIELD) {
		m->badge = rdi;
		m->tag = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
	}
	return r;
}

/* ---- The server (a process of its own, no ports). ---- */

/* Word i of a short message of n words (never 0); a stale word is another value. */
static uint64_t t_short_word(unsigned n, unsigned i)
{
	return 0xab00u + n * 16 + i;
}

/* Whether m holds exactly words w(n, i) ^ x below its count n and 0 beyond. */
static bool t_short_ok(const struct orb_msg *m, uint64_t x)
{
	unsigned n = IPC_TAG_NWORDS(m->tag);
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		if (m->w[i] != (i < n ? t_short_word(n, i) ^ x : 0))
			return false;
	return n <= IPC_REG_WORDS;
}

/* Makes m a short message of n words, with stale words beyond them. */
static void t_short_fill(struct orb_msg *m, unsigned n, uint64_t x)
{
	m->tag = IPC_TAG(T_OP_SHORT, n, 0);
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		m->w[i] = i < n ? t_short_word(n, i) ^ x : 0x57a1e000u + i;
}

static int t_server(void)
{
	cap_handle_t ep = orb_start_cap(0);
	struct orb_msg m = {0};
	struct t_regs set, got;
	uint64_t bad_regs = 0, bad_badge = 0, served = 0, bad_short = 0;
	long r = orb_recv(ep, &m, T_WAIT_NS);
	while (r == 0) {
		uint32_t op = IPC_TAG_LABEL(m.tag);
		if (op == T_OP_QUIT) {
			m.tag = IPC_TAG(T_OP_QUIT, 4, 0);
			m.w[0] = bad_regs;
			m.w[1] = bad_badge;
			m.w[2] = served;
			m.w[3] = bad_short;
			orb_reply(&m);
			return 0;
		}
		if (op == T_OP_SHORT) {
			bad_short += !t_short_ok(&m, 0);
			t_short_fill(&m, (IPC_TAG_NWORDS(m.tag) + 1) % (IPC_REG_WORDS + 1), 1);
			r = orb_reply_recv(ep, &m, IPC_TIMEOUT_NEVER);
			continue;
		}
		if (op == T_OP_IO) {
			(void)inb(0x64); /* no ports here: must fault */
			return 5;
		}
		/* w[0] = the client thread's index, w[3] = the badge it was given. */
		if (m.badge != T_BADGE0 + m.w[0] || m.w[3] != m.badge)
			bad_badge++;
		served++;
		uint64_t k = m.w[0];
		m.tag = IPC_TAG(T_OP_PING, 4, 0);
		m.w[0] = m.badge;
		m.w[1]++;
		m.w[2] = ~m.w[2];
		m.w[3] = k;
		t_fill(&set, 0x5e4e4ull << 20 ^ served);
		r = t_sys_regs(SYS_REPLY_RECV, ep, &m, &set, &got);
		bad_regs += t_differs(&set, &got) != 0;
	}
	return 3;
}

/* ---- Clients. ---- */

struct t_client {
	cap_handle_t ep; /* SEND, badged T_BADGE0 + k */
	unsigned k, rounds;
	unsigned bad_regs, bad_msg;
	cap_handle_t done;
};

static void t_client_run(struct t_client *c)
{
	struct t_regs set, got;
	for (unsigned i = 0; i < c->rounds; i++) {
		struct orb_msg m = {0};
		uint64_t salt = t_mix((uint64_t)c->k << 32 | i);
		m.tag = IPC_TAG(T_OP_PING, 4, 0);
		m.w[0] = c->k;
		m.w[1] = i;
		m.w[2] = salt;
		m.w[3] = T_BADGE0 + c->k;
		t_fill(&set, (uint64_t)c->k << 40 ^ (uint64_t)i << 1);
		long r = t_sys_regs(SYS_CALL, c->ep, &m, &set, &got);
		c->bad_regs += t_differs(&set, &got) != 0;
		if (r != 0 || m.w[0] != T_BADGE0 + c->k || m.w[1] != i + 1u || m.w[2] != ~salt ||
		    m.w[3] != c->k)
			c->bad_msg++;
		if (i % 5 == 4) {
			t_fill(&set, (uint64_t)c->k << 40 ^ (uint64_t)i << 1 ^ 1);
			t_sys_regs(SYS_YIELD, 0, &m, &set, &got);
			c->bad_regs += t_differs(&set, &got) != 0;
		}
	}
}

static void t_client_thread(void *arg)
{
	struct t_client *c = arg;
	t_client_run(c);
	orb_ntfn_signal(c->done, 1ull << c->k);
}

static void t_check_fpu_and_badges(cap_handle_t ep)
{
	static struct t_client tc[T_NCLIENTS + 1];
	long done = orb_ntfn_create();
	T_OK("ntfn_create", done);
	for (unsigned k = 0; k <= T_NCLIENTS; k++) {
		tc[k].k = k;
		tc[k].rounds = k ? T_THREAD_RN : T_ROUNDS;
		tc[k].done = (cap_handle_t)done;
		tc[k].ep = (cap_handle_t)orb_cap_derive(ep, CAP_RIGHT_SEND, T_BADGE0 + k);
	}
	/* fpu: one client, so every call and reply can take the fast path. */
	t_client_run(&tc[0]);
	T_EQ("fpu: calls whose registers changed across the call or a yield", tc[0].bad_regs, 0);
	T_EQ("fpu: replies with the wrong badge or words", tc[0].bad_msg, 0);

	/* badge: several threads at once, each with its own badge. */
	unsigned started = 0;
	uint64_t want = 0;
	for (unsigned k = 1; k <= T_NCLIENTS; k++) {
		cap_handle_t th = 0;
		long r = orb_thread_spawn(t_client_thread, &tc[k], T_PRIO, &th);
		T_ERR("badge: spawn a client thread", r, 0);
		if (r == 0) {
			started++;
			want |= 1ull << k;
		}
	}
	T_EQX("badge: client threads finished", t_wait_bits((cap_handle_t)done, want, T_WAIT_NS),
	      want);
	unsigned bad_regs = 0, bad_msg = 0;
	for (unsigned k = 1; k <= T_NCLIENTS; k++) {
		bad_regs += tc[k].bad_regs;
		bad_msg += tc[k].bad_msg;
	}
	T_EQ("badge: threads started", started, T_NCLIENTS);
	T_EQ("badge: replies with another thread's badge, number or words", bad_msg, 0);
	T_EQ("badge: calls of the threads whose registers changed", bad_regs, 0);
	for (unsigned k = 0; k <= T_NCLIENTS; k++)
		orb_cap_delete(tc[k].ep);
	orb_cap_delete((cap_handle_t)done);
}

/* ---- short: no word beyond a message's count arrives. ---- */

static void t_check_short(cap_handle_t ep)
{
	unsigned bad = 0;
	for (unsigned k = 0; k < T_SHORT_ROUNDS; k++) {
		unsigned n = k % (IPC_REG_WORDS + 1);
		struct orb_msg m;
		t_short_fill(&m, n, 0);
		long r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
		if (r != 0 || IPC_TAG_NWORDS(m.tag) != (n + 1) % (IPC_REG_WORDS + 1) ||
		    !t_short_ok(&m, 1))
			bad++;
	}
	T_EQ("short: replies with a wrong word, or one beyond the count that was not 0", bad, 0);
}

/* ---- stale: the fast path's copy of a capability never outlives it. ---- */

#define T_STALE_CALLS 7 /* the successful calls t_check_stale makes */

/* A call through h with the badge T_BADGE0 + k; the badge that came back, or -ERR_*. */
static long t_call_badge(cap_handle_t h, unsigned k)
{
	struct orb_msg m = {0};
	m.tag = IPC_TAG(T_OP_PING, 4, 0);
	m.w[0] = k;
	m.w[1] = 0;
	m.w[3] = T_BADGE0 + k;
	long r = orb_call(h, &m, IPC_TIMEOUT_NEVER);
	return r ? r : (long)m.w[0];
}

static void t_check_stale(cap_handle_t ep)
{
	long a = orb_cap_derive(ep, CAP_RIGHT_SEND, T_BADGE0 + 10);
	T_OK("stale: derive A", a);
	T_EQ("stale: call through A (fills the copy)", t_call_badge((cap_handle_t)a, 10),
	     T_BADGE0 + 10);
	T_EQ("stale: again, A's badge", t_call_badge((cap_handle_t)a, 10), T_BADGE0 + 10);
	T_EQ("stale: delete A", orb_cap_delete((cap_handle_t)a), 0);
	T_EQ("stale: call through deleted A", t_call_badge((cap_handle_t)a, 10), -ERR_BADCAP);
	long b = orb_cap_derive(ep, CAP_RIGHT_SEND, T_BADGE0 + 11);
	T_OK("stale: derive B", b);
	T_EQ("stale: call through B, B's badge", t_call_badge((cap_handle_t)b, 11), T_BADGE0 + 11);
	long r = orb_cap_derive(ep, CAP_RIGHT_RECV, 0);
	T_OK("stale: derive R (RECV only)", r);
	T_EQ("stale: call through R", t_call_badge((cap_handle_t)r, 0), -ERR_PERM);
	T_EQ("stale: call through R again", t_call_badge((cap_handle_t)r, 0), -ERR_PERM);
	T_EQ("stale: B after R, B's badge", t_call_badge((cap_handle_t)b, 11), T_BADGE0 + 11);
	long p = orb_cap_derive(ep, CAP_RIGHT_SEND, 0);
	long q = p < 0 ? p : orb_cap_derive((cap_handle_t)p, CAP_RIGHT_SEND, T_BADGE0 + 12);
	T_OK("stale: derive Q from P", q);
	T_EQ("stale: call through Q", t_call_badge((cap_handle_t)q, 12), T_BADGE0 + 12);
	T_EQ("stale: Q again", t_call_badge((cap_handle_t)q, 12), T_BADGE0 + 12);
	T_EQ("stale: revoke P (removes Q)", orb_cap_revoke((cap_handle_t)p), 1);
	T_EQ("stale: call through revoked Q", t_call_badge((cap_handle_t)q, 12), -ERR_BADCAP);
	T_EQ("stale: B still, B's badge", t_call_badge((cap_handle_t)b, 11), T_BADGE0 + 11);
	orb_cap_delete((cap_handle_t)b);
	orb_cap_delete((cap_handle_t)r);
	orb_cap_delete((cap_handle_t)p);
}

/* ---- yield: two processes yield to each other with their own values. ---- */

static unsigned t_yield_rounds(uint64_t who, unsigned n)
{
	struct t_regs set, got;
	struct orb_msg m = {0};
	unsigned bad = 0;
	for (unsigned i = 0; i < n; i++) {
		t_fill(&set, who << 48 ^ i);
		t_sys_regs(SYS_YIELD, 0, &m, &set, &got);
		bad += t_differs(&set, &got) != 0;
	}
	return bad;
}

static void t_check_yield(void)
{
	cap_handle_t proc = 0;
	T_EQ("yield: spawn the other process",
	     t_spawn_role("t_switch", "yielder", NULL, NULL, 0, &proc), 0);
	T_EQ("yield: our registers changed across a yield", t_yield_rounds(1, T_YIELDS), 0);
	T_EQ("yield: the other process saw none changed (exit status)", t_wait_and_drop(proc), 0);
}

/* ---- fresh: a new thread starts with the clean state. ---- */

static volatile int t_fresh_done;
static uint8_t t_fresh_stack[8192] __attribute__((aligned(16)));

/* The new thread's first instructions: store every vector register, then C. */
void t_fresh_entry(void);
_Noreturn void t_fresh_main(void);
__asm__(".text\n"
	".globl t_fresh_entry\n"
	"t_fresh_entry:\n"
#define T_FST(n)  "movdqu %xmm" #n ", t_fresh_got+" #n "*16(%rip)\n"
#define T_FSTY(n) "vextractf128 $1, %ymm" #n ", t_fresh_got+256+" #n "*16(%rip)\n"
	T_ALL(T_FST) "cmpl $0, t_avx(%rip)\n"
		     "je 1f\n" T_ALL(T_FSTY) "1:\n"
					     "andq $-16, %rsp\n"
					     "call t_fresh_main\n"
					     "ud2\n");

_Noreturn void t_fresh_main(void)
{
	t_fresh_done = 1;
	orb_thread_exit();
}

static void t_check_fresh(void)
{
	struct t_regs secret, got, zero;
	struct orb_msg m = {0};
	memset(&zero, 0, sizeof(zero));
	t_fill(&secret, 0x5ec2e7);
	long th = orb_thread_create(orb_self(), (uintptr_t)t_fresh_entry,
				    (uintptr_t)(t_fresh_stack + sizeof(t_fresh_stack)), 0, T_PRIO);
	T_OK("fresh: thread_create", th);
	if (th < 0)
		return;
	T_EQ("fresh: thread_start", orb_thread_start((cap_handle_t)th), 0);
	/* Leave our pattern in the registers at every switch until it ran. */
	for (unsigned i = 0; i < 100000 && !t_fresh_done; i++)
		t_sys_regs(SYS_YIELD, 0, &m, &secret, &got);
	T_EQ("fresh: the new thread ran", t_fresh_done, 1);
	T_EQ("fresh: words of the new thread's first registers that are not the clean state",
	     t_differs(&zero, &t_fresh_got), 0);
	orb_cap_delete((cap_handle_t)th);
}

/* ---- io: the I/O bitmap follows the process. ---- */

static void t_check_io(const struct orb_init_info *ii)
{
	long ep = orb_endpoint_create(), r;
	long io = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, 0x60, 5);
	cap_handle_t caps[1], proc = 0;
	T_OK("io: endpoint_create", ep);
	T_OK("io: ioport_sub(0x60, 5)", io);
	T_EQ("io: enable our ports", orb_ioport_enable((cap_handle_t)io), 0);
	caps[0] = (cap_handle_t)ep;
	T_EQ("io: spawn a server without ports",
	     t_spawn_role("t_switch", "server", NULL, caps, 1, &proc), 0);
	unsigned bad = 0;
	for (unsigned i = 0; i < T_IO_ROUNDS; i++) {
		struct orb_msg m = {0};
		m.tag = IPC_TAG(T_OP_PING, 4, 0);
		m.w[0] = 0;
		m.w[1] = i;
		m.w[3] = T_BADGE0; /* the server checks badge == T_BADGE0 + w[0]: unbadged is 0 */
		r = orb_call((cap_handle_t)ep, &m, IPC_TIMEOUT_NEVER);
		bad += r != 0 || m.w[1] != i + 1u;
		(void)inb(0x64); /* ours again: a fault here ends the test */
	}
	T_EQ("io: calls that failed", bad, 0);
	printf("ok: io: %u reads of port 0x64 between calls\n", T_IO_ROUNDS);
	struct orb_msg m = {0};
	m.tag = IPC_TAG(T_OP_IO, 0, 0);
	r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
	T_CHECK(r != 0, "io: the server's read of port 0x64 ended its call (%ld)", r);
	T_EQ("io: the server is killed by the fault", t_wait_and_drop(proc), ORB_EXIT_FAULT);
	orb_cap_delete((cap_handle_t)io);
	orb_cap_delete((cap_handle_t)ep);
}

int main(int argc, char **argv)
{
	t_detect_avx();
	if (t_role_is(argc, argv, "server"))
		return t_server();
	if (t_role_is(argc, argv, "yielder"))
		return t_yield_rounds(2, T_YIELDS) ? 1 : 0;

	const struct orb_init_info *ii = orb_init_info();
	struct orb_sysinfo si = t_sysinfo();
	printf("t_switch: %u CPUs, AVX %s\n", (unsigned)si.ncpus, t_avx ? "on" : "off");
	if (!ii)
		return t_finish("t_switch");

	cap_handle_t server = 0, caps[1];
	long ep = orb_endpoint_create(), r;
	T_OK("endpoint_create", ep);
	caps[0] = (cap_handle_t)ep;
	r = t_spawn_role("t_switch", "server", NULL, caps, 1, &server);
	T_ERR("spawn the server", r, 0);
	if (ep >= 0 && r == 0) {
		t_check_fpu_and_badges((cap_handle_t)ep);
		t_check_stale((cap_handle_t)ep);
		t_check_short((cap_handle_t)ep);
		struct orb_msg m = {0};
		m.tag = IPC_TAG(T_OP_QUIT, 0, 0);
		r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
		T_ERR("quit call", r, 0);
		T_EQ("server: replies whose registers changed across reply_recv", m.w[0], 0);
		T_EQ("server: messages with a badge not of their sender", m.w[1], 0);
		T_EQ("server: calls served", m.w[2],
		     T_ROUNDS + T_NCLIENTS * T_THREAD_RN + T_STALE_CALLS);
		T_EQ("server: short messages with a wrong word, or one beyond the count not 0",
		     m.w[3], 0);
		T_EQ("server: exit status", t_wait_and_drop(server), 0);
	}
	orb_cap_delete((cap_handle_t)ep);
	t_check_yield();
	t_check_fresh();
	t_check_io(ii);
	return t_finish("t_switch");
}
