/*
 * t_sysfuzz: random system calls from an unprivileged process.
 *
 * Run as init (`test=user init=t_sysfuzz`, optionally `fuzz.seed=N`,
 * `fuzz.calls=N`, and `fuzz.trace=1` to log each call that changes
 * processes, mappings or capabilities before it is made). A child process
 * (this program, role "fuzz") makes at least 100,000 system calls
 * (T_DEFAULT_CALLS) with numbers drawn from the defined ones, from around
 * them (undefined and out of range) and from all 64 bits, and arguments
 * biased toward nasty values: kernel and direct-map addresses, null, non-
 * canonical and top-of-user-space pointers, unaligned pointers into its own
 * buffer and read-only text, zero / odd / page-straddling / huge lengths,
 * handles that are stale, never issued, above 0x7fffffff, or valid but of
 * the wrong type. The PRNG (splitmix64) is deterministic; the seed is
 * printed and can be set to replay a run. The call generator (numbers,
 * argument pools, the exclusions below) is t_fuzz_gen.h.
 *
 * What the fuzzer holds: copies of an endpoint, a notification, a 64 KiB
 * Memory object, a badged SEND-only endpoint and a read-only Memory cap from
 * init; whatever its calls create; victim processes it creates itself (empty
 * processes it may map into, start threads in, kill). It deletes its own
 * Process handle first, so no call can change its own address space or kill
 * it: it can only die through a kernel bug.
 *
 * Exclusions (the calls that would legitimately end or stall the fuzzer):
 *   - SYS_PROC_EXIT and SYS_THREAD_EXIT are never made (also not through a
 *     64-bit number whose low 32 bits name them: those bits are kept >= 0x100);
 *   - calls that write into the fuzzer's buffer (SYS_LOG_READ, SYS_PROC_LIST)
 *     write at most 4 KiB there, into slack after it, not over other data;
 *   - timeouts are bounded: r12 for IPC, SYS_NTFN_WAIT's and SYS_PROC_WAIT's
 *     timeout and SYS_SLEEP's duration are 0 or below 50 us, never forever;
 *   - SYS_MEM_CREATE sizes between 64 KiB and 1 TiB are cut to 64 KiB (the
 *     fuzzer's 256 slots must not pin all of RAM; sizes above 1 TiB stay and
 *     must be refused);
 *   - SYS_DEBUG_WRITE from the fuzzer's own memory writes a fixed line or
 *     nothing (no binary noise in the log); bad pointers and lengths are kept;
 *   - a victim's original Process handle is never deleted or moved away, and at
 *     most T_MAX_VICTIMS victims are created, so every victim can be killed
 *     at the end (a running victim that nobody can name would outlive the test).
 * Checked in the fuzzer: every result is >= 0 or one of -1..-ERR_MAX; a
 * number from SYS_COUNT to 2 * SYS_COUNT - 1 gives -ERR_NOSYS. (Numbers
 * below SYS_COUNT that t_defined does not list are not made at all: the ABI
 * grows, and a new call is fuzzed once it is listed, with its arguments
 * shaped if it writes to memory.)
 *
 * Checked by init: the fuzzer exits with status 0 (else how it died is
 * reported); the process and thread counts come back; and no memory leaks:
 * the fuzzer is started and waits for a signal, so free memory is read with
 * it alive and idle; after it exits, free memory must have grown by exactly
 * what an idle instance of the same program gives back when it exits
 * (measured first). Both readings are taken with init making no mappings in
 * between, so init's own page tables cannot blur them. Kernel caches are
 * not leaks: init first makes and ends T_BURST threads at once (filling the
 * cache of kernel stacks and the kernel-stack area's page tables beyond what
 * the fuzzer can use), and the fuzzer runs twice with the same seed, only the
 * second run being measured.
 */
#include "t_check.h"
#include "t_fuzz_gen.h"

#define T_DEFAULT_SEED	0x0b17a15eedull
#define T_DEFAULT_CALLS 120000
#define T_STATUS_EVERY	25000

/* ---- The fuzzer. ---- */

static bool t_trace; /* fuzz.trace=1: calls that change processes and capabilities are logged */

/* The calls traced: those that change processes, mappings and capabilities. */
static bool t_traced(long n)
{
	static const long traced[] = {
	    SYS_PROC_CREATE, SYS_THREAD_CREATE, SYS_THREAD_START, SYS_PROC_KILL,  SYS_PROC_WAIT,
	    SYS_CAP_GRANT,   SYS_CAP_MOVE,	SYS_CAP_DELETE,	  SYS_CAP_REVOKE, SYS_MEM_MAP,
	    SYS_MEM_UNMAP,   SYS_MEM_PROTECT,	SYS_IPC_BUFFER};
	for (size_t i = 0; i < sizeof(traced) / sizeof(traced[0]); i++)
		if (traced[i] == n)
			return true;
	return false;
}

/* Logs one call straight through SYS_DEBUG_WRITE (a crash may follow: nothing is buffered). */
static void t_trace_call(uint64_t i, long n, const uint64_t a[6], uint64_t timeout)
{
	char line[200];
	int len =
	    snprintf(line, sizeof(line), "fz %llu: %ld %llx %llx %llx %llx %llx %llx %llu\n",
		     (unsigned long long)i, n, (unsigned long long)a[0], (unsigned long long)a[1],
		     (unsigned long long)a[2], (unsigned long long)a[3], (unsigned long long)a[4],
		     (unsigned long long)a[5], (unsigned long long)timeout);
	orb_debug_write(line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}

struct t_stats {
	uint64_t calls, ok, err[ERR_MAX + 1], bad, nosys_wrong;
	long first_bad_n;
	long first_bad_r;
};

static void t_fuzz(uint64_t seed, uint64_t ncalls, struct t_stats *st)
{
	memset(st, 0, sizeof(*st));
	t_rng = seed;
	for (unsigned i = 0; i < ORB_START_CAPS_MAX && i < T_POOL; i++)
		t_pool_add(orb_start_cap(i));
	memset(t_scratch, '.', sizeof(t_scratch));

	while (st->calls < ncalls) {
		uint64_t a[6], timeout;
		long n, r;

		if (!t_pick(&n, a))
			continue;
		timeout = n >= SYS_SEND && n <= SYS_REPLY_TO ? t_short_timeout() : 0;
		if (t_trace && t_traced(n))
			t_trace_call(st->calls, n, a, timeout);
		r = t_syscall(n, a, timeout);
		st->calls++;
		if (r >= 0) {
			st->ok++;
			switch (n) {
			case SYS_PROC_CREATE:
				t_victims[t_nvictims++] = (cap_handle_t)r; /* fall through */
			case SYS_CAP_DERIVE:
			case SYS_ENDPOINT_CREATE:
			case SYS_NTFN_CREATE:
			case SYS_MEM_CREATE:
			case SYS_THREAD_CREATE:
			case SYS_REPLY_SAVE:
				t_pool_add((cap_handle_t)r);
				break;
			default:
				break;
			}
		} else if (r >= -ERR_MAX) {
			st->err[-r]++;
		} else if (n != SYS_CLOCK) {
			if (!st->bad && !st->nosys_wrong) {
				st->first_bad_n = n;
				st->first_bad_r = r;
			}
			st->bad++;
		}
		if (n >= SYS_COUNT && n < 2 * SYS_COUNT && r != -ERR_NOSYS) {
			if (!st->nosys_wrong && !st->bad) {
				st->first_bad_n = n;
				st->first_bad_r = r;
			}
			st->nosys_wrong++;
		}
		if (st->calls % T_STATUS_EVERY == 0)
			printf("t_sysfuzz[fuzzer]: %llu calls\n", (unsigned long long)st->calls);
	}
}

static int t_fuzzer(const char *arg)
{
	uint64_t seed = t_parse_u64(arg), ncalls = 0;
	const char *colon = arg ? strchr(arg, ':') : NULL;
	struct t_stats st;
	static char seedbuf[24];
	long killed = 0;

	if (colon) {
		size_t len = (size_t)(colon - arg) < sizeof(seedbuf) - 1 ? (size_t)(colon - arg)
									 : sizeof(seedbuf) - 1;
		const char *colon2 = strchr(colon + 1, ':');
		char callbuf[24];
		size_t clen = colon2 ? (size_t)(colon2 - colon - 1) : strlen(colon + 1);

		memcpy(seedbuf, arg, len);
		seed = t_parse_u64(seedbuf);
		if (clen > sizeof(callbuf) - 1)
			clen = sizeof(callbuf) - 1;
		memcpy(callbuf, colon + 1, clen);
		callbuf[clen] = 0;
		ncalls = t_parse_u64(callbuf);
		t_trace = colon2 && colon2[1] == 't';
	}
	/* Wait for init's go (the last start capability), then give up our own Process handle. */
	orb_ntfn_wait(orb_start_cap(orb_start_ncaps() - 1), T_WAIT_NS);
	orb_cap_delete(orb_self());
	if (ncalls == 0)
		return 0;

	t_fuzz(seed, ncalls, &st);
	for (unsigned i = 0; i < t_nvictims; i++)
		if (orb_proc_kill(t_victims[i]) == 0)
			killed++;
	printf("t_sysfuzz[fuzzer]: seed 0x%llx: %llu calls, %llu succeeded, %llu BADCAP, %llu "
	       "FAULT, %llu PERM, %llu INVAL, %llu NOSYS, %llu other errors; %u victims (%ld "
	       "killed at the end)\n",
	       (unsigned long long)seed, (unsigned long long)st.calls, (unsigned long long)st.ok,
	       (unsigned long long)st.err[ERR_BADCAP], (unsigned long long)st.err[ERR_FAULT],
	       (unsigned long long)st.err[ERR_PERM], (unsigned long long)st.err[ERR_INVAL],
	       (unsigned long long)st.err[ERR_NOSYS],
	       (unsigned long long)(st.calls - st.ok - st.err[ERR_BADCAP] - st.err[ERR_FAULT] -
				    st.err[ERR_PERM] - st.err[ERR_INVAL] - st.err[ERR_NOSYS]),
	       t_nvictims, killed);
	if (st.bad || st.nosys_wrong) {
		printf("t_sysfuzz[fuzzer]: %llu results outside the error codes, %llu undefined "
		       "numbers not -ERR_NOSYS; first: call %ld returned %ld\n",
		       (unsigned long long)st.bad, (unsigned long long)st.nosys_wrong,
		       st.first_bad_n, st.first_bad_r);
		return 1;
	}
	return 0;
}

/* ---- init: runs the fuzzer and checks what it left behind. ---- */

#define T_FUZZ_WAIT_NS (900ull * 1000 * 1000 * 1000)

/* Free memory once the kernel has finished reaping (see t_settle). */
static uint64_t t_settled_free(void)
{
	return t_settle().mem_free;
}

#define T_BURST 300 /* more threads than the fuzzer can have at once (its 256 slots) */

/*
 * Fills the kernel's caches that grow with the number of threads alive at
 * once (the cache of mapped kernel stacks, the page tables of the
 * kernel-stack area), so that no run measured later can grow them and be
 * mistaken for a leak: T_BURST threads are created in an empty process,
 * which is then killed (its threads start only to end). Returns how many
 * threads were made.
 */
static long t_thread_burst(void)
{
	static cap_handle_t th[T_BURST];
	long p = orb_proc_create(4, "burst"), made = 0, st;

	if (p < 0)
		return p;
	while (made < T_BURST) {
		long t = orb_thread_create((cap_handle_t)p, ORB_USER_LINK, ORB_STACK_TOP, 0, 0);
		if (t < 0)
			break;
		th[made++] = (cap_handle_t)t;
	}
	/* One kill must end every thread, started or not. */
	orb_proc_kill((cap_handle_t)p);
	st = orb_proc_wait((cap_handle_t)p, T_MS(5000));
	T_CHECK(st == ORB_EXIT_KILLED,
		"one kill ends a process with %ld unstarted threads: wait = %ld (%s) (want %d)",
		made, st, st < 0 ? t_errname(st) : t_status_name(st), ORB_EXIT_KILLED);
	for (int i = 0; i < 20 && st == -ERR_TIMEOUT; i++) {
		orb_proc_kill((cap_handle_t)p); /* then at least do not leave it behind */
		st = orb_proc_wait((cap_handle_t)p, T_MS(500));
	}
	T_EQ("the burst process ended (after more kills if needed)", st, ORB_EXIT_KILLED);
	for (long i = 0; i < made; i++)
		orb_cap_delete(th[i]);
	orb_cap_delete((cap_handle_t)p);
	t_settle();
	return made;
}

struct t_run {
	long spawn, status;
	struct orb_sysinfo before, after; /* around the whole run */
	uint64_t free_alive, free_gone;	  /* with the child idle, and after it ended */
};

/*
 * Starts the fuzzer with arg "SEED:CALLS", reads free memory while it waits
 * for go, lets it run, waits for its end, drops its handle and reads again
 * (until the memory given back equals want_freed, or 3 s).
 */
static void t_run_fuzzer(const char *arg, const cap_handle_t *caps, unsigned ncaps, cap_handle_t go,
			 int64_t want_freed, struct t_run *run)
{
	cap_handle_t proc = 0;

	memset(run, 0, sizeof(*run));
	orb_ntfn_wait(go, IPC_TIMEOUT_POLL); /* no go left over */
	run->before = t_settle();
	run->spawn = t_spawn_role("t_sysfuzz", "fuzz", arg, caps, ncaps, &proc);
	if (run->spawn < 0)
		return;
	orb_sleep(T_MS(50));
	run->free_alive = t_settled_free();
	orb_ntfn_signal(go, 1);
	run->status = orb_proc_wait(proc, T_FUZZ_WAIT_NS);
	if (run->status == -ERR_TIMEOUT)
		orb_proc_kill(proc);
	orb_cap_delete(proc);
	for (int i = 0; i < 3; i++) {
		run->free_gone = t_settled_free();
		if (want_freed < 0 || (int64_t)(run->free_gone - run->free_alive) == want_freed)
			break;
	}
	run->after = t_settle();
}

int main(int argc, char **argv)
{
	uint64_t seed, calls;
	long ep, ntfn, mem, sendb, memro, go, go_recv;
	cap_handle_t caps[6];
	struct t_run idle, warm, fuzz;
	char arg[48];
	int64_t freed_idle;

	if (t_role_is(argc, argv, "fuzz"))
		return t_fuzzer(argc >= 3 ? argv[2] : NULL);

	seed = t_cmdline_u64("fuzz.seed", T_DEFAULT_SEED);
	calls = t_cmdline_u64("fuzz.calls", T_DEFAULT_CALLS);
	printf(
	    "t_sysfuzz: seed 0x%llx, %llu calls (kernel command line: fuzz.seed=, fuzz.calls=)\n",
	    (unsigned long long)seed, (unsigned long long)calls);
	T_CHECK(calls >= 100000, "at least 100000 calls (%llu)", (unsigned long long)calls);

	ep = orb_endpoint_create();
	if (ep >= 0) { /* lent without MANAGE: the fuzzer may end its own endpoints, not this */
		long lent = orb_cap_derive((cap_handle_t)ep,
					   CAP_RIGHT_SEND | CAP_RIGHT_RECV | CAP_RIGHT_GRANT, 0);
		orb_cap_delete((cap_handle_t)ep);
		ep = lent;
	}
	ntfn = orb_ntfn_create();
	mem = orb_mem_create(65536);
	sendb = ep < 0 ? ep : orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, 0xbad);
	memro =
	    mem < 0 ? mem : orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	go = orb_ntfn_create();
	/* The fuzzer may only wait for go: a signal it made itself would start the next run
	 * before free memory is read. */
	go_recv = go < 0 ? go : orb_cap_derive((cap_handle_t)go, CAP_RIGHT_RECV, 0);
	T_CHECK(ep >= 0 && ntfn >= 0 && mem >= 0 && sendb >= 0 && memro >= 0 && go_recv >= 0,
		"the fuzzer's capabilities: %ld %ld %ld %ld %ld %ld", ep, ntfn, mem, sendb, memro,
		go_recv);
	caps[0] = (cap_handle_t)ep;
	caps[1] = (cap_handle_t)ntfn;
	caps[2] = (cap_handle_t)mem;
	caps[3] = (cap_handle_t)sendb;
	caps[4] = (cap_handle_t)memro;
	caps[5] = (cap_handle_t)go_recv; /* last: the fuzzer waits on it */

	T_EQ("threads made to fill the kernel's per-thread caches", t_thread_burst(), T_BURST);

	/* What an idle instance of the fuzzer gives back when it exits. */
	snprintf(arg, sizeof(arg), "0x%llx:0", (unsigned long long)seed);
	t_run_fuzzer(arg, caps, 6, (cap_handle_t)go, -1, &idle);
	freed_idle = (int64_t)(idle.free_gone - idle.free_alive);
	T_ERR("spawn the idle instance", idle.spawn, 0);
	T_EQ("idle instance: exit status", idle.status, 0);
	T_CHECK(freed_idle > 0, "an idle instance gives back %lld bytes when it exits",
		(long long)freed_idle);

	/* The first run also fills the kernel's caches (slab pages, page tables of the
	 * kernel-stack area, ...), which are not leaks; the second, identical, run is measured. */
	snprintf(arg, sizeof(arg), "0x%llx:%llu%s", (unsigned long long)seed,
		 (unsigned long long)calls, t_cmdline_u64("fuzz.trace", 0) ? ":t" : "");
	t_run_fuzzer(arg, caps, 6, (cap_handle_t)go, -1, &warm);
	T_ERR("spawn the fuzzer (first run)", warm.spawn, 0);
	T_CHECK(warm.status == 0, "fuzzer, first run: status %ld: %s (seed 0x%llx)", warm.status,
		t_status_name(warm.status), (unsigned long long)seed);
	printf("t_sysfuzz: first run gave back %lld bytes (idle instance: %lld)\n",
	       (long long)(warm.free_gone - warm.free_alive), (long long)freed_idle);

	t_run_fuzzer(arg, caps, 6, (cap_handle_t)go, freed_idle, &fuzz);
	T_ERR("spawn the fuzzer (second run)", fuzz.spawn, 0);
	T_CHECK(fuzz.status == 0, "fuzzer: status %ld: %s (seed 0x%llx)", fuzz.status,
		t_status_name(fuzz.status), (unsigned long long)seed);
	T_CHECK((int64_t)(fuzz.free_gone - fuzz.free_alive) == freed_idle,
		"free memory: %llu with the fuzzer idle, %llu after it exited: %lld bytes given "
		"back (want %lld, as the idle instance); %llu before it was spawned",
		(unsigned long long)fuzz.free_alive, (unsigned long long)fuzz.free_gone,
		(long long)(fuzz.free_gone - fuzz.free_alive), (long long)freed_idle,
		(unsigned long long)fuzz.before.mem_free);
	T_EQ("processes after the fuzzer (as before it)", fuzz.after.nprocs, fuzz.before.nprocs);
	T_EQ("threads after the fuzzer (as before it)", fuzz.after.nthreads, fuzz.before.nthreads);

	/* The capabilities init lent are intact, and a last endpoint round still works. */
	T_ERR("init's endpoint still answers (nb_send, no receiver)",
	      orb_nb_send((cap_handle_t)ep, &(struct orb_msg){0}), -ERR_AGAIN);
	T_EQ("revoke(mem) finds only init's read-only derivation",
	     orb_cap_revoke((cap_handle_t)mem), 1);
	for (int i = 0; i < 6; i++)
		orb_cap_delete(caps[i]);
	orb_cap_delete((cap_handle_t)go);
	return t_finish("t_sysfuzz");
}
