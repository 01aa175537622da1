/*
 * t_racefuzz's arguments: the random numbers, the pools of handles the
 * threads of a worker share (fed by every call that returns one) and the
 * arguments drawn by each call's signature from those pools, from recent
 * arena addresses, sizes near boundaries and bad pointers. What a worker may
 * not pass (its own Process handle, writes past a scratch buffer) is kept out
 * here (r_shape). The pools are written and read by every thread of the
 * worker, with atomics.
 */
#include "racefuzz.h"
#include "t_fuzz_gen.h"

/* Victim code: stubs at fixed offsets of the code page. */
const uint8_t r_code[] = {
    /* 0: thread exit */ 0xb8, 41, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b,
    /* 9: process exit(0) */ 0xb8, 42, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0x0f, 0x0b,
    /* 20: 200 yields (ebx counts; sub/ja ends on any start value), then thread exit */
    0xbb, 200, 0, 0, 0, 0xb8, 2, 0, 0, 0, 0x0f, 0x05, 0x83, 0xeb, 0x01, 0x77, 0xf4, 0xb8, 41, 0, 0,
    0, 0x0f, 0x05, 0x0f, 0x0b,
    /* 46: fault (ud2) */ 0x0f, 0x0b};
const uint16_t r_entries[R_NENTRIES] = {0, 0, 9, 20, 46};
const size_t r_code_size = sizeof(r_code);

/* ---- A worker's handle pools and recent arena addresses, shared by its threads. ---- */

static cap_handle_t r_pool[K_NKINDS][R_POOL]; /* atomic: written and read by every thread */
static unsigned r_pool_next[K_NKINDS];
static uint64_t r_addrs[16]; /* recent arena addresses */
static unsigned r_addrs_next;
cap_handle_t r_self;

uint64_t r_next(struct r_thread *t)
{
	uint64_t x = (t->rng += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t r_below(struct r_thread *t, uint64_t n)
{
	return r_next(t) % n;
}

uint64_t r_mix(uint64_t a, uint64_t b)
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

void r_pool_add(struct r_thread *t, unsigned k, cap_handle_t h)
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

void r_pools_init(void)
{
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
}

void r_addr_add(uint64_t va)
{
	__atomic_store_n(&r_addrs[__atomic_fetch_add(&r_addrs_next, 1, __ATOMIC_RELAXED) % 16], va,
			 __ATOMIC_RELAXED);
}

/* ---- Arguments. ---- */

uint64_t r_handle(struct r_thread *t, unsigned k)
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

uint64_t r_arena_addr(struct r_thread *t)
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

uint64_t r_timeout(struct r_thread *t)
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

uint64_t r_arg(struct r_thread *t, unsigned kind)
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
		return r_below(t, 4) ? R_VCODE + r_entries[r_below(t, R_NENTRIES)]
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

void r_sig(long n, unsigned k[6])
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

void r_shape(struct r_thread *t, long n, uint64_t a[6])
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
