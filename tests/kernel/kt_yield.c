/*
 * yield_wake: a thread woken on a CPU where threads of its priority yield in
 * a loop runs within a bounded number of that CPU's timer ticks, with every
 * thread pinned to one CPU (so no balancing can help or hide anything).
 *
 * On each online CPU c: k spinners (k = 1, then 2) pinned to c call
 * thread_yield() until told to stop; a sleeper pinned to c sleeps 1 ms over
 * and over (woken by c's own tick); a waiter pinned to c blocks over and
 * over and is woken by sched_wake() from a waker pinned to the next CPU. All
 * run at one priority. Each wake-up is measured in ticks of c, the CPU the
 * woken thread waits on: guest time as c's scheduler sees it, not the host's.
 *
 * Round robin bounds the wait: the woken thread goes to the tail of its level
 * on c, behind at most the k spinners, the waker or sleeper and the other
 * pinned thread, and each of those runs at most one time slice before it is
 * put behind it (a yield gives the CPU away at once). So no correct scheduler
 * makes it wait more than YW_BOUND ticks; a yield that lets the yielding
 * thread or its peers pass a ready thread keeps it waiting as long as they
 * spin. The other scheduler tests are in kt_sched.c and kt_stress.c.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/kt_sched.h"
#include "sched/cpu.h"
#include "sched/sched.h"
#include "sched/time.h"

/* Just below the test runner's 32: the runner gets back to report even from a
 * kernel whose yield never gives the CPU away. */
#define YW_PRIO	    31
#define YW_ROUNDS   100
#define YW_MAX_SPIN 2
/* The threads that can be ahead of a woken one on its CPU (spinners, its
 * waker or sleeper, the other pinned thread), and the runner, one slice each
 * (plus a tick for a preemption that waits for interrupts to come on), plus
 * two ticks for a 1 ms sleep to end on a tick. */
#define YW_BOUND(k) (((k) + 3) * (SCHED_SLICE_TICKS + 1) + 2)

static volatile bool yw_stop;
static volatile uint32_t yw_left;	 /* sleepers and waiters still running */
static volatile uint64_t yw_worst_sleep; /* ticks: the longest 1 ms sleep */
static volatile uint64_t yw_worst_wake;	 /* ticks: the longest wake-to-run */
static struct thread *volatile yw_waiter[MAX_CPUS];
static volatile uint32_t yw_armed[MAX_CPUS];	/* the waiter is BLOCKED (round number) */
static volatile uint64_t yw_woken_at[MAX_CPUS]; /* the waiter's CPU's ticks at the wake */
static volatile uint32_t yw_ran[MAX_CPUS];	/* rounds the waiter has run after */

/* This CPU's tick count (the thread is pinned: it stays on this CPU). */
static uint64_t yw_ticks(void)
{
	return __atomic_load_n(&this_cpu()->ticks, __ATOMIC_RELAXED);
}

static void yw_max(volatile uint64_t *worst, uint64_t v)
{
	uint64_t w = __atomic_load_n(worst, __ATOMIC_RELAXED);
	while (v > w && !__atomic_compare_exchange_n(worst, &w, v, false, __ATOMIC_RELAXED,
						     __ATOMIC_RELAXED))
		;
}

static void yw_spinner(void *arg)
{
	(void)arg;
	while (!yw_stop)
		thread_yield();
}

static void yw_sleeper(void *arg)
{
	(void)arg;
	for (int r = 0; r < YW_ROUNDS; r++) {
		uint64_t t0 = yw_ticks();
		thread_sleep_ns(MS);
		yw_max(&yw_worst_sleep, yw_ticks() - t0);
	}
	__atomic_fetch_sub(&yw_left, 1, __ATOMIC_RELEASE);
}

static void yw_waiter_fn(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	for (uint32_t r = 1; r <= YW_ROUNDS; r++) {
		sched_prepare_block();
		__atomic_store_n(&yw_armed[c], r, __ATOMIC_RELEASE);
		sched_block_until(UINT64_MAX);
		if (yw_stop)
			break; /* woken by the runner at the end (a failed run) */
		yw_max(&yw_worst_wake, yw_ticks() - yw_woken_at[c]);
		__atomic_store_n(&yw_ran[c], r, __ATOMIC_RELEASE);
	}
	__atomic_fetch_sub(&yw_left, 1, __ATOMIC_RELEASE);
}

/* Wakes CPU c's waiter YW_ROUNDS times, from the CPU after c; yields while it waits. */
static void yw_waker(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	for (uint32_t r = 1; r <= YW_ROUNDS; r++) {
		while (__atomic_load_n(&yw_armed[c], __ATOMIC_ACQUIRE) < r && !yw_stop)
			thread_yield();
		if (yw_stop)
			return;
		/* c's tick count, read from here: only c writes it. */
		yw_woken_at[c] = __atomic_load_n(&cpu_by_id(c)->ticks, __ATOMIC_RELAXED);
		sched_wake(yw_waiter[c]);
		while (__atomic_load_n(&yw_ran[c], __ATOMIC_ACQUIRE) < r && !yw_stop)
			thread_yield();
	}
}

/* One run with k spinners per CPU; returns 0 if every bound held. */
static int yw_run(unsigned k)
{
	unsigned n = ncpus_online;
	struct thread *t[MAX_CPUS * (YW_MAX_SPIN + 3)];
	unsigned nt = 0;
	yw_stop = false;
	yw_worst_sleep = yw_worst_wake = 0;
	yw_left = 2 * n;
	kt_no_preempt();
	for (unsigned c = 0; c < n; c++) {
		yw_armed[c] = yw_ran[c] = 0;
		yw_waiter[c] = thread_create("ywwait", yw_waiter_fn, (void *)(uintptr_t)c, YW_PRIO,
					     kt_on_cpu_mask(c));
		t[nt++] = yw_waiter[c];
	}
	for (unsigned c = 0; c < n; c++) {
		for (unsigned i = 0; i < k; i++)
			t[nt++] =
			    thread_create("ywspin", yw_spinner, NULL, YW_PRIO, kt_on_cpu_mask(c));
		t[nt++] = thread_create("ywsleep", yw_sleeper, NULL, YW_PRIO, kt_on_cpu_mask(c));
		t[nt++] = thread_create("ywwake", yw_waker, (void *)(uintptr_t)c, YW_PRIO,
					kt_on_cpu_mask((c + 1) % n));
	}
	kt_preempt_ok();
	for (unsigned i = 0; i < nt; i++)
		KT_ASSERT(t[i]);
	/* A limit for a kernel that never runs a woken thread (a hang otherwise). */
	uint64_t deadline = time_now_ns() + 30000 * MS;
	while (__atomic_load_n(&yw_left, __ATOMIC_ACQUIRE) && time_now_ns() < deadline)
		thread_sleep_ns(10 * MS);
	uint32_t left = yw_left;
	yw_stop = true;
	for (unsigned c = 0; c < n; c++) /* a waiter still blocked (a failed run) ends */
		while (__atomic_load_n(&yw_waiter[c]->state, __ATOMIC_ACQUIRE) != THREAD_DEAD) {
			sched_wake(yw_waiter[c]);
			thread_sleep_ns(MS);
		}
	for (unsigned i = 0; i < nt; i++)
		thread_join(t[i]);
	kprintf("KTEST info: %u CPUs, %u spinners each: worst 1 ms sleep %lu ticks, worst "
		"wake-to-run %lu ticks (bound %u)\n",
		n, k, yw_worst_sleep, yw_worst_wake, YW_BOUND(k));
	KT_ASSERT_EQ(left, 0);
	KT_ASSERT(yw_worst_sleep <= YW_BOUND(k));
	KT_ASSERT(yw_worst_wake <= YW_BOUND(k));
	return 0;
}

static int kt_yield_wake(void)
{
	for (unsigned k = 1; k <= YW_MAX_SPIN; k++)
		if (yw_run(k) != 0)
			return -1;
	return 0;
}

const struct ktest ktests_yield[] = {
    {"yield_wake", kt_yield_wake},
    {NULL, NULL},
};
