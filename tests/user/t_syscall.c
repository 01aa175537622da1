/*
 * t_syscall: every system call number, through the real entry path.
 *
 * Run as init (`test=user init=t_syscall`). Parts:
 *   - unassigned: every number below SYS_COUNT that no call has, and numbers
 *     beyond it (SYS_COUNT, 255, 64-bit numbers whose low 32 bits name a call,
 *     the fast path's SYS_CALL among them, 2^40, -1), give -ERR_NOSYS and
 *     leave every argument register and r12 as they were;
 *   - defined: every call of include/orbital/syscall.h reaches a handler:
 *     made with arguments it must refuse (a handle above 0x7fffffff, a zero
 *     size, a misaligned address, a kernel pointer) or harmless ones, each
 *     gives the result its own decoding gives, never -ERR_NOSYS. The two exit
 *     calls are listed but not made.
 *   - leaf: SYS_NOP, which the entry runs without a trap frame
 *     (api/syscall.c), leaves every argument register and r12 as they were,
 *     10,000 times over; a process spinning on it is killed within the
 *     wait's bound (the call leaves interrupts on for user mode: a lost
 *     RFLAGS would keep the kill from ever landing).
 * The kernel's table is checked against the ABI header itself on the host
 * (tests/host/kernel/test_syscall_table.c); this program checks the same
 * through `syscall`. A call added to the ABI is added to t_calls below.
 */
#include "t_check.h"

#define T_BAD_HANDLE 0x80000000ull /* above 0x7fffffff: -ERR_BADCAP, never truncated */
#define T_KERNEL_PTR 0xffffffff80000000ull

/* What a call must give. */
enum t_want {
	T_WANT_ERR,    /* exactly -err */
	T_WANT_ZERO,   /* 0 */
	T_WANT_POS,    /* > 0 */
	T_WANT_HANDLE, /* a handle (>= 0), deleted afterwards */
	T_WANT_SKIP,   /* not made: it would end the program */
};

struct t_call {
	uint64_t nr;
	const char *name;
	enum t_want want;
	long err;
	uint64_t a[6];
};

#define B T_BAD_HANDLE
static struct orb_proc_info t_procs[1];

static const struct t_call t_calls[] = {
    {SYS_NULL, "SYS_NULL", T_WANT_ZERO, 0, {0}},
    {SYS_DEBUG_WRITE, "SYS_DEBUG_WRITE", T_WANT_ERR, ERR_RANGE, {0, 4097}},
    {SYS_YIELD, "SYS_YIELD", T_WANT_ZERO, 0, {0}},
    {SYS_SLEEP, "SYS_SLEEP", T_WANT_ZERO, 0, {0}},
    {SYS_CLOCK, "SYS_CLOCK", T_WANT_POS, 0, {0}},
    {SYS_SYSINFO, "SYS_SYSINFO", T_WANT_ERR, ERR_FAULT, {T_KERNEL_PTR}},
    {SYS_LOG_READ, "SYS_LOG_READ", T_WANT_ERR, ERR_PERM, {B}},
    {SYS_SCREEN_TAKE, "SYS_SCREEN_TAKE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_NOP, "SYS_NOP", T_WANT_ZERO, 0, {B, B, B, B, B, B}},
    {SYS_CAP_IDENTIFY, "SYS_CAP_IDENTIFY", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_CAP_DERIVE, "SYS_CAP_DERIVE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_CAP_DELETE, "SYS_CAP_DELETE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_CAP_REVOKE, "SYS_CAP_REVOKE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_CAP_GRANT, "SYS_CAP_GRANT", T_WANT_ERR, ERR_BADCAP, {B, B}},
    {SYS_CAP_MOVE, "SYS_CAP_MOVE", T_WANT_ERR, ERR_BADCAP, {B, B}},
    {SYS_ENDPOINT_CREATE, "SYS_ENDPOINT_CREATE", T_WANT_HANDLE, 0, {0}},
    {SYS_NTFN_CREATE, "SYS_NTFN_CREATE", T_WANT_HANDLE, 0, {0}},
    {SYS_MEM_CREATE, "SYS_MEM_CREATE", T_WANT_ERR, ERR_INVAL, {0}},
    {SYS_PROC_CREATE, "SYS_PROC_CREATE", T_WANT_ERR, ERR_INVAL, {0}},
    {SYS_THREAD_CREATE, "SYS_THREAD_CREATE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_MEM_MAP, "SYS_MEM_MAP", T_WANT_ERR, ERR_BADCAP, {B, B}},
    {SYS_MEM_UNMAP, "SYS_MEM_UNMAP", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_MEM_PROTECT, "SYS_MEM_PROTECT", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_THREAD_START, "SYS_THREAD_START", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_THREAD_EXIT, "SYS_THREAD_EXIT", T_WANT_SKIP, 0, {0}},
    {SYS_PROC_EXIT, "SYS_PROC_EXIT", T_WANT_SKIP, 0, {0}},
    {SYS_PROC_KILL, "SYS_PROC_KILL", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_PROC_WAIT, "SYS_PROC_WAIT", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_IPC_BUFFER, "SYS_IPC_BUFFER", T_WANT_ERR, ERR_INVAL, {1}},
    {SYS_PROC_WATCH, "SYS_PROC_WATCH", T_WANT_ERR, ERR_BADCAP, {B, B}},
    {SYS_SEND, "SYS_SEND", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_NB_SEND, "SYS_NB_SEND", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_RECV, "SYS_RECV", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_CALL, "SYS_CALL", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_REPLY, "SYS_REPLY", T_WANT_ERR, ERR_NOENT, {0}},
    {SYS_REPLY_RECV, "SYS_REPLY_RECV", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_REPLY_SAVE, "SYS_REPLY_SAVE", T_WANT_ERR, ERR_NOENT, {0}},
    {SYS_REPLY_TO, "SYS_REPLY_TO", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_NTFN_SIGNAL, "SYS_NTFN_SIGNAL", T_WANT_ERR, ERR_BADCAP, {B, 1}},
    {SYS_NTFN_WAIT, "SYS_NTFN_WAIT", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_ENDPOINT_CLOSE, "SYS_ENDPOINT_CLOSE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_IRQ_BIND, "SYS_IRQ_BIND", T_WANT_ERR, ERR_BADCAP, {B, B}},
    {SYS_IRQ_ACK, "SYS_IRQ_ACK", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_IOPORT_ENABLE, "SYS_IOPORT_ENABLE", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_IOPORT_SUB, "SYS_IOPORT_SUB", T_WANT_ERR, ERR_BADCAP, {B, 0, 1}},
    {SYS_POWER, "SYS_POWER", T_WANT_ERR, ERR_BADCAP, {B, ORB_POWER_HALT}},
    {SYS_PROC_LIST, "SYS_PROC_LIST", T_WANT_POS, 0, {(uint64_t)(uintptr_t)t_procs, 1}},
    {SYS_PROC_PID, "SYS_PROC_PID", T_WANT_ERR, ERR_BADCAP, {B}},
    {SYS_QUOTA_CREATE, "SYS_QUOTA_CREATE", T_WANT_ERR, ERR_BADCAP, {B, 4096}},
    {SYS_QUOTA_INFO, "SYS_QUOTA_INFO", T_WANT_ERR, ERR_BADCAP, {B}},
};
#undef B

#define T_NCALLS (sizeof(t_calls) / sizeof(t_calls[0]))

/* The registers a call takes arguments in (r12: the IPC timeout). */
struct t_regs {
	uint64_t rdi, rsi, rdx, r10, r8, r9, r12;
};

/*
 * One `syscall` with every argument register and r12 set from r, and read
 * back into r afterwards. SAFETY: syscall clobbers rcx and r11; the kernel
 * preserves the rest but for rax and, for IPC calls, the registers listed as
 * outputs here; it may write user memory the arguments name ("memory").
 */
static long t_raw(uint64_t nr, struct t_regs *r)
{
	register uint64_t rdi __asm__("rdi") = r->rdi;
	register uint64_t rsi __asm__("rsi") = r->rsi;
	register uint64_t rdx __asm__("rdx") = r->rdx;
	register uint64_t r10 __asm__("r10") = r->r10;
	register uint64_t r8 __asm__("r8") = r->r8;
	register uint64_t r9 __asm__("r9") = r->r9;
	register uint64_t r12 __asm__("r12") = r->r12;
	long rax = (long)nr;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9), "+r"(r12)
			 :
			 : "rcx", "r11", "memory");
	r->rdi = rdi;
	r->rsi = rsi;
	r->rdx = rdx;
	r->r10 = r10;
	r->r8 = r8;
	r->r9 = r9;
	r->r12 = r12;
	return rax;
}

static bool t_defined(uint64_t nr)
{
	for (size_t i = 0; i < T_NCALLS; i++)
		if (t_calls[i].nr == nr)
			return true;
	return false;
}

/* nr must be -ERR_NOSYS with every argument register left as it was. */
static void t_check_nosys(uint64_t nr)
{
	const struct t_regs sent = {0x1111 + nr, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0};
	struct t_regs r = sent;
	long got = t_raw(nr, &r);
	bool kept = memcmp(&r, &sent, sizeof(r)) == 0;
	T_CHECK(got == -ERR_NOSYS && kept, "unassigned number 0x%llx = %ld (%s), registers %s",
		(unsigned long long)nr, got, t_errname(got), kept ? "kept" : "CHANGED");
}

static void t_unassigned(void)
{
	static const uint64_t beyond[] = {
	    SYS_COUNT,
	    SYS_COUNT + 1,
	    255,
	    (1ull << 32) | SYS_CLOCK,
	    (1ull << 32) | SYS_NULL, /* not the entry's null call either */
	    (1ull << 32) | SYS_CALL, /* nor the fast path's */
	    1ull << 40,
	    (1ull << 63) | SYS_YIELD,
	    ~0ull,
	};
	unsigned n = 0;
	for (uint64_t nr = 0; nr < SYS_COUNT; nr++) {
		if (!t_defined(nr)) {
			t_check_nosys(nr);
			n++;
		}
	}
	printf("t_syscall: %u unassigned numbers below SYS_COUNT, %zu calls\n", n, T_NCALLS);
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++)
		t_check_nosys(beyond[i]);
}

static void t_one(const struct t_call *c)
{
	struct t_regs r = {c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5], 0};
	if (c->want == T_WANT_SKIP)
		return;
	long got = t_raw(c->nr, &r);
	bool ok = false;
	switch (c->want) {
	case T_WANT_ERR:
		ok = got == -c->err;
		break;
	case T_WANT_ZERO:
		ok = got == 0;
		break;
	case T_WANT_POS:
		ok = got > 0;
		break;
	case T_WANT_HANDLE:
		ok = got >= 0 && orb_cap_delete((cap_handle_t)got) == 0;
		break;
	case T_WANT_SKIP:
		break;
	}
	T_CHECK(ok && got != -ERR_NOSYS, "%s (%llu) = %ld (%s)", c->name, (unsigned long long)c->nr,
		got, t_errname(got));
}

/* The leaf call: registers kept, and a process spinning on it can be killed. */
static void t_leaf(void)
{
	unsigned changed = 0, nonzero = 0;
	cap_handle_t child = 0;
	for (uint64_t i = 0; i < 10000; i++) {
		const struct t_regs sent = {i, ~i, i << 8, i * 3, i ^ 0x55, ~i << 4, i + 7};
		struct t_regs r = sent;
		nonzero += t_raw(SYS_NOP, &r) != 0;
		changed += memcmp(&r, &sent, sizeof(r)) != 0;
	}
	T_EQ("leaf: SYS_NOP results other than 0", nonzero, 0);
	T_EQ("leaf: SYS_NOP calls that changed an argument register or r12", changed, 0);

	long r = t_spawn_role("t_syscall", "spin", NULL, NULL, 0, &child);
	T_ERR("leaf: spawn a process spinning on SYS_NOP", r, 0);
	if (r < 0)
		return;
	orb_sleep(T_MS(20));
	T_ERR("leaf: kill it", orb_proc_kill(child), 0);
	T_EQ("leaf: it ended killed", orb_proc_wait(child, T_MS(10000)), ORB_EXIT_KILLED);
	orb_cap_delete(child);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "spin"))
		for (;;)
			orb_nop();
	t_unassigned();
	t_leaf();
	for (size_t i = 0; i < T_NCALLS; i++)
		t_one(&t_calls[i]);
	return t_finish("t_syscall");
}
