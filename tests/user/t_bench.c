/*
 * t_bench: IPC and system-call costs in TSC units.
 *
 * Run as init (`test=user init=t_bench`; `make bench` runs it under QEMU TCG
 * with -icount shift=0, where the TSC counts about one unit per instruction).
 * The server is a second process (this program, role "server") in a
 * reply_recv loop. Prints, each the median over T_RUNS runs of the mean cost
 * of one operation in a run:
 *   bench null_syscall.orbital N tsc   SYS_NOP: the cheapest call through the
 *                                      real entry, call table and exit
 *   bench null_shortcut.orbital N tsc  SYS_NULL, answered by the entry's
 *                                      first instructions (saves nothing)
 *   bench ipc_roundtrip.orbital N tsc  call + reply_recv, one word each way
 *   bench copy_64k.orbital N tsc       64 KiB sent as 128 full messages
 *                                      (64 words: 4 in registers, 60 through
 *                                      the IPC buffers), stored by the server
 *   bench memcap_64k.orbital N tsc     64 KiB handed over as a read-only
 *                                      Memory capability, which the server
 *                                      maps, reads whole, unmaps and deletes
 * Not a timed test: the checks only prove the work was done (replies,
 * checksums of what the server received), never how fast.
 */
#include "t_check.h"

#define T_RUNS	     9
#define T_NULL_ITERS 20000
#define T_IPC_ITERS  5000
#define T_XFER_ITERS 16
#define T_SIZE	     (64u * 1024)
#define T_MSG_BYTES  (IPC_MAX_WORDS * 8)
#define T_SERVER_VA  (T_MAP_BASE + 0x3000000)
#define T_CLIENT_VA  (T_MAP_BASE + 0x4000000)

#define T_OP_PING   1u
#define T_OP_COPY   2u
#define T_OP_SUM    3u /* the checksum of what COPY stored */
#define T_OP_MEMCAP 4u
#define T_OP_QUIT   5u

static uint64_t t_sink[T_SIZE / 8];

static uint64_t t_sum(const volatile uint64_t *p)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < T_SIZE / 8; i++)
		s = s * 31 + p[i];
	return s;
}

/* ---- Server. ---- */

static int t_server(void)
{
	cap_handle_t ep = orb_start_cap(0);
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m = {0};
	unsigned pos = 0, errors = 0;
	long r;

	if (!buf)
		return 2;
	r = orb_recv(ep, &m, T_WAIT_NS);
	while (r == 0) {
		switch (IPC_TAG_LABEL(m.tag)) {
		case T_OP_PING:
			m.w[0]++;
			m.tag = IPC_TAG(T_OP_PING, 1, 0);
			break;
		case T_OP_COPY:
			/* Stores the 64 words at the next 512 bytes of the sink. */
			if (IPC_TAG_NWORDS(m.tag) != IPC_MAX_WORDS)
				errors++;
			memcpy(&t_sink[pos], m.w, sizeof(m.w));
			memcpy(&t_sink[pos + IPC_REG_WORDS], &buf->words[IPC_REG_WORDS],
			       (IPC_MAX_WORDS - IPC_REG_WORDS) * 8);
			pos = (pos + IPC_MAX_WORDS) % (T_SIZE / 8);
			m.tag = IPC_TAG(T_OP_COPY, 0, 0);
			break;
		case T_OP_SUM:
			m.w[0] = t_sum(t_sink);
			m.tag = IPC_TAG(T_OP_SUM, 1, 0);
			break;
		case T_OP_MEMCAP: {
			cap_handle_t mem = buf->recv_caps[0];
			if (IPC_TAG_NCAPS(m.tag) != 1 ||
			    orb_mem_map(orb_self(), mem, T_SERVER_VA, 0, T_SIZE, ORB_PROT_READ)) {
				errors++;
				m.w[0] = 0;
			} else {
				m.w[0] = t_sum((const volatile uint64_t *)(uintptr_t)T_SERVER_VA);
				orb_mem_unmap(orb_self(), T_SERVER_VA, T_SIZE);
			}
			orb_cap_delete(mem);
			m.tag = IPC_TAG(T_OP_MEMCAP, 1, 0);
			break;
		}
		case T_OP_QUIT:
			m.w[0] = errors;
			m.tag = IPC_TAG(T_OP_QUIT, 1, 0);
			orb_reply(&m);
			return errors ? 1 : 0;
		default:
			errors++;
			m.tag = 0;
			break;
		}
		r = orb_reply_recv(ep, &m, IPC_TIMEOUT_NEVER); /* the fast path's case */
	}
	return 3;
}

/* ---- Client (init). ---- */

static uint64_t t_median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* T_RUNS runs of T_NULL_ITERS calls of `call` (results checked by t_syscall, not here:
 * the loop is what is measured). */
#define T_BENCH_NULL(call)                                                                         \
	({                                                                                         \
		uint64_t runs_[T_RUNS];                                                            \
		for (unsigned r_ = 0; r_ < T_RUNS; r_++) {                                         \
			uint64_t t0_ = t_rdtsc();                                                  \
			for (unsigned i_ = 0; i_ < T_NULL_ITERS; i_++)                             \
				call();                                                            \
			runs_[r_] = (t_rdtsc() - t0_) / T_NULL_ITERS;                              \
		}                                                                                  \
		t_median(runs_, T_RUNS);                                                           \
	})

static uint64_t t_bench_ipc(cap_handle_t ep, unsigned *bad)
{
	uint64_t runs[T_RUNS];
	for (unsigned r = 0; r < T_RUNS; r++) {
		uint64_t t0 = t_rdtsc();
		for (unsigned i = 0; i < T_IPC_ITERS; i++) {
			struct orb_msg m = {0};
			m.tag = IPC_TAG(T_OP_PING, 1, 0);
			m.w[0] = i;
			if (orb_call(ep, &m, IPC_TIMEOUT_NEVER) != 0 || m.w[0] != i + 1)
				(*bad)++;
		}
		runs[r] = (t_rdtsc() - t0) / T_IPC_ITERS;
	}
	return t_median(runs, T_RUNS);
}

/* Sends the 64 KiB at src as 128 messages. */
static void t_copy_once(cap_handle_t ep, const uint64_t *src, unsigned *bad)
{
	struct ipc_buffer *buf = orb_ipc_buf();
	for (unsigned off = 0; off < T_SIZE / 8; off += IPC_MAX_WORDS) {
		struct orb_msg m = {0};
		m.tag = IPC_TAG(T_OP_COPY, IPC_MAX_WORDS, 0);
		memcpy(m.w, &src[off], sizeof(m.w));
		memcpy(&buf->words[IPC_REG_WORDS], &src[off + IPC_REG_WORDS],
		       (IPC_MAX_WORDS - IPC_REG_WORDS) * 8);
		if (orb_call(ep, &m, IPC_TIMEOUT_NEVER) != 0)
			(*bad)++;
	}
}

static uint64_t t_bench_copy(cap_handle_t ep, const uint64_t *src, unsigned *bad)
{
	uint64_t runs[T_RUNS];
	for (unsigned r = 0; r < T_RUNS; r++) {
		uint64_t t0 = t_rdtsc();
		for (unsigned i = 0; i < T_XFER_ITERS; i++)
			t_copy_once(ep, src, bad);
		runs[r] = (t_rdtsc() - t0) / T_XFER_ITERS;
	}
	return t_median(runs, T_RUNS);
}

static uint64_t t_bench_memcap(cap_handle_t ep, cap_handle_t memro, uint64_t want, unsigned *bad)
{
	struct ipc_buffer *buf = orb_ipc_buf();
	uint64_t runs[T_RUNS];
	for (unsigned r = 0; r < T_RUNS; r++) {
		uint64_t t0 = t_rdtsc();
		for (unsigned i = 0; i < T_XFER_ITERS; i++) {
			struct orb_msg m = {0};
			m.tag = IPC_TAG(T_OP_MEMCAP, 0, 1);
			buf->send_caps[0] = memro;
			if (orb_call(ep, &m, IPC_TIMEOUT_NEVER) != 0 || m.w[0] != want)
				(*bad)++;
		}
		runs[r] = (t_rdtsc() - t0) / T_XFER_ITERS;
	}
	return t_median(runs, T_RUNS);
}

int main(int argc, char **argv)
{
	cap_handle_t server = 0, caps[1];
	uint64_t *src = (uint64_t *)(uintptr_t)T_CLIENT_VA, want, v;
	unsigned bad_ipc = 0, bad_copy = 0, bad_memcap = 0;
	long ep, mem, memro, r;
	struct orb_msg m = {0};

	if (t_role_is(argc, argv, "server"))
		return t_server();

	ep = orb_endpoint_create();
	mem = orb_mem_create(T_SIZE);
	T_OK("endpoint_create", ep);
	T_OK("mem_create(64 KiB)", mem);
	T_ERR("map the 64 KiB source",
	      orb_mem_map(orb_self(), (cap_handle_t)mem, T_CLIENT_VA, 0, T_SIZE,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	memro = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	T_OK("derive(mem, READ|MAP)", memro);
	caps[0] = (cap_handle_t)ep;
	r = t_spawn_role("t_bench", "server", NULL, caps, 1, &server);
	T_ERR("spawn the server", r, 0);
	if (ep < 0 || mem < 0 || memro < 0 || r < 0)
		return t_finish("t_bench");
	for (unsigned i = 0; i < T_SIZE / 8; i++)
		src[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull ^ 0x0123456789abcdefull;
	want = t_sum(src);

	v = T_BENCH_NULL(orb_nop);
	printf("bench null_syscall.orbital %llu tsc\n", (unsigned long long)v);
	v = T_BENCH_NULL(orb_null);
	printf("bench null_shortcut.orbital %llu tsc\n", (unsigned long long)v);
	v = t_bench_ipc((cap_handle_t)ep, &bad_ipc);
	printf("bench ipc_roundtrip.orbital %llu tsc\n", (unsigned long long)v);
	T_EQ("ipc_roundtrip: wrong or failed replies", bad_ipc, 0);

	v = t_bench_copy((cap_handle_t)ep, src, &bad_copy);
	printf("bench copy_64k.orbital %llu tsc\n", (unsigned long long)v);
	T_EQ("copy_64k: failed calls", bad_copy, 0);
	m.tag = IPC_TAG(T_OP_SUM, 0, 0);
	r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
	T_ERR("copy_64k: checksum call", r, 0);
	T_EQX("copy_64k: checksum of the 64 KiB the server stored", m.w[0], want);

	v = t_bench_memcap((cap_handle_t)ep, (cap_handle_t)memro, want, &bad_memcap);
	printf("bench memcap_64k.orbital %llu tsc\n", (unsigned long long)v);
	T_EQ("memcap_64k: failed calls or wrong checksums", bad_memcap, 0);

	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(T_OP_QUIT, 0, 0);
	r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
	T_ERR("quit call", r, 0);
	T_EQ("server: protocol errors", m.w[0], 0);
	T_EQ("server: exit status", t_wait_and_drop(server), 0);
	T_EQ("revoke(mem): the server kept no copy (only our derivation)",
	     orb_cap_revoke((cap_handle_t)mem), 1);
	orb_mem_unmap(orb_self(), T_CLIENT_VA, T_SIZE);
	orb_cap_delete((cap_handle_t)mem);
	orb_cap_delete((cap_handle_t)ep);
	return t_finish("t_bench");
}
