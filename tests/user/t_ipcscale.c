/*
 * t_ipcscale: IPC round trips per second with N independent client/server
 * pairs running at once (the ipc_scaling.N benchmark).
 *
 * Run as init (`test=user init=t_ipcscale ipcscale.n=N`, on N CPUs; `make
 * bench` and bench/vm run it). Pair i is its own endpoint, a server process
 * (this program, role "server") in a reply_recv loop on it, and a client
 * thread of init calling it with one word each way (the fast path's case).
 * The pairs share no object, so whatever slows them down together is the
 * kernel's. The kernel has no user-visible CPU affinity: each pair settles
 * on a CPU of its own because the fast path keeps a call and its reply on the
 * caller's CPU, and idle CPUs pull ready threads.
 *
 * Every client counts its round trips in the same window of wall-clock time
 * (SYS_CLOCK: real time under KVM and under TCG without -icount), after a
 * warm-up, and init prints:
 *   bench ipc_scaling.N R rt/s      R: the mean over the pairs, per pair
 *   bench ipc_scaling.N.pairI R rt/s  each pair's own figure
 * A harness divides ipc_scaling.N by ipc_scaling.1 for the scaling ratio.
 * With `ipcscale.null=1` the clients make SYS_NULL calls instead (no IPC, no
 * lock: what the machine itself scales to; printed as null_scaling.N), the
 * control for a host whose cores are busy with other work.
 * Not a timed test: the checks only prove every call was answered correctly.
 */
#include "t_check.h"
#include <orb/thread.h>

#define T_MAX_PAIRS 8
#define T_WARMUP_NS T_MS(300)
#define T_WINDOW_NS T_MS(2000)
#define T_OP_PING   1u
#define T_OP_QUIT   2u

struct t_pair {
	cap_handle_t ep;
	cap_handle_t server;
	volatile uint64_t count; /* round trips in the window */
	volatile uint64_t bad;	 /* failed or wrong replies */
	volatile uint32_t done;
};

static struct t_pair t_pairs[T_MAX_PAIRS];
static volatile uint64_t t_start_at, t_end_at;
static bool t_null; /* the control: SYS_NULL instead of a round trip */

static int t_server(void)
{
	cap_handle_t ep = orb_start_cap(0);
	struct orb_msg m = {0};
	long r = orb_recv(ep, &m, T_WAIT_NS);
	while (r == 0) {
		if (IPC_TAG_LABEL(m.tag) == T_OP_QUIT) {
			m.tag = 0;
			orb_reply(&m);
			return 0;
		}
		m.w[0]++;
		m.tag = IPC_TAG(T_OP_PING, 1, 0);
		r = orb_reply_recv(ep, &m, IPC_TIMEOUT_NEVER);
	}
	return 3;
}

static bool t_ping(cap_handle_t ep, uint64_t i)
{
	if (t_null)
		return orb_null() == 0;
	struct orb_msg m = {0};
	m.tag = IPC_TAG(T_OP_PING, 1, 0);
	m.w[0] = i;
	return orb_call(ep, &m, IPC_TIMEOUT_NEVER) == 0 && m.w[0] == i + 1;
}

/* One client: calls until the window starts (warm-up), then counts until it ends. */
static void t_client(void *arg)
{
	struct t_pair *p = arg;
	uint64_t i = 0, n = 0, bad = 0;
	while (orb_clock() < t_start_at)
		bad += !t_ping(p->ep, i++);
	while (orb_clock() < t_end_at) {
		/* The clock is a system call: read it once per 64 round trips. */
		for (unsigned k = 0; k < 64; k++)
			bad += !t_ping(p->ep, i++);
		n += 64;
	}
	p->count = n;
	p->bad = bad;
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "server"))
		return t_server();

	unsigned n = (unsigned)t_cmdline_u64("ipcscale.n", 1);
	t_null = t_cmdline_u64("ipcscale.null", 0) != 0;
	const char *what = t_null ? "null_scaling" : "ipc_scaling";
	if (n < 1 || n > T_MAX_PAIRS)
		n = 1;
	printf("t_ipcscale: %u pairs, %u CPUs\n", n, t_sysinfo().ncpus);
	for (unsigned i = 0; i < n; i++) {
		long ep = orb_endpoint_create();
		T_OK("endpoint_create", ep);
		if (ep < 0)
			return t_finish("t_ipcscale");
		t_pairs[i].ep = (cap_handle_t)ep;
		long r = t_spawn_role("t_ipcscale", "server", NULL, &t_pairs[i].ep, 1,
				      &t_pairs[i].server);
		T_ERR("spawn a server", r, 0);
		if (r < 0)
			return t_finish("t_ipcscale");
	}
	t_start_at = orb_clock() + T_WARMUP_NS;
	t_end_at = t_start_at + T_WINDOW_NS;
	for (unsigned i = 0; i < n; i++) {
		long r = orb_thread_spawn(t_client, &t_pairs[i], T_PRIO, NULL);
		T_ERR("spawn a client thread", r, 0);
		if (r < 0)
			return t_finish("t_ipcscale");
	}
	/* Init waits (sleeping, so it takes no CPU from the pairs) for every client. */
	uint64_t total = 0, bad = 0;
	for (unsigned i = 0; i < n; i++) {
		while (!__atomic_load_n(&t_pairs[i].done, __ATOMIC_ACQUIRE))
			orb_sleep(T_MS(50));
		total += t_pairs[i].count;
		bad += t_pairs[i].bad;
	}
	for (unsigned i = 0; i < n; i++)
		printf("bench %s.%u.pair%u %llu rt/s\n", what, n, i,
		       (unsigned long long)(t_pairs[i].count * 1000000000ull / T_WINDOW_NS));
	printf("bench %s.%u %llu rt/s\n", what, n,
	       (unsigned long long)(total * 1000000000ull / T_WINDOW_NS / n));
	T_EQ("calls failed or answered wrongly", bad, 0);
	for (unsigned i = 0; i < n; i++) {
		struct orb_msg m = {0};
		m.tag = IPC_TAG(T_OP_QUIT, 0, 0);
		T_ERR("quit call", orb_call(t_pairs[i].ep, &m, T_WAIT_NS), 0);
		T_EQ("server: exit status", t_wait_and_drop(t_pairs[i].server), 0);
		orb_cap_delete(t_pairs[i].ep);
	}
	return t_finish("t_ipcscale");
}
