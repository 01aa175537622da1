/*
 * What every user-space test program (tests/user/t_*.c) shares: counting and
 * printing checks, the closing summary line, starting the test's own binary
 * in another role, and small helpers: numbers from argv and from the kernel
 * command line, error and exit-status names, SYS_SYSINFO (also once the
 * kernel has finished reaping), waiting for notification bits, the TSC.
 *
 * Output contract (tests/qemu/user_cases.py matches it): one line per check,
 * "ok: WHAT" or "FAIL: WHAT" with the values seen, then a last line
 * "t_NAME: N passed, N failed"; the program's exit status is 0 exactly when
 * nothing failed. Child processes that play a second role report through
 * their exit status (0 = every check passed), which the parent checks.
 *
 * Header-only on purpose: a test is one .c file (tests/user/NAME.c) or a
 * directory of them (tests/user/NAME/) linked into its own binary, with no
 * object file of its own to share. Every function is static inline; the
 * counters are per program: weak definitions, so that every file of a test
 * counts into the same pair and t_finish sees them all.
 */
#ifndef T_CHECK_H
#define T_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <orb/spawn.h>
#include <orb/sys.h>

/* Priority given to the processes and threads the tests start: the kernel's default
 * (THREAD_PRIO_DEFAULT), which is also init's. */
#define T_PRIO 32

/* How long a parent waits for a child before calling the test failed (never forever). */
#define T_WAIT_NS (60ull * 1000 * 1000 * 1000)

#define T_MS(n) ((uint64_t)(n)*1000 * 1000)

/* Free user addresses the tests map memory at (far from the program, heap, stack and boot
 * archive). */
#define T_MAP_BASE 0x0000500000000000ull

__attribute__((weak)) int t_npass, t_nfail;

static inline const char *t_errname(long r)
{
	static const char *const names[] = {
	    "OK",      "NOMEM", "INVAL", "RANGE",  "EXIST", "NOENT",   "FAULT",	 "PERM",  "BADCAP",
	    "TIMEOUT", "BUSY",	"NOSYS", "FORMAT", "AGAIN", "NOSPACE", "CLOSED", "QUOTA", "DEAD"};
	_Static_assert(sizeof(names) / sizeof(names[0]) == ERR_MAX + 1, "one name per error");
	if (r >= 0)
		return "success";
	if (r >= -ERR_MAX)
		return names[-r];
	return "not an error code";
}

/* Counts one check and prints its line. Safe from several threads (the counters are atomic). */
static inline bool t_result(bool ok, const char *msg)
{
	__atomic_fetch_add(ok ? &t_npass : &t_nfail, 1, __ATOMIC_RELAXED);
	printf("%s: %s\n", ok ? "ok" : "FAIL", msg);
	return ok;
}

/* T_CHECK(cond, fmt, ...): one check; the message should show the values seen. */
#define T_CHECK(cond, ...)                                                                         \
	do {                                                                                       \
		char t_msg_[240];                                                                  \
		snprintf(t_msg_, sizeof(t_msg_), __VA_ARGS__);                                     \
		t_result((cond), t_msg_);                                                          \
	} while (0)

/* T_EQ(what, got, want): integer equality, both values printed. */
#define T_EQ(what, got, want)                                                                      \
	do {                                                                                       \
		long long t_g_ = (long long)(got), t_w_ = (long long)(want);                       \
		T_CHECK(t_g_ == t_w_, "%s = %lld (want %lld)", (what), t_g_, t_w_);                \
	} while (0)

/* T_EQX: the same, printed in hex (addresses, bit masks, badges, data words). */
#define T_EQX(what, got, want)                                                                     \
	do {                                                                                       \
		unsigned long long t_g_ = (unsigned long long)(got);                               \
		unsigned long long t_w_ = (unsigned long long)(want);                              \
		T_CHECK(t_g_ == t_w_, "%s = 0x%llx (want 0x%llx)", (what), t_g_, t_w_);            \
	} while (0)

/* T_ERR(what, got, -ERR_X): a system call result, printed with the error's name. */
#define T_ERR(what, got, want)                                                                     \
	do {                                                                                       \
		long t_g_ = (long)(got), t_w_ = (long)(want);                                      \
		T_CHECK(t_g_ == t_w_, "%s = %ld (%s) (want %ld (%s))", (what), t_g_,               \
			t_errname(t_g_), t_w_, t_errname(t_w_));                                   \
	} while (0)

/* T_OK(what, got): a system call that must succeed (result >= 0). */
#define T_OK(what, got)                                                                            \
	do {                                                                                       \
		long t_g_ = (long)(got);                                                           \
		T_CHECK(t_g_ >= 0, "%s = %ld (%s)", (what), t_g_, t_errname(t_g_));                \
	} while (0)

/* Prints the closing line and returns the exit status for main. */
static inline int t_finish(const char *name)
{
	int p = __atomic_load_n(&t_npass, __ATOMIC_RELAXED);
	int f = __atomic_load_n(&t_nfail, __ATOMIC_RELAXED);
	printf("%s: %d passed, %d failed\n", name, p, f);
	return f ? 1 : 0;
}

/* Parses a decimal or 0x-prefixed hexadecimal number; 0 on anything else. */
static inline uint64_t t_parse_u64(const char *s)
{
	uint64_t v = 0;
	if (!s)
		return 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; *s; s++) {
			unsigned d;
			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				return 0;
			v = v << 4 | d;
		}
		return v;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

/* True when argv[1] names the role (a child started by t_spawn_role). */
static inline bool t_role_is(int argc, char **argv, const char *role)
{
	return argc >= 2 && argv[1] && strcmp(argv[1], role) == 0;
}

/* The program `prog` in the boot archive (tried as "bin/prog", then "/bin/prog"). */
static inline const void *t_find_prog(const char *prog, size_t *size)
{
	char path[80];
	const void *elf;

	snprintf(path, sizeof(path), "bin/%s", prog);
	elf = orb_bootfs_find(path, size);
	if (!elf) {
		snprintf(path, sizeof(path), "/bin/%s", prog);
		elf = orb_bootfs_find(path, size);
	}
	return elf;
}

/*
 * Starts the boot archive's `prog` with argv {prog, role, arg, NULL} (arg may
 * be NULL) and copies of caps[0..ncaps-1] as its start capabilities. Only init
 * can do this (the archive is mapped in init alone). Returns orb_spawn's
 * result; *proc receives the child's Process handle.
 */
static inline long t_spawn_role(const char *prog, const char *role, const char *arg,
				const cap_handle_t *caps, unsigned ncaps, cap_handle_t *proc)
{
	const char *argv[4] = {prog, role, arg, NULL};
	struct orb_spawn_args a;
	size_t size = 0;
	const void *elf = t_find_prog(prog, &size);

	if (!elf)
		return -ERR_NOENT;
	memset(&a, 0, sizeof(a));
	a.name = role;
	a.elf = elf;
	a.elf_size = size;
	a.argv = argv;
	a.caps = caps;
	a.ncaps = ncaps;
	a.prio = T_PRIO;
	return orb_spawn(&a, proc);
}

/* Waits (bounded) for a child to end and drops the Process handle; its exit status or -ERR_*. */
static inline long t_wait_and_drop(cap_handle_t proc)
{
	long st = orb_proc_wait(proc, T_WAIT_NS);
	if (st == -ERR_TIMEOUT)
		orb_proc_kill(proc);
	orb_cap_delete(proc);
	return st;
}

/* A number from the kernel command line ("key=N"), or dflt. */
static inline uint64_t t_cmdline_u64(const char *key, uint64_t dflt)
{
	const struct orb_init_info *ii = orb_init_info();
	size_t klen = strlen(key);
	char word[32];

	if (!ii)
		return dflt;
	for (const char *p = ii->cmdline; *p; p++) {
		size_t n = 0;
		if ((p != ii->cmdline && p[-1] != ' ') || strncmp(p, key, klen) != 0 ||
		    p[klen] != '=')
			continue;
		p += klen + 1;
		while (p[n] && p[n] != ' ' && n < sizeof(word) - 1) {
			word[n] = p[n];
			n++;
		}
		word[n] = 0;
		return t_parse_u64(word);
	}
	return dflt;
}

/* What an exit status from orb_proc_wait means, in words. */
static inline const char *t_status_name(long st)
{
	if (st == 0)
		return "exited normally with 0";
	if (st == ORB_EXIT_FAULT)
		return "killed by a fault";
	if (st == ORB_EXIT_KILLED)
		return "killed";
	if (st == -ERR_TIMEOUT)
		return "still running at the deadline";
	return st > 0 && st < 256 ? "exited with an error status" : "wait failed";
}

/* Waits until every bit in `want` was signalled on ntfn (bounded); returns the bits seen. */
static inline uint64_t t_wait_bits(cap_handle_t ntfn, uint64_t want, uint64_t timeout_ns)
{
	uint64_t seen = 0, start = orb_clock();
	while ((seen & want) != want && orb_clock() - start < timeout_ns) {
		long r = orb_ntfn_wait(ntfn, T_MS(500));
		if (r > 0)
			seen |= (uint64_t)r;
	}
	return seen;
}

static inline struct orb_sysinfo t_sysinfo(void)
{
	struct orb_sysinfo si;
	memset(&si, 0, sizeof(si));
	if (orb_sysinfo(&si) != 0)
		memset(&si, 0xff, sizeof(si));
	return si;
}

/*
 * Waits (up to 2 s) until the thread count and free memory stop changing: the
 * kernel reaps dead threads and tears processes down in the background, so a
 * test that compares counts must not start while that is under way. Returns
 * the settled reading.
 */
static inline struct orb_sysinfo t_settle(void)
{
	struct orb_sysinfo prev = t_sysinfo(), cur;
	for (int i = 0; i < 100; i++) {
		orb_sleep(T_MS(20));
		cur = t_sysinfo();
		if (cur.nthreads == prev.nthreads && cur.nprocs == prev.nprocs &&
		    cur.mem_free == prev.mem_free)
			return cur;
		prev = cur;
	}
	return prev;
}

/* The time-stamp counter (the benchmarks' unit). SAFETY: rdtsc reads a counter, no memory. */
static inline uint64_t t_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

#endif
