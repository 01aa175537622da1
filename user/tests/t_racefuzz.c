/*
 * t_racefuzz: system calls made at once by several threads of several
 * processes, on the same objects, to find races in the kernel.
 *
 * Run as init (`test=user init=t_racefuzz`); tests/qemu/fuzz_kernel.py
 * (`make fuzz-kernel`) boots it on 1, 2 and 4 CPUs under single- and
 * multi-threaded TCG. Kernel command line: race.seed=N (the run is
 * replayable from it: every round's seed is derived from it and printed),
 * race.seconds=N and race.calls=N (the run ends when either is reached,
 * checked between rounds), race.round_ms=N (length of a round), race.procs=N
 * and race.threads=N (workers per round, threads per worker), race.ops=BITS
 * (the kinds of steps made, see r_step: to narrow down what a failure needs)
 * and race.kill=0 (no worker killed in the middle of a round).
 *
 * A round: init (the controller) creates the round's shared objects (two
 * endpoints, a badged SEND|GRANT copy of one, a notification, two Memory
 * objects, a page of code for victims and the shared statistics page) and
 * starts race.procs workers (this program, role "race"), each with copies of
 * them. Each worker starts race.threads threads that make calls until the
 * controller says stop; the controller kills one worker at a random moment
 * in half of the rounds (a process torn down while its threads are in calls
 * and its peers talk to it), and kills any worker that has not stopped. The
 * threads of a worker share one pool of handles per object type, so they
 * race on the same objects: arguments are drawn from those pools (live,
 * deleted, revoked and neighbouring handles, as syzkaller does), from recent
 * addresses and sizes near boundaries, and now and then at random. Besides
 * single random calls, a thread runs short sequences that set up the known
 * races: a victim process whose only thread exits at once while siblings
 * create threads in it, map into it and kill it; an IPC buffer registered on
 * a page of the worker's arena that a sibling unmaps while the kernel copies
 * message words into it; endpoints closed and capabilities revoked while
 * other threads call through them; SYS_PROC_LIST and SYS_SYSINFO into
 * buffers filled with a pattern, to see every padding byte come back zero.
 *
 * What a worker may not do (the exclusions that keep it alive): its own
 * Process handle is never an argument of a random call (so it cannot kill
 * itself or map over its own code); it maps, unmaps and protects only its
 * arena, and its threads never touch the arena themselves (the kernel alone
 * reads and writes it); an IPC buffer is its thread's private page, an arena
 * address, 0 or a bad address; the kernel writes at most 64 KiB into a
 * thread's scratch buffer (followed by slack); every timeout is bounded;
 * SYS_PROC_EXIT and SYS_THREAD_EXIT are not made. Victims run only the code
 * page's stubs, which end by themselves.
 *
 * Checks: every result is >= 0 or one of -1..-ERR_MAX, and a number from
 * SYS_COUNT to 2 * SYS_COUNT - 1 gives -ERR_NOSYS (the defined calls are
 * t_fuzz_gen.h's list); padding copied out is zero; after each round, with
 * everything it created gone, the memory freed equals what an idle round
 * (same workers and threads, no calls) frees (leaked frames); and no worker
 * goes R_HANG_NS of guest time without finishing a call, nor survives a kill
 * (hangs). Failures are printed as "FAIL: ..." lines with the round's seed;
 * the last lines are "t_racefuzz: calls N, ..." and the usual summary.
 */
#include "t_check.h"
#include "t_fuzz_gen.h"

#define R_MAX_WORKERS 6
#define R_MAX_THREADS 8
#define R_POOL	      16
#define R_ARENA	      0x0000600000000000ull /* a worker's arena: mapped and unmapped at will */
#define R_WIN	      0x10000ull	    /* arena windows of 64 KiB */
#define R_NWIN	      32		    /* the arena's last window is never mapped */
#define R_SHARED_VA   0x0000580000000000ull /* the statistics page, in init and the workers */
#define R_VCODE	      0x10000000ull	    /* victims: the code page */
#define R_VSTACK      0x20000000ull	    /* victims: a stack top (nothing mapped) */
#define R_OUT_MAX     65536		    /* bytes the kernel may write into a scratch buffer */
#define R_HANG_NS     (20ull * 1000 * 1000 * 1000)
#define R_STOP_NS     (15ull * 1000 * 1000 * 1000)
#define R_BURST	      1000 /* threads: more than a round has at once, to fill kernel caches */
#define R_REPORT_MAX  4	   /* FAIL lines printed per worker and kind (all are counted) */

/* Start capabilities of a worker (copies of init's). */
enum {
	RC_EP0,
	RC_EP1,
	RC_EP0_SEND,
	RC_NTFN,
	RC_MEM_SMALL,
	RC_MEM_BIG,
	RC_CODE,
	RC_SHARED,
	RC_COUNT
};

/* The page init shares with the workers of a round. */
struct r_shared {
	uint64_t go;	  /* set by init: the threads start */
	uint64_t stop;	  /* set by init: the threads stop */
	uint64_t nocalls; /* the idle round: threads start, then only wait for stop */
	uint64_t ready[R_MAX_WORKERS];
	uint64_t calls[R_MAX_WORKERS][R_MAX_THREADS];
	uint64_t bad[R_MAX_WORKERS];
	uint64_t padding[R_MAX_WORKERS];
};
_Static_assert(sizeof(struct r_shared) <= 4096, "one page");

/* Victim code: stubs at fixed offsets of the code page. */
static const uint8_t r_code[] = {
    /* 0: thread exit */ 0xb8, 41, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b,
    /* 9: process exit(0) */ 0xb8, 42, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0x0f, 0x0b,
    /* 20: 200 yields (ebx counts; sub/ja ends on any start value), then thread exit */
    0xbb, 200, 0, 0, 0, 0xb8, 2, 0, 0, 0, 0x0f, 0x05, 0x83, 0xeb, 0x01, 0x77, 0xf4, 0xb8, 41, 0, 0,
    0, 0x0f, 0x05, 0x0f, 0x0b,
    /* 46: fault (ud2) */ 0x0f, 0x0b};
static const uint16_t r_entries[] = {0, 0, 9, 20, 46};

enum { K_PROC, K_THREAD, K_EP, K_NTFN, K_MEM, K_REPLY, K_ANY, K_NKINDS };

/* ---- A worker's state, shared by its threads. ---- */

static cap_handle_t r_pool[K_NKINDS][R_POOL]; /* atomic: written and read by every thread */
static unsigned r_pool_next[K_NKINDS];
static uint64_t r_addrs[16]; /* recent arena addresses */
static unsigned r_addrs_next;
static cap_handle_t r_self; /* the worker's own Process handle: never a random argument */
static struct r_shared *r_sh;
static unsigned r_widx;
static uint64_t r_seed;
static unsigned r_ops; /* race.ops: the kinds of steps made (bits, see r_step) */

struct r_thread {
	uint64_t rng;
	unsigned idx;
	uint64_t calls, bad, padding;
	bool buf_private; /* the registered IPC buffer is priv */
	struct ipc_buffer *priv;
	uint8_t *scratch; /* R_OUT_MAX bytes, then slack */
};

static uint8_t r_priv[R_MAX_THREADS][4096] __attribute__((aligned(4096)));
static uint8_t r_scratch[R_MAX_THREADS][R_OUT_MAX + 4096] __attribute__((aligned(4096)));
static struct r_thread r_threads[R_MAX_THREADS];

static uint64_t r_next(struct r_thread *t)
{
	uint64_t x = (t->rng += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t r_below(struct r_thread *t, uint64_t n)
{
	return r_next(t) % n;
}

static uint64_t r_mix(uint64_t a, uint64_t b)
{
	struct r_thread t = {.rng = a ^ (b * 0x9e3779b97f4a7c15ull)};
	return r_next(&t);
}

static cap_handle_t r_pool_get(unsigned k, unsigned i)
{
	return __atomic_load_n(&r_pool[k][i % R_POOL], __ATOMIC_RELAXED);
}

/* True for the worker's own Process handle and the capabilities init gave it. */
static bool r_is_start(cap_handle_t h)
{
	if (h == r_self)
		return true;
	for (unsigned i = 0; i < RC_COUNT; i++)
		if (h == orb_start_cap(i))
			return true;
	return false;
}

/* Adds a handle; the one it replaces is deleted half the time (while others may use it). */
static void r_pool_add(struct r_thread *t, unsigned k, cap_handle_t h)
{
	unsigned i = __atomic_fetch_add(&r_pool_next[k], 1, __ATOMIC_RELAXED) % R_POOL;
	cap_handle_t old = __atomic_exchange_n(&r_pool[k][i], h, __ATOMIC_RELAXED);
	if (k != K_ANY)
		__atomic_store_n(&r_pool[K_ANY][r_below(t, R_POOL)], h, __ATOMIC_RELAXED);
	if (old && old != h && !r_is_start(old) && r_below(t, 2) == 0) {
		uint64_t a[6] = {old, 0, 0, 0, 0, 0};
		t_syscall(SYS_CAP_DELETE, a, 0);
		t->calls++;
	}
}

/* ---- Arguments. ---- */

enum {
	A_NUM,
	A_PROC,
	A_THREAD,
	A_EP,
	A_NTFN,
	A_MEM,
	A_REPLY,
	A_CAP,
	A_ADDR,
	A_OFF,
	A_SIZE,
	A_PROT,
	A_RIGHTS,
	A_BADGE,
	A_OUT,
	A_IN,
	A_TIMEOUT,
	A_TAG,
	A_WORD,
	A_SLOTS,
	A_NAME,
	A_PRIO,
	A_ENTRY,
	A_STACK,
	A_IPCBUF,
};

static uint64_t r_handle(struct r_thread *t, unsigned k)
{
	uint64_t p = r_below(t, 100), h;

	if (p < 70)
		return r_pool_get(k, (unsigned)r_below(t, R_POOL));
	if (p < 80)
		return r_pool_get(K_ANY, (unsigned)r_below(t, R_POOL));
	if (p < 90) { /* a neighbour: the next or previous slot or generation */
		h = r_pool_get(r_below(t, 2) ? k : K_ANY, (unsigned)r_below(t, R_POOL));
		switch (r_below(t, 4)) {
		case 0:
			return h + 1;
		case 1:
			return h - 1;
		case 2:
			return h + CAP_MAX_SLOTS;
		default:
			return h - CAP_MAX_SLOTS;
		}
	}
	if (p < 95)
		return orb_start_cap((unsigned)r_below(t, RC_COUNT + 2));
	switch (r_below(t, 4)) {
	case 0:
		return CAP_HANDLE(r_below(t, 32), 1 + r_below(t, 3));
	case 1:
		return CAP_HANDLE(r_below(t, CAP_MAX_SLOTS), r_next(t));
	case 2:
		return (uint64_t[]){0, 0x7fffffff, 0xffffffff, ~0ull}[r_below(t, 4)];
	default:
		return r_pool_get(k, (unsigned)r_below(t, R_POOL)) |
		       (1ull << (31 + r_below(t, 33)));
	}
}

static uint64_t r_bad_pointer(struct r_thread *t)
{
	switch (r_below(t, 7)) {
	case 0:
		return 0xffffffff80000000ull + (r_next(t) & 0x3ffffff); /* kernel image */
	case 1:
		return 0xffff800000000000ull + (r_next(t) & 0xfffffff); /* direct map */
	case 2:
		return r_below(t, ORB_USER_MIN); /* null page and below */
	case 3:
		return ORB_USER_TOP - r_below(t, 64); /* straddling the top */
	case 4:
		return ORB_USER_TOP + (r_next(t) & 0xffff); /* non-canonical */
	case 5:
		return (uintptr_t)&r_bad_pointer + r_below(t, 256); /* read-only text */
	default:
		return R_ARENA + R_NWIN * R_WIN + (r_next(t) & 0xfffff); /* never mapped */
	}
}

static uint64_t r_arena_addr(struct r_thread *t)
{
	if (r_below(t, 2))
		return __atomic_load_n(&r_addrs[r_below(t, 16)], __ATOMIC_RELAXED);
	return R_ARENA + r_below(t, R_NWIN - 1) * R_WIN + (r_below(t, 4) == 0 ? 0x1000 : 0);
}

static uint64_t r_size(struct r_thread *t)
{
	static const uint64_t sizes[] = {0,
					 1,
					 4095,
					 4096,
					 4097,
					 8192,
					 65536 - 4096,
					 65536,
					 65536 + 4096,
					 1ull << 20,
					 1ull << 32,
					 1ull << 47,
					 ~0ull - 4095,
					 ~0ull,
					 1ull << 63};
	if (r_below(t, 8) == 0)
		return r_next(t) >> r_below(t, 64);
	return sizes[r_below(t, sizeof(sizes) / sizeof(sizes[0]))];
}

/* Where the kernel may write: the thread's scratch buffer, the arena, bad addresses. */
static uint64_t r_out(struct r_thread *t)
{
	switch (r_below(t, 6)) {
	case 0:
	case 1:
		return (uintptr_t)t->scratch + r_below(t, 4096);
	case 2:
		return (uintptr_t)t->scratch + (r_below(t, 4096) & ~7ull);
	case 3:
		return r_arena_addr(t) + r_below(t, 4096);
	default:
		return r_bad_pointer(t);
	}
}

static uint64_t r_timeout(struct r_thread *t)
{
	uint64_t p = r_below(t, 10);
	if (p < 5)
		return 0;
	if (p < 9)
		return r_below(t, 200000);
	return r_below(t, 2000000);
}

static uint64_t r_tag(struct r_thread *t)
{
	uint64_t nw = r_below(t, 4)   ? r_below(t, 9)
		      : r_below(t, 2) ? IPC_MAX_WORDS
				      : r_below(t, 256);
	uint64_t nc = r_below(t, 3) ? 0 : r_below(t, r_below(t, 8) ? IPC_MAX_CAPS + 1 : 16);
	if (r_below(t, 32) == 0)
		return r_next(t);
	return IPC_TAG(r_below(t, 8), nw, nc);
}

static uint64_t r_arg(struct r_thread *t, unsigned kind)
{
	switch (kind) {
	case A_PROC:
		return r_handle(t, K_PROC);
	case A_THREAD:
		return r_handle(t, K_THREAD);
	case A_EP:
		return r_handle(t, K_EP);
	case A_NTFN:
		return r_handle(t, K_NTFN);
	case A_MEM:
		return r_handle(t, K_MEM);
	case A_REPLY:
		return r_handle(t, K_REPLY);
	case A_CAP:
		return r_handle(t, (unsigned)r_below(t, K_NKINDS));
	case A_ADDR:
		switch (r_below(t, 6)) {
		case 0:
		case 1:
			return r_arena_addr(t);
		case 2:
			return R_VCODE + (r_below(t, 3) - 1) * 4096;
		case 3:
			return R_VSTACK - 4096 * r_below(t, 3);
		case 4:
			return r_bad_pointer(t) & (r_below(t, 2) ? ~0xfffull : ~0ull);
		default:
			return r_next(t) & (r_below(t, 2) ? 0x00007ffffffff000ull : ~0ull);
		}
	case A_OFF:
		return r_below(t, 2) ? 0 : r_below(t, 2) ? 4096 * r_below(t, 17) : r_size(t);
	case A_SIZE:
		return r_size(t);
	case A_PROT:
		return r_below(t, 16) ? r_below(t, 8) : r_next(t);
	case A_RIGHTS:
		return r_below(t, 16) ? r_below(t, 256) : r_next(t);
	case A_BADGE:
		return r_below(t, 2) ? 0 : r_below(t, 2) ? r_below(t, 16) : r_next(t);
	case A_OUT:
		return r_out(t);
	case A_IN:
		return r_below(t, 2) ? (uintptr_t)t->scratch : r_out(t);
	case A_TIMEOUT:
		return r_timeout(t);
	case A_TAG:
		return r_tag(t);
	case A_SLOTS:
		return r_below(t, 8) ? 1 + r_below(t, 32) : r_size(t);
	case A_NAME:
		return r_below(t, 4) ? (uintptr_t) "victim" : r_out(t);
	case A_PRIO:
		return r_below(t, 8) ? r_below(t, T_PRIO + 1) : r_below(t, 256);
	case A_ENTRY:
		return r_below(t, 4) ? R_VCODE + r_entries[r_below(t, sizeof(r_entries) / 2)]
				     : r_arg(t, A_ADDR);
	case A_STACK:
		return r_below(t, 2) ? R_VSTACK : r_arg(t, A_ADDR);
	case A_IPCBUF:
		switch (r_below(t, 10)) {
		case 0:
		case 1:
		case 2:
		case 3:
			return (uintptr_t)t->priv;
		case 4:
		case 5:
		case 6:
			return r_arena_addr(t) + (r_below(t, 8) == 0 ? 8 : 0);
		case 7:
			return 0;
		default:
			return r_bad_pointer(t);
		}
	case A_WORD:
		return r_below(t, 4) ? r_below(t, 64) : r_next(t);
	default:
		return r_below(t, 2) ? r_below(t, 256) : r_size(t);
	}
}

/* The argument kinds of call n (a call this table does not know gets numbers and handles). */
static void r_sig(long n, unsigned k[6])
{
	static const struct {
		long n;
		unsigned char k[6];
	} sigs[] = {
	    {SYS_SLEEP, {A_TIMEOUT}},
	    {SYS_SYSINFO, {A_OUT}},
	    {SYS_CAP_IDENTIFY, {A_CAP, A_OUT}},
	    {SYS_CAP_DERIVE, {A_CAP, A_RIGHTS, A_BADGE}},
	    {SYS_CAP_DELETE, {A_CAP}},
	    {SYS_CAP_REVOKE, {A_CAP}},
	    {SYS_CAP_GRANT, {A_PROC, A_CAP, A_RIGHTS, A_BADGE}},
	    {SYS_CAP_MOVE, {A_PROC, A_CAP}},
	    {SYS_MEM_CREATE, {A_SIZE}},
	    {SYS_PROC_CREATE, {A_SLOTS, A_NAME}},
	    {SYS_THREAD_CREATE, {A_PROC, A_ENTRY, A_STACK, A_WORD, A_PRIO}},
	    {SYS_MEM_MAP, {A_PROC, A_MEM, A_ADDR, A_OFF, A_SIZE, A_PROT}},
	    {SYS_MEM_UNMAP, {A_PROC, A_ADDR, A_SIZE}},
	    {SYS_MEM_PROTECT, {A_PROC, A_ADDR, A_SIZE, A_PROT}},
	    {SYS_THREAD_START, {A_THREAD}},
	    {SYS_PROC_KILL, {A_PROC}},
	    {SYS_PROC_WAIT, {A_PROC, A_TIMEOUT}},
	    {SYS_IPC_BUFFER, {A_IPCBUF}},
	    {SYS_SEND, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_NB_SEND, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_RECV, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_CALL, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_REPLY, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_REPLY_RECV, {A_EP, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_REPLY_TO, {A_REPLY, A_TAG, A_WORD, A_WORD, A_WORD, A_WORD}},
	    {SYS_NTFN_SIGNAL, {A_NTFN, A_WORD}},
	    {SYS_NTFN_WAIT, {A_NTFN, A_TIMEOUT}},
	    {SYS_IRQ_BIND, {A_CAP, A_NTFN}},
	    {SYS_IRQ_ACK, {A_CAP}},
	    {SYS_IOPORT_ENABLE, {A_CAP}},
	    {SYS_IOPORT_SUB, {A_CAP, A_NUM, A_NUM}},
	    {SYS_POWER, {A_CAP, A_NUM}},
	    {SYS_SCREEN_TAKE, {A_MEM}},
	    {SYS_LOG_READ, {A_CAP, A_OUT, A_OUT, A_SIZE}},
	    {SYS_PROC_LIST, {A_OUT, A_NUM}},
	    {SYS_PROC_PID, {A_PROC}},
	    {SYS_PROC_WATCH, {A_PROC, A_NTFN, A_WORD}},
	    {SYS_ENDPOINT_CLOSE, {A_EP}},
#ifdef SYS_QUOTA_CREATE
	    {SYS_QUOTA_CREATE, {A_CAP, A_SIZE}},
	    {SYS_QUOTA_INFO, {A_CAP, A_OUT}},
#endif
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigs[i].n == n) {
			for (int j = 0; j < 6; j++)
				k[j] = sigs[i].k[j] ? sigs[i].k[j] : A_NUM;
			return;
		}
	}
	for (int j = 0; j < 6; j++)
		k[j] = j % 3 == 0 ? A_CAP : A_NUM;
}

/* Keeps the kernel's writes into the scratch buffer inside it (and the debug log quiet). */
static void r_shape(struct r_thread *t, long n, uint64_t a[6])
{
	uintptr_t lo = (uintptr_t)t->scratch, hi = lo + R_OUT_MAX;
	switch (n) {
	case SYS_PROC_LIST:
		if (a[0] >= lo && a[0] < hi && a[1] > 4096 / sizeof(struct orb_proc_info))
			a[1] %= 4096 / sizeof(struct orb_proc_info);
		break;
	case SYS_LOG_READ:
		if (a[2] >= lo && a[2] < hi)
			a[3] &= 0xfff;
		break;
	case SYS_MEM_CREATE:
		if (a[0] > 65536 && a[0] < (1ull << 40))
			a[0] &= 0x1ffff;
		break;
	case SYS_DEBUG_WRITE:
		/* A fixed line now and then; else nothing, or bad pointers and lengths (never
		 * bytes of our own memory: no binary noise in the log). */
		a[0] = r_below(t, 2) ? (uintptr_t)t_dots : r_bad_pointer(t);
		a[1] = r_below(t, 64) == 0 ? sizeof(t_dots) - 1 : r_below(t, 2) ? 0 : r_size(t);
		if ((a[0] == (uintptr_t)t_dots && a[1] != sizeof(t_dots) - 1) ||
		    (a[0] != (uintptr_t)t_dots && a[0] < ORB_USER_TOP && a[1] <= 4096))
			a[1] = 0;
		break;
	default:
		break;
	}
	for (int i = 0; i < 6; i++)
		if (a[i] == r_self)
			a[i] = 0;
}

/* ---- Making calls. ---- */

static void r_fail(struct r_thread *t, uint64_t *count, const char *what, long n,
		   const uint64_t a[6], long r)
{
	char line[240];
	int len;

	if ((*count)++ >= R_REPORT_MAX)
		return;
	len =
	    snprintf(line, sizeof(line),
		     "FAIL: race worker %u thread %u (seed 0x%llx): %s: call %ld (%llx %llx %llx "
		     "%llx %llx %llx) returned %ld\n",
		     r_widx, t->idx, (unsigned long long)r_seed, what, n, (unsigned long long)a[0],
		     (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
		     (unsigned long long)a[4], (unsigned long long)a[5], r);
	orb_debug_write(line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}

/* One call: checked, counted, and its new handle (if any) added to the pools. */
static long r_call(struct r_thread *t, long n, uint64_t a[6], uint64_t timeout)
{
	uint64_t in[6];
	long r;

	memcpy(in, a, sizeof(in));
	r = t_syscall(n, a, timeout);
	t->calls++;
	__atomic_store_n(&r_sh->calls[r_widx][t->idx], t->calls, __ATOMIC_RELAXED);
	if (n >= SYS_COUNT && n < 2 * SYS_COUNT && r != -ERR_NOSYS) {
		r_fail(t, &t->bad, "an undefined number is not -ERR_NOSYS", n, in, r);
		__atomic_store_n(&r_sh->bad[r_widx], t->bad, __ATOMIC_RELAXED);
	} else if (r < -ERR_MAX && n != SYS_CLOCK) {
		r_fail(t, &t->bad, "result outside the error codes", n, in, r);
		__atomic_store_n(&r_sh->bad[r_widx], t->bad, __ATOMIC_RELAXED);
	}
	if (r < 0)
		return r;
	switch (n) {
	case SYS_PROC_CREATE:
		r_pool_add(t, K_PROC, (cap_handle_t)r);
		break;
	case SYS_THREAD_CREATE:
		r_pool_add(t, K_THREAD, (cap_handle_t)r);
		break;
	case SYS_ENDPOINT_CREATE:
		r_pool_add(t, K_EP, (cap_handle_t)r);
		break;
	case SYS_NTFN_CREATE:
		r_pool_add(t, K_NTFN, (cap_handle_t)r);
		break;
	case SYS_MEM_CREATE:
		r_pool_add(t, K_MEM, (cap_handle_t)r);
		break;
	case SYS_REPLY_SAVE:
		r_pool_add(t, K_REPLY, (cap_handle_t)r);
		break;
	case SYS_CAP_DERIVE: {
		struct cap_info ci;
		uint64_t b[6] = {(uint64_t)r, (uintptr_t)&ci, 0, 0, 0, 0};
		static const unsigned char kind[CAP_TYPE_COUNT] = {
		    [CAP_TYPE_ENDPOINT] = K_EP,	  [CAP_TYPE_NOTIFICATION] = K_NTFN,
		    [CAP_TYPE_REPLY] = K_REPLY,	  [CAP_TYPE_PROCESS] = K_PROC,
		    [CAP_TYPE_THREAD] = K_THREAD, [CAP_TYPE_MEMORY] = K_MEM};
		long ri = t_syscall(SYS_CAP_IDENTIFY, b, 0);
		t->calls++;
		r_pool_add(t,
			   ri == 0 && ci.type < CAP_TYPE_COUNT && ci.type ? kind[ci.type] : K_ANY,
			   (cap_handle_t)r);
		break;
	}
	case SYS_RECV:
	case SYS_REPLY_RECV:
	case SYS_CALL:
		/* a[1]: the tag received (t_syscall writes the registers back). */
		if (t->buf_private && r == 0 && IPC_TAG_NCAPS(a[1]))
			for (unsigned i = 0; i < IPC_TAG_NCAPS(a[1]) && i < IPC_MAX_CAPS; i++)
				r_pool_add(t, K_ANY, t->priv->recv_caps[i]);
		break;
	default:
		break;
	}
	return r;
}

static long r_call6(struct r_thread *t, long n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5)
{
	uint64_t a[6] = {a0, a1, a2, a3, a4, a5};
	return r_call(t, n, a, 0);
}

/* A random call: a defined number most of the time, arguments by its signature. */
static void r_random_call(struct r_thread *t)
{
	uint64_t p = r_below(t, 100), a[6];
	unsigned k[6];
	long n;

	if (p < 94)
		n = t_defined[r_below(t, T_NDEFINED)];
	else if (p < 98)
		n = SYS_COUNT + (long)r_below(t, SYS_COUNT);
	else
		n = (long)((r_next(t) & ~0xffffffffull) | (0x100 + r_below(t, 0xfffffe00ull)));
	if (n == SYS_PROC_EXIT || n == SYS_THREAD_EXIT)
		return;
	r_sig(n, k);
	for (int i = 0; i < 6; i++)
		a[i] = r_arg(t, k[i]);
	r_shape(t, n, a);
	if (t->buf_private && (n == SYS_SEND || n == SYS_CALL || n == SYS_NB_SEND ||
			       n == SYS_REPLY || n == SYS_REPLY_RECV || n == SYS_REPLY_TO))
		for (unsigned i = 0; i < IPC_MAX_CAPS; i++) {
			cap_handle_t h = (cap_handle_t)r_arg(t, A_CAP);
			t->priv->send_caps[i] = h == r_self ? 0 : h;
		}
	r_call(t, n, a, n >= SYS_SEND && n <= SYS_REPLY_TO ? r_timeout(t) : 0);
}

/* A victim whose threads run a stub: often its only thread exits at once, so the process
 * dies while the siblings (who find it in the pool) create threads in it and map into it. */
static void r_op_victim(struct r_thread *t)
{
	long v = r_call6(t, SYS_PROC_CREATE, 1 + r_below(t, 16), (uintptr_t) "victim", 0, 0, 0, 0);
	unsigned nth = 1 + (unsigned)r_below(t, 3);

	if (v < 0)
		return;
	r_call6(t, SYS_MEM_MAP, (uint64_t)v, orb_start_cap(RC_CODE), R_VCODE, 0, 4096,
		ORB_PROT_READ | ORB_PROT_EXEC);
	for (unsigned i = 0; i < nth; i++) {
		uint64_t entry = R_VCODE + r_entries[r_below(t, sizeof(r_entries) / 2)];
		long th = r_call6(t, SYS_THREAD_CREATE, (uint64_t)v, entry, R_VSTACK, 0,
				  r_below(t, T_PRIO + 1), 0);
		if (th >= 0 && r_below(t, 4))
			r_call6(t, SYS_THREAD_START, (uint64_t)th, 0, 0, 0, 0, 0);
	}
	if (r_below(t, 3) == 0)
		r_call6(t, SYS_PROC_KILL, (uint64_t)v, 0, 0, 0, 0, 0);
}

/* Maps a Memory object into the worker's own arena (a window of 64 KiB). */
static void r_op_map_self(struct r_thread *t)
{
	uint64_t win = R_ARENA + r_below(t, R_NWIN - 1) * R_WIN;
	uint64_t len = (uint64_t[]){4096, 8192, 65536}[r_below(t, 3)];
	uint64_t mem = r_below(t, 3) ? r_handle(t, K_MEM)
				     : orb_start_cap(r_below(t, 2) ? RC_MEM_SMALL : RC_MEM_BIG);
	uint64_t prot = r_below(t, 8) ? ORB_PROT_READ | ORB_PROT_WRITE : r_below(t, 8);

	if (mem == r_self)
		return;
	if (r_call6(t, SYS_MEM_MAP, r_self, mem, win, r_below(t, 4) ? 0 : 4096, len, prot) == 0)
		__atomic_store_n(
		    &r_addrs[__atomic_fetch_add(&r_addrs_next, 1, __ATOMIC_RELAXED) % 16], win,
		    __ATOMIC_RELAXED);
}

/* Unmaps (or re-protects) part of the arena, often a page someone uses as an IPC buffer. */
static void r_op_unmap_self(struct r_thread *t)
{
	uint64_t at = r_arena_addr(t), end = R_ARENA + (R_NWIN - 1) * R_WIN;
	uint64_t len = (uint64_t[]){4096, 8192, 65536, 2 * 65536}[r_below(t, 4)];

	if (at < R_ARENA || at >= end)
		return;
	at &= ~0xfffull;
	if (len > end - at)
		len = end - at;
	if (r_below(t, 4))
		r_call6(t, SYS_MEM_UNMAP, r_self, at, len, 0, 0, 0);
	else
		r_call6(t, SYS_MEM_PROTECT, r_self, at, len, r_below(t, 8), 0, 0);
}

/* Registers an IPC buffer, then at once receives or sends a long message through it. */
static void r_op_ipc_buffer(struct r_thread *t)
{
	uint64_t buf = r_arg(t, A_IPCBUF), a[6];
	long r = r_call6(t, SYS_IPC_BUFFER, buf, 0, 0, 0, 0, 0);
	long n;

	if (r == 0)
		t->buf_private = buf == (uintptr_t)t->priv;
	n = (long[]){SYS_RECV, SYS_CALL, SYS_SEND, SYS_REPLY_RECV, SYS_NB_SEND}[r_below(t, 5)];
	a[0] = r_below(t, 4) ? orb_start_cap((unsigned)r_below(t, 3)) : r_handle(t, K_EP);
	a[1] = IPC_TAG(1, 4 + r_below(t, IPC_MAX_WORDS - 3), t->buf_private ? r_below(t, 3) : 0);
	for (int i = 2; i < 6; i++)
		a[i] = r_next(t);
	if (t->buf_private)
		for (unsigned i = 0; i < IPC_MAX_CAPS; i++) {
			cap_handle_t h = (cap_handle_t)r_handle(t, K_ANY);
			t->priv->send_caps[i] = h == r_self ? 0 : h;
		}
	r_shape(t, n, a);
	r_call(t, n, a, r_timeout(t) + 10000);
}

/* SYS_PROC_LIST and SYS_SYSINFO into a pattern: every padding byte must come back zero. */
static void r_op_padding(struct r_thread *t)
{
	struct orb_proc_info *pi = (struct orb_proc_info *)t->scratch;
	struct orb_sysinfo *si = (struct orb_sysinfo *)(t->scratch + 2048);
	unsigned n = 1 + (unsigned)r_below(t, 32);
	uint64_t a[6] = {(uintptr_t)pi, n, 0, 0, 0, 0};
	long r;

	memset(t->scratch, 0xa5, 4096);
	r = r_call(t, SYS_PROC_LIST, a, 0);
	for (long i = 0; r > 0 && i < r && i < (long)n; i++) {
		size_t len = strnlen(pi[i].name, sizeof(pi[i].name));
		bool clean = pi[i].pad == 0;
		for (size_t j = len; j < sizeof(pi[i].name); j++)
			clean = clean && pi[i].name[j] == 0;
		if (!clean) {
			uint64_t b[6] = {(uintptr_t)pi, n, (uint64_t)i, pi[i].pad, 0, 0};
			r_fail(t, &t->padding,
			       "SYS_PROC_LIST entry (a2) has pad (a3) or name tail not zeroed",
			       SYS_PROC_LIST, b, r);
			__atomic_store_n(&r_sh->padding[r_widx], t->padding, __ATOMIC_RELAXED);
			break;
		}
	}
	/* struct orb_sysinfo has no padding: every field is the kernel's own figure. */
	a[0] = (uintptr_t)si;
	r_call(t, SYS_SYSINFO, a, 0);
}

/* What a thread does next: one of the sequences (those race.ops enables), else a random
 * call (unless race.ops leaves them out: bit 5). */
static void r_step(struct r_thread *t)
{
	static void (*const ops[])(struct r_thread *) = {
	    r_op_victim, r_op_map_self, r_op_unmap_self, r_op_ipc_buffer, r_op_padding};
	static const unsigned char upto[] = {6, 12, 17, 24, 26};
	uint64_t p = r_below(t, 100);

	for (unsigned i = 0; i < sizeof(upto); i++)
		if (p < upto[i]) {
			if (r_ops & (1u << i))
				ops[i](t);
			return;
		}
	if (r_ops & (1u << 5))
		r_random_call(t);
}

static void r_thread_main(void *arg)
{
	struct r_thread *t = arg;

	__atomic_fetch_add(&r_sh->ready[r_widx], 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&r_sh->stop, __ATOMIC_RELAXED)) {
		if (__atomic_load_n(&r_sh->nocalls, __ATOMIC_RELAXED))
			orb_sleep(T_MS(1));
		else
			r_step(t);
	}
}

static uint8_t r_stacks[R_MAX_THREADS][65536] __attribute__((aligned(16)));

/* A thread's entry (rdi = its struct r_thread): it fuzzes, then exits. */
static _Noreturn void r_thread_entry(struct r_thread *t)
{
	r_thread_main(t);
	orb_thread_exit();
}

/* A worker: "SEED:INDEX:NTHREADS:OPS". Returns when init says stop (its other threads are
 * ended with the process). */
static int r_worker(const char *arg)
{
	const char *p = arg;
	uint64_t v[4] = {0, 0, 0, 0};
	unsigned nthreads;

	for (int i = 0; i < 4 && p; i++) {
		char word[24];
		size_t n = 0;
		while (p[n] && p[n] != ':' && n < sizeof(word) - 1) {
			word[n] = p[n];
			n++;
		}
		word[n] = 0;
		v[i] = t_parse_u64(word);
		p = p[n] == ':' ? p + n + 1 : NULL;
	}
	r_seed = v[0];
	r_widx = v[1] < R_MAX_WORKERS ? (unsigned)v[1] : 0;
	nthreads = v[2] >= 1 && v[2] <= R_MAX_THREADS ? (unsigned)v[2] : 1;
	r_ops = (unsigned)v[3];
	r_self = orb_self();
	if (orb_mem_map(r_self, orb_start_cap(RC_SHARED), R_SHARED_VA, 0, 4096,
			ORB_PROT_READ | ORB_PROT_WRITE) != 0)
		return 2;
	r_sh = (struct r_shared *)R_SHARED_VA;
	/* Nothing may map the statistics page again (aliased in the arena, the kernel would
	 * write IPC words over the counts): its handle goes, before any random call. */
	orb_cap_delete(orb_start_cap(RC_SHARED));

	for (unsigned k = 0; k < K_NKINDS; k++)
		for (unsigned i = 0; i < R_POOL; i++)
			r_pool[k][i] = orb_start_cap((unsigned)(k + i) % RC_SHARED);
	r_pool[K_EP][0] = orb_start_cap(RC_EP0);
	r_pool[K_EP][1] = orb_start_cap(RC_EP1);
	r_pool[K_EP][2] = orb_start_cap(RC_EP0_SEND);
	r_pool[K_NTFN][0] = orb_start_cap(RC_NTFN);
	r_pool[K_MEM][0] = orb_start_cap(RC_MEM_SMALL);
	r_pool[K_MEM][1] = orb_start_cap(RC_MEM_BIG);
	for (unsigned i = 0; i < 16; i++)
		r_addrs[i] = R_ARENA + i * R_WIN;
	for (unsigned i = 0; i < nthreads; i++) {
		struct r_thread *t = &r_threads[i];
		t->rng = r_mix(r_seed, r_widx * 16 + i);
		t->idx = i;
		t->priv = (struct ipc_buffer *)r_priv[i];
		t->scratch = r_scratch[i];
	}

	for (uint64_t t0 = orb_clock(); !__atomic_load_n(&r_sh->go, __ATOMIC_RELAXED);) {
		if (orb_clock() - t0 > T_WAIT_NS)
			return 4;
		orb_sleep(T_MS(1));
	}
	for (unsigned i = 1; i < nthreads; i++) {
		/* Stacks in our image: no Memory handle of ours may name them (the library's
		 * threads keep one, which a random call could map into the arena, where the
		 * kernel writes). rsp as after a call: 8 below a 16-byte boundary. */
		uintptr_t top = (uintptr_t)r_stacks[i] + sizeof(r_stacks[i]) - 8;
		long th = orb_thread_create(r_self, (uintptr_t)r_thread_entry, top,
					    (uintptr_t)&r_threads[i], T_PRIO);
		if (th < 0 || orb_thread_start((cap_handle_t)th) != 0)
			return 3;
		orb_cap_delete((cap_handle_t)th);
	}
	r_thread_main(&r_threads[0]);
	return 0;
}

/* ---- init: the rounds. ---- */

static long r_burst(void)
{
	static cap_handle_t th[R_BURST];
	long p = orb_proc_create(4, "burst"), made = 0, st;

	if (p < 0)
		return p;
	while (made < R_BURST) {
		long t = orb_thread_create((cap_handle_t)p, ORB_USER_LINK, ORB_STACK_TOP, 0, 0);
		if (t < 0)
			break;
		th[made++] = (cap_handle_t)t;
	}
	orb_proc_kill((cap_handle_t)p);
	st = orb_proc_wait((cap_handle_t)p, T_MS(60000)); /* slow on 4 CPUs emulated on 2 cores */
	for (long i = 0; i < made; i++)
		orb_cap_delete(th[i]);
	orb_cap_delete((cap_handle_t)p);
	t_settle();
	return st == ORB_EXIT_KILLED ? made : -1;
}

struct r_config {
	uint64_t seed, seconds, calls, round_ms;
	unsigned procs, threads, ops;
	bool kill; /* race.kill=0: init kills no worker before the round ends */
};

struct r_round {
	uint64_t calls, bad, padding, hangs;
	int64_t freed;	   /* bytes given back from "workers idle" to "all gone" */
	long procs_left;   /* processes still there when the round ended */
	long threads_left; /* threads (kernel objects) still there after the round */
};

static struct r_shared *r_init_sh = (struct r_shared *)R_SHARED_VA;

static uint64_t r_worker_calls(unsigned w)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < R_MAX_THREADS; i++)
		s += __atomic_load_n(&r_init_sh->calls[w][i], __ATOMIC_RELAXED);
	return s;
}

/* Waits (up to R_STOP_NS) until the process and thread counts are back to those of *before,
 * then for free memory to settle; returns the last reading. */
static struct orb_sysinfo r_wait_counts(const struct orb_sysinfo *before)
{
	uint64_t start = orb_clock();
	struct orb_sysinfo si = t_sysinfo();

	while ((si.nprocs > before->nprocs || si.nthreads > before->nthreads) &&
	       orb_clock() - start < R_STOP_NS) {
		orb_sleep(T_MS(20));
		si = t_sysinfo();
	}
	return t_settle();
}

/* Waits for a worker to end (killing it after R_STOP_NS); false if it would not die. */
static bool r_reap(cap_handle_t proc)
{
	long st = orb_proc_wait(proc, R_STOP_NS);
	if (st == -ERR_TIMEOUT) {
		orb_proc_kill(proc);
		st = orb_proc_wait(proc, R_STOP_NS);
	}
	return st != -ERR_TIMEOUT;
}

static void r_run_round(const struct r_config *c, uint64_t seed, bool idle, unsigned round,
			struct r_round *out)
{
	struct r_thread rt = {.rng = seed};
	long ep0 = orb_endpoint_create(), ep1 = orb_endpoint_create(), ntfn = orb_ntfn_create();
	long small = orb_mem_create(4096), big = orb_mem_create(65536),
	     shared = orb_mem_create(4096);
	long code = orb_mem_create(4096), code_rx, send;
	cap_handle_t caps[RC_COUNT], procs[R_MAX_WORKERS];
	uint64_t last_calls[R_MAX_WORKERS], last_progress[R_MAX_WORKERS], start, kill_at;
	bool alive[R_MAX_WORKERS];
	unsigned kill_victim = (unsigned)r_below(&rt, c->procs);
	struct orb_sysinfo before;
	uint64_t free_alive;
	unsigned tables_alive;
	char arg[64];

	memset(out, 0, sizeof(*out));
	send = ep0 < 0
		   ? ep0
		   : orb_cap_derive((cap_handle_t)ep0, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0x7ace);
	code_rx = code < 0 ? code
			   : orb_cap_derive((cap_handle_t)code,
					    CAP_RIGHT_READ | CAP_RIGHT_EXEC | CAP_RIGHT_MAP, 0);
	if (ep0 < 0 || ep1 < 0 || ntfn < 0 || small < 0 || big < 0 || shared < 0 || code < 0 ||
	    send < 0 || code_rx < 0) {
		T_CHECK(false, "round %u: the shared objects: %ld %ld %ld %ld %ld %ld %ld %ld %ld",
			round, ep0, ep1, ntfn, small, big, shared, code, send, code_rx);
		return;
	}
	/* The victims' code page, and the statistics page. */
	if (orb_mem_map(orb_self(), (cap_handle_t)code, R_SHARED_VA, 0, 4096,
			ORB_PROT_READ | ORB_PROT_WRITE) == 0) {
		memcpy((void *)R_SHARED_VA, r_code, sizeof(r_code));
		orb_mem_unmap(orb_self(), R_SHARED_VA, 4096);
	}
	T_ERR("map the statistics page",
	      orb_mem_map(orb_self(), (cap_handle_t)shared, R_SHARED_VA, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	r_init_sh->nocalls = idle;

	caps[RC_EP0] = (cap_handle_t)ep0;
	caps[RC_EP1] = (cap_handle_t)ep1;
	caps[RC_EP0_SEND] = (cap_handle_t)send;
	caps[RC_NTFN] = (cap_handle_t)ntfn;
	caps[RC_MEM_SMALL] = (cap_handle_t)small;
	caps[RC_MEM_BIG] = (cap_handle_t)big;
	caps[RC_CODE] = (cap_handle_t)code_rx;
	caps[RC_SHARED] = (cap_handle_t)shared;

	before = t_settle();
	for (unsigned w = 0; w < c->procs; w++) {
		long r;
		snprintf(arg, sizeof(arg), "0x%llx:%u:%u:%u", (unsigned long long)seed, w,
			 c->threads, c->ops);
		r = t_spawn_role("t_racefuzz", "race", arg, caps, RC_COUNT, &procs[w]);
		if (r < 0) {
			T_ERR("spawn a worker", r, 0);
			procs[w] = 0;
		}
		alive[w] = r >= 0;
		last_calls[w] = 0;
	}
	{
		struct orb_sysinfo alive_si = t_settle();
		free_alive = alive_si.mem_free;
		tables_alive = alive_si.kernel_tables;
	}

	/* Go; watch progress; kill one worker at a random moment in half of the rounds. */
	__atomic_store_n(&r_init_sh->go, 1, __ATOMIC_RELAXED);
	start = orb_clock();
	kill_at = !idle && c->kill && c->procs > 1 && r_below(&rt, 2)
		      ? start + r_below(&rt, c->round_ms) * 1000000
		      : 0;
	for (unsigned w = 0; w < c->procs; w++)
		last_progress[w] = start;
	for (;;) {
		uint64_t now = orb_clock();
		bool ready = true;

		for (unsigned w = 0; w < c->procs; w++) {
			uint64_t calls;
			if (!alive[w])
				continue;
			ready = ready && __atomic_load_n(&r_init_sh->ready[w], __ATOMIC_RELAXED) ==
					     c->threads;
			if (orb_proc_wait(procs[w], 0) != -ERR_TIMEOUT) {
				alive[w] = false;
				continue;
			}
			calls = r_worker_calls(w);
			if (calls != last_calls[w] || idle) {
				last_calls[w] = calls;
				last_progress[w] = now;
			} else if (now - last_progress[w] > R_HANG_NS) {
				printf("FAIL: race round %u (seed 0x%llx): hang: worker %u made no "
				       "call "
				       "for %llu ms (%llu calls so far)\n",
				       round, (unsigned long long)seed, w,
				       (unsigned long long)((now - last_progress[w]) / 1000000),
				       (unsigned long long)calls);
				out->hangs++;
				orb_proc_kill(procs[w]);
				alive[w] = false;
			}
		}
		if (kill_at && now >= kill_at) {
			orb_proc_kill(procs[kill_victim]);
			kill_at = 0;
		}
		if (idle ? ready || now - start > R_HANG_NS : now - start >= c->round_ms * 1000000)
			break;
		orb_sleep(T_MS(20));
	}

	/* Stop; every worker must end (killed if it does not); everything goes. */
	__atomic_store_n(&r_init_sh->stop, 1, __ATOMIC_RELAXED);
	for (unsigned w = 0; w < c->procs; w++) {
		if (!procs[w])
			continue;
		if (!r_reap(procs[w])) {
			printf("FAIL: race round %u (seed 0x%llx): hang: worker %u does not end "
			       "when killed\n",
			       round, (unsigned long long)seed, w);
			out->hangs++;
		}
		orb_cap_delete(procs[w]);
	}
	for (unsigned w = 0; w < c->procs; w++) {
		out->calls += r_worker_calls(w);
		out->bad += __atomic_load_n(&r_init_sh->bad[w], __ATOMIC_RELAXED);
		out->padding += __atomic_load_n(&r_init_sh->padding[w], __ATOMIC_RELAXED);
	}
	orb_mem_unmap(orb_self(), R_SHARED_VA, 4096);
	for (unsigned i = 0; i < RC_COUNT; i++)
		orb_cap_delete(caps[i]);
	orb_cap_delete((cap_handle_t)ep0);
	orb_cap_delete((cap_handle_t)code);
	/* Victims end by themselves (their stubs are short), and the kernel reaps dead threads
	 * in the background: wait for both (bounded), so that no stack of this round reaches
	 * the kernel's cache after the burst has settled it. */
	r_wait_counts(&before);
	if (r_burst() < 0)
		T_CHECK(false, "round %u: the burst process ended", round);
	{
		struct orb_sysinfo after = r_wait_counts(&before);
		/* Kernel-half page tables that grew meanwhile (a new peak of kernel stacks) are
		 * kept for good, not leaked: count them as given back. */
		out->freed = (int64_t)(after.mem_free - free_alive) +
			     ((int64_t)after.kernel_tables - (int64_t)tables_alive) * 4096;
		out->procs_left = (long)after.nprocs - (long)before.nprocs;
		out->threads_left = (long)after.nthreads - (long)before.nthreads;
	}
}

int main(int argc, char **argv)
{
	struct r_config c;
	struct r_round idle, r;
	uint64_t start, calls = 0, bad = 0, padding = 0, hangs = 0, leaked = 0, left = 0;
	int64_t net = 0; /* bytes short of what idle rounds give back, over the rounds */
	unsigned round;

	if (t_role_is(argc, argv, "race"))
		return r_worker(argc >= 3 ? argv[2] : NULL);

	c.seed = t_cmdline_u64("race.seed", 0x7ace5eedull);
	c.seconds = t_cmdline_u64("race.seconds", 30);
	c.calls = t_cmdline_u64("race.calls", 0);
	c.round_ms = t_cmdline_u64("race.round_ms", 2000);
	c.procs = (unsigned)t_cmdline_u64("race.procs", 3);
	c.threads = (unsigned)t_cmdline_u64("race.threads", 4);
	c.ops = (unsigned)t_cmdline_u64("race.ops", 0x3f);
	c.kill = t_cmdline_u64("race.kill", 1) != 0;
	if (c.procs < 1 || c.procs > R_MAX_WORKERS)
		c.procs = 3;
	if (c.threads < 1 || c.threads > R_MAX_THREADS)
		c.threads = 4;
	if (c.round_ms < 100)
		c.round_ms = 100;
	printf("t_racefuzz: seed 0x%llx, %llu s, %llu calls, rounds of %llu ms, %u workers x %u "
	       "threads, ops 0x%x, %u CPUs (replay: race.seed=0x%llx)\n",
	       (unsigned long long)c.seed, (unsigned long long)c.seconds,
	       (unsigned long long)c.calls, (unsigned long long)c.round_ms, c.procs, c.threads,
	       c.ops, t_sysinfo().ncpus, (unsigned long long)c.seed);

	T_EQ("threads made to fill the kernel's per-thread caches", r_burst(), R_BURST);
	/* What a round without calls gives back (twice: the first fills caches). */
	r_run_round(&c, c.seed, true, 0, &idle);
	r_run_round(&c, c.seed, true, 0, &idle);
	printf("t_racefuzz: an idle round gives back %lld bytes\n", (long long)idle.freed);
	T_CHECK(idle.freed > 0 && idle.hangs == 0, "an idle round ends and gives back %lld bytes",
		(long long)idle.freed);

	start = orb_clock();
	/* Round 0 warms up: the first calls of their kinds fill kernel caches (its frames are
	 * not counted; the kernel's harness measures a second run whole, see user.warm). */
	for (round = 0;; round++) {
		uint64_t seed = r_mix(c.seed, round), secs = (orb_clock() - start) / 1000000000ull;
		int64_t leak;

		if (round > 0 &&
		    ((c.calls && calls >= c.calls) || (!c.calls && secs >= c.seconds) ||
		     (c.calls && c.seconds && secs >= c.seconds)))
			break;
		r_run_round(&c, seed, false, round, &r);
		leak = idle.freed - r.freed;
		if (round == 0) {
			printf(
			    "race: round 0 (warm-up) gave back %lld bytes (an idle round: %lld)\n",
			    (long long)r.freed, (long long)idle.freed);
			leak = 0;
		}
		calls += r.calls;
		bad += r.bad;
		padding += r.padding;
		hangs += r.hangs;
		/* A round may leave a frame the kernel gives back later (a later round then gives
		 * back more than an idle one): frames leak when the balance over the rounds so
		 * far stays short. Processes and threads left over fail at once. */
		net += leak;
		leaked = net > 0 ? (uint64_t)net / 4096 : 0;
		if (r.procs_left > 0 || r.threads_left > 0)
			printf("FAIL: race round %u (seed 0x%llx): %ld processes and %ld threads "
			       "left (%lld bytes not given back)\n",
			       round, (unsigned long long)seed, r.procs_left, r.threads_left,
			       (long long)leak);
		if (r.procs_left > 0 || r.threads_left > 0)
			left++;
		printf("race: round %u seed 0x%llx: %llu calls (total %llu, %llu/s), bad %llu, "
		       "padding %llu, frames given back %+lld (as an idle round: 0), leaked frames "
		       "%llu, hangs %llu\n",
		       round, (unsigned long long)seed, (unsigned long long)r.calls,
		       (unsigned long long)calls,
		       (unsigned long long)(calls * 1000000000ull / (orb_clock() - start + 1)),
		       (unsigned long long)r.bad, (unsigned long long)r.padding,
		       (long long)(-leak / 4096), (unsigned long long)leaked,
		       (unsigned long long)r.hangs);
	}
	printf("t_racefuzz: calls %llu, bad results %llu, unzeroed padding %llu, leaked frames "
	       "%llu, hangs %llu, rounds %u\n",
	       (unsigned long long)calls, (unsigned long long)bad, (unsigned long long)padding,
	       (unsigned long long)leaked, (unsigned long long)hangs, round);
	T_EQ("results outside the error codes", bad, 0);
	T_EQ("structures copied out with padding not zeroed", padding, 0);
	T_EQ("leaked frames", leaked, 0);
	T_EQ("rounds that left processes or threads behind", left, 0);
	T_EQ("hangs", hangs, 0);
	return t_finish("t_racefuzz");
}
