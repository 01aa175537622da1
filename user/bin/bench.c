/*
 * bench: the system-call and IPC micro-benchmarks of tests/user/t_bench.c,
 * for a person at the shell. Prints the median over BENCH_RUNS runs of the
 * mean cost of one operation, in nanoseconds (SYS_CLOCK) and TSC ticks:
 *   null syscall       SYS_NOP (through the real entry, call table and exit)
 *   ipc round trip     call + reply_recv with one word each way, to a server
 *                      thread of this process (the fast path's case when both
 *                      run on one CPU)
 * The numbers depend on the machine (under QEMU TCG they are emulation
 * costs); the checks only prove the work was done (each reply is checked).
 */
#include <orb/thread.h>
#include "cmd.h"

#define BENCH_RUNS	 7
#define BENCH_NULL_ITERS 20000
#define BENCH_IPC_ITERS	 5000
#define BENCH_PING	 1u
#define BENCH_QUIT	 2u

struct bench_cost {
	uint64_t ns, tsc;
};

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	/* Reads the time-stamp counter; no memory is touched. */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void bench_sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* Runs fn(arg, iters) BENCH_RUNS times; the medians of the per-operation costs. */
static struct bench_cost bench_measure(long (*fn)(void *, unsigned), void *arg, unsigned iters,
				       long *err)
{
	uint64_t ns[BENCH_RUNS], tsc[BENCH_RUNS];
	for (unsigned r = 0; r < BENCH_RUNS; r++) {
		uint64_t c0 = orb_clock(), t0 = bench_rdtsc();
		long e = fn(arg, iters);
		tsc[r] = (bench_rdtsc() - t0) / iters;
		ns[r] = (orb_clock() - c0) / iters;
		if (e < 0)
			*err = e;
	}
	bench_sort(ns, BENCH_RUNS);
	bench_sort(tsc, BENCH_RUNS);
	return (struct bench_cost){ns[BENCH_RUNS / 2], tsc[BENCH_RUNS / 2]};
}

static long bench_null(void *arg, unsigned iters)
{
	(void)arg;
	for (unsigned i = 0; i < iters; i++)
		orb_nop();
	return 0;
}

static long bench_ipc(void *arg, unsigned iters)
{
	cap_handle_t ep = *(cap_handle_t *)arg;
	for (unsigned i = 0; i < iters; i++) {
		struct orb_msg m = {0};
		m.tag = IPC_TAG(BENCH_PING, 1, 0);
		m.w[0] = i;
		long r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
		if (r < 0)
			return r;
		if (m.w[0] != (uint64_t)i + 1)
			return -ERR_FORMAT;
	}
	return 0;
}

/* The server thread: answers PING with w0 + 1 until QUIT. */
static void bench_server(void *arg)
{
	cap_handle_t ep = *(cap_handle_t *)arg;
	struct orb_msg m = {0};
	long r = orb_recv(ep, &m, IPC_TIMEOUT_NEVER);
	while (r == 0 && IPC_TAG_LABEL(m.tag) == BENCH_PING) {
		m.w[0]++;
		m.tag = IPC_TAG(BENCH_PING, 1, 0);
		r = orb_reply_recv(ep, &m, IPC_TIMEOUT_NEVER);
	}
	m.tag = IPC_TAG(BENCH_QUIT, 0, 0);
	orb_reply(&m);
}

int main(void)
{
	long err = 0;
	struct bench_cost c = bench_measure(bench_null, NULL, BENCH_NULL_ITERS, &err);
	printf("null syscall:    %6llu ns  %6llu tsc\n", (unsigned long long)c.ns,
	       (unsigned long long)c.tsc);

	long ep = orb_endpoint_create();
	if (ep < 0) {
		printf("bench: cannot create an endpoint: %s\n", cmd_strerror(ep));
		return 1;
	}
	cap_handle_t h = (cap_handle_t)ep, th;
	long r = orb_thread_spawn(bench_server, &h, 0, &th);
	if (r < 0) {
		printf("bench: cannot start the server thread: %s\n", cmd_strerror(r));
		return 1;
	}
	c = bench_measure(bench_ipc, &h, BENCH_IPC_ITERS, &err);
	printf("ipc round trip:  %6llu ns  %6llu tsc\n", (unsigned long long)c.ns,
	       (unsigned long long)c.tsc);
	struct orb_msg m = {0};
	m.tag = IPC_TAG(BENCH_QUIT, 0, 0);
	orb_call(h, &m, IPC_TIMEOUT_NEVER);
	if (err < 0) {
		printf("bench: a round trip failed: %s\n", cmd_strerror(err));
		return 1;
	}
	return 0;
}
