/*
 * t_racefuzz's workers: a process of race.threads threads that make calls
 * until init says stop, single random calls and short sequences aimed at the
 * known kinds of races (victims, mapping and unmapping the arena, IPC buffers
 * on pages a sibling unmaps, padding copied out). Every result is checked
 * (r_call) and the counts go to the page init shares with the round's
 * workers. The arguments come from args.c.
 */
#include "racefuzz.h"
#include "t_fuzz_gen.h"

/* ---- A worker's state, shared by its threads (the handle pools are in args.c). ---- */

static struct r_shared *r_sh;
static unsigned r_widx;
static uint64_t r_seed;
static unsigned r_ops; /* race.ops: the kinds of steps made (bits, see r_step) */

static uint8_t r_priv[R_MAX_THREADS][4096] __attribute__((aligned(4096)));
static uint8_t r_scratch[R_MAX_THREADS][R_OUT_MAX + 4096] __attribute__((aligned(4096)));
static struct r_thread r_threads[R_MAX_THREADS];

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
		uint64_t entry = R_VCODE + r_entries[r_below(t, R_NENTRIES)];
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
		r_addr_add(win);
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

int r_worker(const char *arg)
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

	r_pools_init();
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
