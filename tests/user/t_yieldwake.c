/*
 * t_yieldwake: a thread that is woken while threads of its own priority spin
 * on SYS_YIELD must run soon, on any number of CPUs.
 *
 * Run as init (`test=user init=t_yieldwake`), best on 4 CPUs. For N = the
 * number of CPUs and N = twice that, N threads at the test's priority call
 * SYS_YIELD in a loop; meanwhile a thread of the same priority is woken over
 * and over, two ways: from a sleep (the timer tick's wake-up, part "sleep":
 * the main thread sleeps 1 ms), and from a notification signalled by another
 * thread (sched_wake from another CPU, part "signal": a waiter thread). Each
 * round measures, on the kernel's monotonic clock (guest time), how long the
 * woken thread stayed ready before it ran.
 *
 * Round robin bounds that: a woken thread waits at most behind every thread
 * ready on its CPU, each for one time slice (10 ms), and a yield gives the
 * CPU away at once. So with N + 2 threads of the priority in all, no correct
 * kernel keeps it waiting T_BOUND_SLICES slices (a bound far above that,
 * for emulators that run one vCPU at a time); a scheduler that lets yielding
 * threads pass it keeps it waiting until the spinners stop. The spinners
 * stop when a round has waited past the bound, so a failing kernel still
 * finishes the test (with the delay it saw).
 *
 * Part "rounds" (workers blocking between bursts of yielding) is the one that
 * found a thread stolen by an idle CPU and then held, on no queue, by that
 * CPU's preempted idle thread (sched.c, pull_work). The threads here spin on
 * purpose: not a test for -icount, where one vCPU may run alone for long.
 * Seen under QEMU 7.2, single-threaded TCG with -icount shift=0, 4 CPUs: the
 * part failed with every missing worker on one of three vCPUs that sat in the
 * kernel with interrupts off, waiting for ipc_lock (a ticket lock). The lock
 * was free and the next ticket was one vCPU's, yet that vCPU did not run one
 * instruction of its four-instruction wait loop for 12 s of guest time, while
 * the fourth vCPU (the main thread and one yielding worker, never idle) ticked
 * every millisecond. All went on as soon as that vCPU halted. A vCPU that
 * QEMU does not run, not a thread the kernel lost.
 */
#include "t_check.h"
#include <orb/thread.h>

#define T_SLICE_NS T_MS(10) /* the kernel's round-robin slice (SCHED_SLICE_TICKS) */
/* 120 s of guest time. Round robin needs a few slices; the rest is for a host
 * so loaded that it runs the guest's CPUs seconds apart (the guest clock goes
 * on meanwhile: seen, 13 s beside three other QEMUs on two cores; the bound
 * keeps nine times that). A thread that is never scheduled misses any bound. */
#define T_BOUND_SLICES 12000
#define T_BOUND_NS     (T_BOUND_SLICES * T_SLICE_NS)
#define T_SLEEP_NS     T_MS(1)
#define T_ROUNDS       100 /* wake-ups per part and spinner count */
#define T_WK_ROUNDS    200 /* rounds of part "rounds" per worker count */
#define T_MAX_SPIN     64

static volatile int t_stop;		       /* spinners: return */
static volatile uint64_t t_yields[T_MAX_SPIN]; /* per spinner, for the report */
static volatile int t_spinning;

static void t_spinner(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	__atomic_add_fetch(&t_spinning, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&t_stop, __ATOMIC_ACQUIRE)) {
		orb_yield();
		t_yields[i]++;
	}
	__atomic_sub_fetch(&t_spinning, 1, __ATOMIC_RELEASE);
}

/* Starts n spinners and waits until each has run (they are then all ready). */
static bool t_start_spinners(unsigned n)
{
	t_stop = 0;
	for (unsigned i = 0; i < n; i++) {
		t_yields[i] = 0;
		if (orb_thread_spawn(t_spinner, (void *)(uintptr_t)i, T_PRIO, NULL) != 0)
			return false;
	}
	uint64_t start = orb_clock();
	while (__atomic_load_n(&t_spinning, __ATOMIC_ACQUIRE) < (int)n &&
	       orb_clock() - start < T_WAIT_NS)
		orb_sleep(T_MS(1));
	return __atomic_load_n(&t_spinning, __ATOMIC_ACQUIRE) == (int)n;
}

/* Stops the spinners and waits until they have all returned. */
static bool t_stop_spinners(void)
{
	__atomic_store_n(&t_stop, 1, __ATOMIC_RELEASE);
	uint64_t start = orb_clock();
	while (__atomic_load_n(&t_spinning, __ATOMIC_ACQUIRE) > 0 &&
	       orb_clock() - start < T_WAIT_NS)
		orb_sleep(T_MS(1));
	return __atomic_load_n(&t_spinning, __ATOMIC_ACQUIRE) == 0;
}

/* ---- part "sleep": the main thread's own sleeps end on time ---- */

/* The longest time a 1 ms sleep overran its deadline, over T_ROUNDS sleeps. */
static uint64_t t_sleep_part(void)
{
	uint64_t worst = 0;
	for (int r = 0; r < T_ROUNDS; r++) {
		uint64_t t0 = orb_clock();
		orb_sleep(T_SLEEP_NS);
		uint64_t late = orb_clock() - t0 - T_SLEEP_NS;
		if (late > worst)
			worst = late;
		if (late > T_BOUND_NS)
			__atomic_store_n(&t_stop, 1,
					 __ATOMIC_RELEASE); /* let the rest go quickly */
	}
	return worst;
}

/* ---- part "signal": a waiter woken through a notification from this thread ---- */

static cap_handle_t t_ntfn;
static volatile uint64_t t_signalled_at; /* clock when the main thread signalled */
static volatile uint64_t t_delay;	 /* the waiter's measured wake-to-run delay */
static volatile int t_woken;		 /* rounds the waiter has seen */

static void t_waiter(void *arg)
{
	(void)arg;
	for (int r = 1; r <= T_ROUNDS; r++) {
		if (orb_ntfn_wait(t_ntfn, IPC_TIMEOUT_NEVER) <= 0)
			break;
		t_delay = orb_clock() - t_signalled_at;
		__atomic_store_n(&t_woken, r, __ATOMIC_RELEASE);
	}
}

/* The longest wake-to-run delay of the waiter over T_ROUNDS signals; *done
 * counts the rounds it answered. */
static uint64_t t_signal_part(int *done)
{
	uint64_t worst = 0;
	t_woken = 0;
	*done = 0;
	if (orb_thread_spawn(t_waiter, NULL, T_PRIO, NULL) != 0)
		return UINT64_MAX;
	for (int r = 1; r <= T_ROUNDS; r++) {
		orb_sleep(T_SLEEP_NS); /* the waiter blocks again meanwhile, usually */
		t_signalled_at = orb_clock();
		orb_ntfn_signal(t_ntfn, 1);
		uint64_t start = orb_clock();
		while (__atomic_load_n(&t_woken, __ATOMIC_ACQUIRE) < r) {
			if (orb_clock() - start > T_WAIT_NS)
				return UINT64_MAX;
			if (orb_clock() - start > T_BOUND_NS)
				__atomic_store_n(&t_stop, 1, __ATOMIC_RELEASE);
			orb_sleep(T_MS(1));
		}
		*done = r;
		if (t_delay > worst)
			worst = t_delay;
	}
	return worst;
}

/* ---- part "rounds": threads that block between bursts of yielding ---- */

/*
 * Each round the main thread signals every worker (each has a notification of
 * its own); a worker that wakes notes how long after the signal it ran, checks
 * in, and then yields until every worker has checked in, and blocks again.
 * Wake-ups land on idle CPUs and on busy ones, idle CPUs pull woken workers
 * from busy ones, and a worker kept from running keeps every other worker
 * yielding: the pattern of a pool polling a round counter.
 */
static cap_handle_t t_wk_ntfn[T_MAX_SPIN];
static volatile uint64_t t_round_at;	/* clock when the round's first signal went */
static volatile uint64_t t_round_worst; /* longest signal-to-run delay seen */
static volatile uint64_t t_arrived;	/* check-ins over all rounds */
static volatile uint64_t t_round;	/* the round under way (1, 2, ...) */
static volatile uint64_t t_nworkers;	/* workers in this part */
static volatile int t_workers;		/* workers not yet returned */

static void t_worker(void *arg)
{
	cap_handle_t n = t_wk_ntfn[(uintptr_t)arg];
	uint64_t seen = 0; /* the last round this worker checked in to */
	while (orb_ntfn_wait(n, IPC_TIMEOUT_NEVER) > 0) {
		uint64_t r = __atomic_load_n(&t_round, __ATOMIC_ACQUIRE);
		if (seen < r) { /* woken for a round: how long after its signal? */
			uint64_t d = orb_clock() - t_round_at;
			uint64_t w = __atomic_load_n(&t_round_worst, __ATOMIC_RELAXED);
			while (d > w &&
			       !__atomic_compare_exchange_n(&t_round_worst, &w, d, false,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				;
			seen = r;
			__atomic_add_fetch(&t_arrived, 1, __ATOMIC_ACQ_REL);
		}
		if (__atomic_load_n(&t_stop, __ATOMIC_ACQUIRE))
			break;
		while (__atomic_load_n(&t_arrived, __ATOMIC_ACQUIRE) < r * t_nworkers &&
		       !__atomic_load_n(&t_stop, __ATOMIC_ACQUIRE))
			orb_yield();
	}
	__atomic_sub_fetch(&t_workers, 1, __ATOMIC_RELEASE);
}

/* Runs T_WK_ROUNDS rounds of n workers; the rounds completed. */
static int t_rounds_part(unsigned n)
{
	int done = 0;
	t_stop = 0;
	t_arrived = 0;
	t_round_worst = 0;
	t_round = 0;
	t_nworkers = n;
	for (unsigned i = 0; i < n; i++) {
		long h = orb_ntfn_create();
		if (h < 0)
			return -1;
		t_wk_ntfn[i] = (cap_handle_t)h;
	}
	for (unsigned i = 0; i < n; i++) {
		if (orb_thread_spawn(t_worker, (void *)(uintptr_t)i, T_PRIO, NULL) != 0)
			return -1;
		__atomic_add_fetch(&t_workers, 1, __ATOMIC_RELEASE);
	}
	for (int r = 1; r <= T_WK_ROUNDS; r++) {
		t_round_at = orb_clock();
		__atomic_store_n(&t_round, (uint64_t)r, __ATOMIC_RELEASE);
		for (unsigned i = 0; i < n; i++)
			orb_ntfn_signal(t_wk_ntfn[i], 1);
		while (__atomic_load_n(&t_arrived, __ATOMIC_ACQUIRE) < (uint64_t)r * n &&
		       orb_clock() - t_round_at <= T_BOUND_NS)
			orb_sleep(T_MS(1));
		if (__atomic_load_n(&t_arrived, __ATOMIC_ACQUIRE) < (uint64_t)r * n)
			break; /* a worker stayed away past the bound */
		done = r;
	}
	/* End: stop the yielding (a worker kept away can then run), wake the rest. */
	__atomic_store_n(&t_stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < n; i++)
		orb_ntfn_signal(t_wk_ntfn[i], 1);
	uint64_t start = orb_clock();
	while (__atomic_load_n(&t_workers, __ATOMIC_ACQUIRE) > 0 && orb_clock() - start < T_WAIT_NS)
		orb_sleep(T_MS(1));
	if (__atomic_load_n(&t_workers, __ATOMIC_ACQUIRE) > 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		orb_cap_delete(t_wk_ntfn[i]);
	return done;
}

static void t_rounds(unsigned n)
{
	int done = t_rounds_part(n);
	T_CHECK(done == T_WK_ROUNDS, "%u workers: rounds where every worker ran = %d (want %d)", n,
		done, T_WK_ROUNDS);
	T_CHECK(t_round_worst <= T_BOUND_NS,
		"%u workers: worst signal-to-run delay %llu us (bound %llu us)", n,
		(unsigned long long)t_round_worst / 1000, (unsigned long long)T_BOUND_NS / 1000);
}

static void t_run(unsigned nspin)
{
	char what[96];
	snprintf(what, sizeof(what), "%u spinners: all started", nspin);
	T_CHECK(t_start_spinners(nspin), "%s", what);

	uint64_t sleep_worst = t_sleep_part();
	int done;
	uint64_t signal_worst = t_signal_part(&done);
	bool stopped_early = __atomic_load_n(&t_stop, __ATOMIC_ACQUIRE) != 0;
	T_CHECK(t_stop_spinners(), "%u spinners: all returned", nspin);
	uint64_t least = UINT64_MAX;
	for (unsigned i = 0; i < nspin; i++)
		least = t_yields[i] < least ? t_yields[i] : least;

	T_CHECK(sleep_worst <= T_BOUND_NS,
		"%u spinners: sleep: worst lateness of a 1 ms sleep %llu us (bound %llu us)", nspin,
		(unsigned long long)sleep_worst / 1000, (unsigned long long)T_BOUND_NS / 1000);
	T_EQ("signal: rounds the waiter answered", done, T_ROUNDS);
	T_CHECK(signal_worst <= T_BOUND_NS,
		"%u spinners: signal: worst wake-to-run delay %llu us (bound %llu us)", nspin,
		(unsigned long long)signal_worst / 1000, (unsigned long long)T_BOUND_NS / 1000);
	T_CHECK(!stopped_early, "%u spinners: never stopped to let a woken thread run", nspin);
	T_CHECK(least > 0, "%u spinners: every spinner yielded (fewest %llu times)", nspin,
		(unsigned long long)least);
}

int main(void)
{
	unsigned ncpus = t_sysinfo().ncpus;
	printf("t_yieldwake: %u CPUs\n", ncpus);
	long n = orb_ntfn_create();
	T_OK("a notification", n);
	t_ntfn = (cap_handle_t)n;
	unsigned counts[2] = {ncpus, 2 * ncpus};
	for (int i = 0; i < 2; i++)
		t_run(counts[i] < T_MAX_SPIN ? counts[i] : T_MAX_SPIN);
	unsigned workers[2] = {ncpus + 1, 2 * ncpus};
	for (int i = 0; i < 2; i++)
		t_rounds(workers[i] < T_MAX_SPIN ? workers[i] : T_MAX_SPIN);
	orb_cap_delete(t_ntfn);
	return t_finish("t_yieldwake");
}
