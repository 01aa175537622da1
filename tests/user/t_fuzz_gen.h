/*
 * t_sysfuzz's call generator: which system calls the fuzzer makes and with
 * what arguments. t_sysfuzz.c and t_racefuzz/ include it (the generator is
 * header-only; its state, the PRNG and the pools of handles and victims, is
 * each file's; t_racefuzz uses only the list and t_syscall): t_defined below
 * is the one list of the call numbers that exist, which both fuzzers draw
 * from, and t_syscall makes a call with every register set.
 *
 * Arguments are biased toward nasty values (see t_arg and its helpers); the
 * exclusions that keep the fuzzer alive and the system measurable are in
 * t_pick and described at the top of t_sysfuzz.c. The PRNG is splitmix64:
 * the same seed gives the same sequence of calls and arguments (results, and
 * so the handles they add to the pool, can still differ with timing).
 */
#ifndef T_FUZZ_GEN_H
#define T_FUZZ_GEN_H

#include "t_check.h"

#define T_MAX_VICTIMS 16
#define T_POOL	      64
#define T_SCRATCH     8192

static uint64_t t_rng;

static inline uint64_t t_next(void)
{
	uint64_t x = (t_rng += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint64_t t_below(uint64_t n)
{
	return t_next() % n;
}

/* The buffer valid pointers point into, with T_SLACK bytes after it: a call may write up to
 * 4 KiB (clamped below) from a pointer near its end, and must not reach other data. */
#define T_SLACK 8192
static uint8_t t_scratch[T_SCRATCH + T_SLACK] __attribute__((aligned(4096)));
static const char t_dots[17] = "fuzz: .........\n";
static cap_handle_t t_pool[T_POOL]; /* handles seen: valid, deleted, moved, of every type */
static unsigned t_pool_next;
static cap_handle_t t_victims[T_MAX_VICTIMS];
static unsigned t_nvictims;

static inline void t_pool_add(cap_handle_t h)
{
	t_pool[t_pool_next++ % T_POOL] = h;
}

static inline bool t_is_victim(uint64_t h)
{
	for (unsigned i = 0; i < t_nvictims; i++)
		if (t_victims[i] == h)
			return true;
	return false;
}

static const long t_defined[] = {
    SYS_NULL,		SYS_NOP,
    SYS_DEBUG_WRITE,	SYS_YIELD,
    SYS_SLEEP,		SYS_CLOCK,
    SYS_SYSINFO,	SYS_CAP_IDENTIFY,
    SYS_CAP_DERIVE,	SYS_CAP_DELETE,
    SYS_CAP_REVOKE,	SYS_CAP_GRANT,
    SYS_CAP_MOVE,	SYS_ENDPOINT_CREATE,
    SYS_NTFN_CREATE,	SYS_MEM_CREATE,
    SYS_PROC_CREATE,	SYS_THREAD_CREATE,
    SYS_MEM_MAP,	SYS_MEM_UNMAP,
    SYS_MEM_PROTECT,	SYS_THREAD_START,
    SYS_PROC_KILL,	SYS_PROC_WAIT,
    SYS_IPC_BUFFER,	SYS_SEND,
    SYS_NB_SEND,	SYS_RECV,
    SYS_CALL,		SYS_REPLY,
    SYS_REPLY_RECV,	SYS_REPLY_SAVE,
    SYS_REPLY_TO,	SYS_NTFN_SIGNAL,
    SYS_NTFN_WAIT,	SYS_IRQ_BIND,
    SYS_IRQ_ACK,	SYS_IOPORT_ENABLE,
/* Calls added to the ABI later. A number below SYS_COUNT that this list does not name is
 * never made (a call added later is fuzzed once it is listed here, with its arguments
 * shaped in t_pick if it writes to memory). */
#ifdef SYS_LOG_READ
    SYS_LOG_READ,
#endif
#ifdef SYS_SCREEN_TAKE
    SYS_SCREEN_TAKE,
#endif
#ifdef SYS_IOPORT_SUB
    SYS_IOPORT_SUB,
#endif
#ifdef SYS_POWER
    SYS_POWER, /* needs an IoPorts capability for every port: the fuzzer has none */
#endif
#ifdef SYS_PROC_LIST
    SYS_PROC_LIST,
#endif
#ifdef SYS_PROC_PID
    SYS_PROC_PID,
#endif
#ifdef SYS_PROC_WATCH
    SYS_PROC_WATCH,
#endif
#ifdef SYS_ENDPOINT_CLOSE
    SYS_ENDPOINT_CLOSE,
#endif
#ifdef SYS_QUOTA_CREATE
    SYS_QUOTA_CREATE,	SYS_QUOTA_INFO,
#endif
};
#define T_NDEFINED (sizeof(t_defined) / sizeof(t_defined[0]))

static inline bool t_is_defined(long n)
{
	if (n == SYS_THREAD_EXIT || n == SYS_PROC_EXIT)
		return true;
	for (size_t i = 0; i < T_NDEFINED; i++)
		if (t_defined[i] == n)
			return true;
	return false;
}

static inline uint64_t t_handle_arg(void)
{
	switch (t_below(8)) {
	case 0:
	case 1:
	case 2:
		return t_pool[t_below(T_POOL)]; /* valid, stale or 0 */
	case 3:
		return CAP_HANDLE(t_below(16), 1 + t_below(3)); /* small slots, young generations */
	case 4:
		return t_pool[t_below(T_POOL)] |
		       (1ull << (31 + t_below(33))); /* above 0x7fffffff */
	case 5:
		return CAP_HANDLE(t_below(CAP_MAX_SLOTS), t_next()); /* anything well-formed */
	case 6:
		return (uint64_t[]){0, 0x7fffffff, 0xffffffff, ~0ull, 0xfff}[t_below(5)];
	default:
		return t_victims[t_below(T_MAX_VICTIMS)];
	}
}

static inline uint64_t t_pointer_arg(void)
{
	switch (t_below(12)) {
	case 0:
		return 0xffffffff80000000ull + (t_next() & 0x3ffffff); /* kernel image */
	case 1:
		return 0xffff800000000000ull + (t_next() & 0xfffffff); /* direct map */
	case 2:
		return t_below(0x10000); /* null page and below ORB_USER_MIN */
	case 3:
		return ORB_USER_TOP - t_below(64); /* straddling the top */
	case 4:
		return ORB_USER_TOP + (t_next() & 0xffff); /* non-canonical */
	case 5:
		return t_next() | 0x8000000000000000ull; /* anything in the upper half */
	case 6:
		return (uintptr_t)&t_handle_arg + t_below(256); /* own read-only text */
	case 7:
		return T_MAP_BASE + (t_next() & 0xffffff000ull); /* unmapped (or a victim's) */
	case 8:
		return (uintptr_t)t_scratch + t_below(T_SCRATCH); /* valid, often unaligned */
	case 9:
		return (uintptr_t)t_scratch + T_SCRATCH - t_below(64); /* runs past the buffer */
	case 10:
		return (uintptr_t)t_scratch; /* valid and aligned */
	default:
		return t_next();
	}
}

static inline uint64_t t_size_arg(void)
{
	static const uint64_t sizes[] = {0,	     1,
					 7,	     8,
					 4095,	     4096,
					 4097,	     65536,
					 1ull << 20, 1ull << 31,
					 1ull << 32, 1ull << 47,
					 ~0ull,	     ~0ull - 4095,
					 1ull << 63, 0x7fffffffffffffffull};
	if (t_below(4) == 0)
		return t_next() >> t_below(64);
	return sizes[t_below(sizeof(sizes) / sizeof(sizes[0]))];
}

static inline uint64_t t_arg(void)
{
	switch (t_below(5)) {
	case 0:
		return t_handle_arg();
	case 1:
		return t_pointer_arg();
	case 2:
		return t_size_arg();
	case 3:
		return t_below(256); /* small numbers: rights, prot, priorities, slots */
	default:
		return t_next();
	}
}

static inline uint64_t t_short_timeout(void)
{
	return t_below(16) == 0 ? t_below(50000) : 0;
}

/*
 * One system call with every argument register (IPC ones included) set; the
 * registers as the kernel left them are written back to a[] (for the IPC
 * calls: the badge, the tag and the words received).
 * SAFETY: the register convention of include/orbital/syscall.h; every register
 * the kernel may change is an output, and the kernel may write any user memory
 * the arguments name (the "memory" clobber).
 */
static inline long t_syscall(long n, uint64_t a[6], uint64_t timeout)
{
	register uint64_t rdi __asm__("rdi") = a[0];
	register uint64_t rsi __asm__("rsi") = a[1];
	register uint64_t rdx __asm__("rdx") = a[2];
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	register uint64_t r12 __asm__("r12") = timeout;
	long r = n;
	__asm__ volatile("syscall"
			 : "+a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "r"(r12)
			 : "rcx", "r11", "memory");
	a[0] = rdi;
	a[1] = rsi;
	a[2] = rdx;
	a[3] = r10;
	a[4] = r8;
	a[5] = r9;
	return r;
}

/* Picks a call, shapes its arguments by the exclusions in the header. False: skip it. */
static inline bool t_pick(long *np, uint64_t a[6])
{
	uint64_t p = t_below(100);
	long n;

	if (p < 75)
		n = t_defined[t_below(T_NDEFINED)];
	else if (p < 92)
		n = (long)t_below(2 * SYS_COUNT);
	else
		n = (long)((t_next() & ~0xffffffffull) | (0x100 + t_below(0xfffffe00ull)));
	if (n == SYS_PROC_EXIT || n == SYS_THREAD_EXIT ||
	    (n >= 0 && n < SYS_COUNT && !t_is_defined(n)))
		return false;
	for (int i = 0; i < 6; i++)
		a[i] = t_arg();

	switch (n) {
	case SYS_SLEEP:
		a[0] = t_short_timeout();
		break;
	case SYS_NTFN_WAIT:
	case SYS_PROC_WAIT:
		a[1] = t_short_timeout();
		break;
	case SYS_MEM_CREATE:
		if (a[0] > 65536 && a[0] < (1ull << 40))
			a[0] &= 0xffff;
		break;
#ifdef SYS_PROC_LIST
	case SYS_PROC_LIST:
		/* (buf, n): into our buffer, at most 4 KiB (see T_SLACK). */
		if (a[0] >= (uintptr_t)t_scratch && a[0] < (uintptr_t)t_scratch + T_SCRATCH &&
		    a[1] > 4096 / sizeof(struct orb_proc_info))
			a[1] %= 4096 / sizeof(struct orb_proc_info);
		break;
#endif
#ifdef SYS_LOG_READ
	case SYS_LOG_READ:
		/* (log, pos, buf, len): into our buffer, at most 4 KiB (see T_SLACK). */
		if (a[2] >= (uintptr_t)t_scratch && a[2] < (uintptr_t)t_scratch + T_SCRATCH)
			a[3] &= 0xfff;
		break;
#endif
	case SYS_DEBUG_WRITE:
		/* Readable memory of ours (the program image, the scratch buffer): a short line
		 * of text instead, now and then, else nothing. */
		if (a[1] <= 4096 &&
		    ((a[0] >= ORB_USER_LINK && a[0] < ORB_USER_LINK + 0x1000000) ||
		     (a[0] >= (uintptr_t)t_scratch && a[0] < (uintptr_t)t_scratch + T_SCRATCH))) {
			a[0] = (uintptr_t)t_dots;
			a[1] = t_below(32) == 0 ? sizeof(t_dots) - 1 : 0;
		}
		break;
#ifdef SYS_QUOTA_CREATE
	case SYS_QUOTA_CREATE:
		/* (parent, limit): a middling limit would lock up much of our own budget while
		 * the capability lives; keep those small (huge ones are refused anyway). */
		if (a[1] > (16ull << 20) && a[1] < (1ull << 40))
			a[1] &= 0xffffff;
		break;
#endif
	case SYS_PROC_CREATE:
		if (t_nvictims == T_MAX_VICTIMS)
			return false;
#ifdef SYS_QUOTA_CREATE
		if (t_below(2))
			a[2] = 0; /* (the quota argument: our own, half the time) */
#endif
		break;
	case SYS_CAP_DELETE:
		if (t_is_victim(a[0]))
			return false;
		break;
	case SYS_CAP_MOVE:
		if (t_is_victim(a[1]))
			return false;
		break;
	default:
		break;
	}
	*np = n;
	return true;
}

#endif
