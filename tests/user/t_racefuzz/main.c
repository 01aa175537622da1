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
 *
 * This file is init's side: the rounds, their accounting and the checks. The
 * workers are worker.c (their threads and the calls they make) and args.c
 * (the handle pools and the arguments); racefuzz.h is what both sides share.
 */
#include "racefuzz.h"

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
		memcpy((void *)R_SHARED_VA, r_code, r_code_size);
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
