/*
 * t_echo: synchronous IPC between processes and threads, on -smp 1 and 4.
 *
 * Run as init (`test=user init=t_echo`). The parts:
 *   - an echo server process (reply_recv loop) serving T_NPROCS client
 *     processes and T_NTHREADS client threads of init at once, T_CALLS calls
 *     each; every message has 0..64 words (words 4.. through the IPC buffer)
 *     and the server answers with each word XORed with a key derived from the
 *     badge it saw, so a client checks its reply word for word and that its
 *     badge arrived; the server counts what it served;
 *   - zero-copy: a 64 KiB Memory capability sent to the server, which maps
 *     it read-only and checksums it (and cannot map it writable), then a
 *     writable one the server changes in place, seen by the client;
 *   - capability transfer: a notification sent to the server, which signals it;
 *   - timeouts: recv polling an empty endpoint, recv / send / call with a
 *     50 ms timeout (at least 50 ms of SYS_CLOCK), a call to a server that
 *     receives and never replies;
 *   - notifications: badges and bits ORed into the word, cleared by wait, a
 *     waiter woken by another thread;
 *   - a saved reply (SYS_REPLY_SAVE) answered later (SYS_REPLY_TO) after
 *     another call was served, and consumed by that.
 *
 * This file has the echo server, its clients and the transfers; waits.c has
 * the timeouts, the notifications and the saved reply (echo.h between them).
 */
#include <orb/thread.h>
#include "t_check.h"
#include "echo.h"

#define T_NPROCS   4
#define T_NTHREADS 2
#define T_CALLS	   1000

#define T_OP(label)    ((label) >> 24)
#define T_OP_ECHO      1u
#define T_OP_MEMSUM    2u
#define T_OP_MEMFLIP   3u
#define T_OP_SIGNAL    4u
#define T_OP_QUIT      5u
#define T_LABEL(op, x) ((uint32_t)(op) << 24 | ((uint32_t)(x)&0xffffff))
#define T_REPLY_XOR    0x00a5a5a5u

#define T_MEM_SIZE  (64u * 1024)
#define T_SERVER_VA (T_MAP_BASE + 0x1000000)
#define T_CLIENT_VA (T_MAP_BASE + 0x2000000)

static uint64_t t_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The word the server XORs into word k of a reply to the client with this badge. */
static uint64_t t_key(uint64_t badge, unsigned k)
{
	return t_mix(badge * 131 + k) | 1;
}

static uint64_t t_sum64k(const volatile uint64_t *p)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < T_MEM_SIZE / 8; i++)
		s = s * 31 + p[i];
	return s;
}

/* ---- The echo server process. ---- */

/* Maps the Memory cap the client sent and checksums / flips it. Returns the reply word 0. */
static uint64_t t_server_mem(uint32_t op, struct orb_msg *m, struct ipc_buffer *buf,
			     unsigned *errors)
{
	cap_handle_t mem = buf->recv_caps[0];
	unsigned prot = op == T_OP_MEMFLIP ? ORB_PROT_READ | ORB_PROT_WRITE : ORB_PROT_READ;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)T_SERVER_VA;
	uint64_t sum = 0;
	long r;

	if (IPC_TAG_NCAPS(m->tag) != 1 || (m->tag & IPC_TAG_CAPS_LOST)) {
		(*errors)++;
		return 0;
	}
	/* A read-only transfer must not be mappable writable (the result goes back in word 1). */
	m->w[1] = 0;
	if (op == T_OP_MEMSUM) {
		long w = orb_mem_map(orb_self(), mem, T_SERVER_VA, 0, T_MEM_SIZE,
				     ORB_PROT_READ | ORB_PROT_WRITE);
		m->w[1] = (uint64_t)w;
		if (w == 0)
			orb_mem_unmap(orb_self(), T_SERVER_VA, T_MEM_SIZE);
	}
	r = orb_mem_map(orb_self(), mem, T_SERVER_VA, 0, T_MEM_SIZE, prot);
	if (r == 0) {
		if (op == T_OP_MEMFLIP)
			for (unsigned i = 0; i < T_MEM_SIZE / 8; i++)
				p[i] = ~p[i];
		sum = t_sum64k(p);
		orb_mem_unmap(orb_self(), T_SERVER_VA, T_MEM_SIZE);
	} else {
		(*errors)++;
	}
	m->w[2] = (uint64_t)r;
	orb_cap_delete(mem);
	return sum;
}

static int t_server(void)
{
	cap_handle_t ep = orb_start_cap(0);
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m = {0};
	uint64_t served = 0;
	unsigned errors = 0;
	long r;

	if (!buf)
		return 2;
	r = orb_recv(ep, &m, T_WAIT_NS);
	while (r == 0) {
		uint32_t label = IPC_TAG_LABEL(m.tag);
		unsigned n = IPC_TAG_NWORDS(m.tag);

		switch (T_OP(label)) {
		case T_OP_ECHO:
			if (IPC_TAG_NCAPS(m.tag) || n > IPC_MAX_WORDS)
				errors++;
			for (unsigned k = 0; k < n && k < IPC_MAX_WORDS; k++) {
				if (k < IPC_REG_WORDS)
					m.w[k] ^= t_key(m.badge, k);
				else
					buf->words[k] ^= t_key(m.badge, k);
			}
			m.tag = IPC_TAG(label ^ T_REPLY_XOR, n, 0);
			served++;
			break;
		case T_OP_MEMSUM:
		case T_OP_MEMFLIP:
			m.w[0] = t_server_mem(T_OP(label), &m, buf, &errors);
			m.tag = IPC_TAG(label, 3, 0);
			break;
		case T_OP_SIGNAL:
			if (IPC_TAG_NCAPS(m.tag) != 1 ||
			    orb_ntfn_signal(buf->recv_caps[0], m.w[0]) != 0)
				errors++;
			orb_cap_delete(buf->recv_caps[0]);
			m.tag = IPC_TAG(label, 0, 0);
			break;
		case T_OP_QUIT:
			m.w[0] = served;
			m.w[1] = errors;
			m.tag = IPC_TAG(label, 2, 0);
			orb_reply(&m);
			return errors ? 1 : 0;
		default:
			errors++;
			m.tag = 0;
			break;
		}
		/* No timeout: the IPC fast path takes only calls and receives that wait forever. */
		r = orb_reply_recv(ep, &m, IPC_TIMEOUT_NEVER);
	}
	printf("t_echo server: recv/reply_recv failed: %ld (%s)\n", r, t_errname(r));
	return 3;
}

/* ---- Clients: processes and threads run the same loop. ---- */

struct t_client_result {
	unsigned calls_ok;
	unsigned bad_result, bad_tag, bad_word;
	long first_err;
	unsigned first_bad_call;
};

static void t_client_loop(cap_handle_t ep, uint64_t badge, unsigned ncalls,
			  struct t_client_result *res)
{
	struct ipc_buffer *buf = orb_ipc_buf();

	memset(res, 0, sizeof(*res));
	res->first_bad_call = ~0u;
	if (!buf) {
		res->bad_result = ncalls;
		res->first_err = -ERR_FAULT;
		return;
	}
	for (unsigned i = 0; i < ncalls; i++) {
		unsigned n = (i * 7 + (unsigned)badge) % (IPC_MAX_WORDS + 1);
		uint32_t label = T_LABEL(T_OP_ECHO, i);
		struct orb_msg m = {0};
		bool good = true;
		long r;

		m.tag = IPC_TAG(label, n, 0);
		for (unsigned k = 0; k < IPC_MAX_WORDS; k++) {
			uint64_t w = t_mix(badge << 32 ^ (uint64_t)i << 8 ^ k);
			if (k < IPC_REG_WORDS)
				m.w[k] = w;
			else
				buf->words[k] = w;
		}
		r = orb_call(ep, &m, IPC_TIMEOUT_NEVER); /* (the fast path needs no timeout) */
		if (r != 0) {
			good = false;
			res->bad_result++;
			if (!res->first_err)
				res->first_err = r;
		} else if (m.tag != IPC_TAG(label ^ T_REPLY_XOR, n, 0)) {
			good = false;
			res->bad_tag++;
		} else {
			for (unsigned k = 0; k < n; k++) {
				uint64_t want =
				    t_mix(badge << 32 ^ (uint64_t)i << 8 ^ k) ^ t_key(badge, k);
				uint64_t got = k < IPC_REG_WORDS ? m.w[k] : buf->words[k];
				if (got != want) {
					good = false;
					res->bad_word++;
					break;
				}
			}
		}
		if (good)
			res->calls_ok++;
		else if (res->first_bad_call == ~0u)
			res->first_bad_call = i;
	}
}

static void t_report_client(const char *who, uint64_t badge, const struct t_client_result *r)
{
	T_CHECK(r->calls_ok == T_CALLS,
		"%s (badge 0x%llx): %u of %u replies correct (bad result %u, first %ld (%s); bad "
		"tag %u; bad word %u; first bad call %d)",
		who, (unsigned long long)badge, r->calls_ok, T_CALLS, r->bad_result, r->first_err,
		t_errname(r->first_err), r->bad_tag, r->bad_word, (int)r->first_bad_call);
}

static int t_client_proc(void)
{
	cap_handle_t ep = orb_start_cap(0);
	struct cap_info ci;
	struct t_client_result res;

	if (orb_cap_identify(ep, &ci) != 0)
		return 2;
	t_client_loop(ep, ci.badge, T_CALLS, &res);
	t_report_client("client process", ci.badge, &res);
	return res.calls_ok == T_CALLS ? 0 : 1;
}

struct t_thread_client {
	cap_handle_t ep;
	uint64_t badge;
	cap_handle_t done; /* notification: signalled with `bit` when finished */
	uint64_t bit;
	struct t_client_result res;
};

static void t_client_thread(void *arg)
{
	struct t_thread_client *c = arg;
	t_client_loop(c->ep, c->badge, T_CALLS, &c->res);
	orb_ntfn_signal(c->done, c->bit);
}

/* ---- init: the concurrent echo run and the transfers, against the server process. ---- */

static void t_check_memcap(cap_handle_t ep)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)T_CLIENT_VA;
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m = {0};
	long mem = orb_mem_create(T_MEM_SIZE), ro, rw, r;
	uint64_t want;

	T_OK("zero-copy: mem_create(64 KiB)", mem);
	T_ERR("zero-copy: map it here",
	      orb_mem_map(orb_self(), (cap_handle_t)mem, T_CLIENT_VA, 0, T_MEM_SIZE,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	for (unsigned i = 0; i < T_MEM_SIZE / 8; i++)
		p[i] = t_mix(0x64000 + i);
	want = t_sum64k(p);

	ro = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	T_OK("zero-copy: derive(mem, READ|MAP)", ro);
	buf->send_caps[0] = (cap_handle_t)ro;
	m.tag = IPC_TAG(T_LABEL(T_OP_MEMSUM, 0), 0, 1);
	r = orb_call(ep, &m, T_WAIT_NS);
	T_ERR("zero-copy: call with the read-only Memory cap", r, 0);
	T_EQX("zero-copy: server's checksum of the 64 KiB it mapped", m.w[0], want);
	T_ERR("zero-copy: server mapping the read-only cap writable", (long)m.w[1], -ERR_PERM);
	T_ERR("zero-copy: server mapping it read-only", (long)m.w[2], 0);

	rw = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP, 0);
	T_OK("zero-copy: derive(mem, READ|WRITE|MAP)", rw);
	buf->send_caps[0] = (cap_handle_t)rw;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(T_LABEL(T_OP_MEMFLIP, 0), 0, 1);
	r = orb_call(ep, &m, T_WAIT_NS);
	T_ERR("zero-copy: call with the writable Memory cap", r, 0);
	T_ERR("zero-copy: server mapping it writable", (long)m.w[2], 0);
	T_EQX("zero-copy: the server's writes show in our mapping (same frames)", t_sum64k(p),
	      m.w[0]);
	T_EQX("zero-copy: first word flipped", p[0], ~t_mix(0x64000));
	T_EQX("zero-copy: last word flipped", p[T_MEM_SIZE / 8 - 1],
	      ~t_mix(0x64000 + T_MEM_SIZE / 8 - 1));

	/* The server deleted its copies; ours remain usable. */
	T_EQ("zero-copy: revoke(mem) finds only our two derivations",
	     orb_cap_revoke((cap_handle_t)mem), 2);
	orb_mem_unmap(orb_self(), T_CLIENT_VA, T_MEM_SIZE);
	orb_cap_delete((cap_handle_t)mem);
}

static void t_check_ntfn_transfer(cap_handle_t ep)
{
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m = {0};
	long ntfn = orb_ntfn_create(), r;

	T_OK("transfer: ntfn_create", ntfn);
	buf->send_caps[0] = (cap_handle_t)ntfn;
	m.tag = IPC_TAG(T_LABEL(T_OP_SIGNAL, 0), 1, 1);
	m.w[0] = 0x7700;
	r = orb_call(ep, &m, T_WAIT_NS);
	T_ERR("transfer: call carrying a notification", r, 0);
	T_EQX("transfer: the server signalled through its copy",
	      orb_ntfn_wait((cap_handle_t)ntfn, 0), 0x7700);
	orb_cap_delete((cap_handle_t)ntfn);
}

static void t_check_echo(void)
{
	static struct t_thread_client tc[T_NTHREADS];
	cap_handle_t server = 0, procs[T_NPROCS], caps[1];
	long ep = orb_endpoint_create(), done = orb_ntfn_create(), r;
	struct orb_msg m = {0};
	unsigned nspawned = 0;

	T_OK("endpoint_create", ep);
	T_OK("ntfn_create", done);
	caps[0] = (cap_handle_t)ep;
	r = t_spawn_role("t_echo", "server", NULL, caps, 1, &server);
	T_ERR("spawn the echo server", r, 0);
	if (r < 0)
		return;

	for (unsigned i = 0; i < T_NPROCS; i++) {
		long b =
		    orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0x2001 + i);
		caps[0] = (cap_handle_t)b;
		r = b < 0 ? b : t_spawn_role("t_echo", "client", NULL, caps, 1, &procs[i]);
		T_ERR("spawn a client process", r, 0);
		if (r == 0)
			nspawned++;
		orb_cap_delete((cap_handle_t)b);
	}
	for (unsigned i = 0; i < T_NTHREADS; i++) {
		cap_handle_t th = 0;
		tc[i].badge = 0x1001 + i;
		tc[i].ep =
		    (cap_handle_t)orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, tc[i].badge);
		tc[i].done = (cap_handle_t)done;
		tc[i].bit = 1ull << i;
		r = orb_thread_spawn(t_client_thread, &tc[i], T_PRIO, &th);
		T_ERR("spawn a client thread", r, 0);
	}

	for (unsigned i = 0; i < nspawned; i++)
		T_EQ("client process: exit status", t_wait_and_drop(procs[i]), 0);
	T_EQX("client threads finished",
	      t_wait_bits((cap_handle_t)done, (1u << T_NTHREADS) - 1, T_WAIT_NS),
	      (1u << T_NTHREADS) - 1);
	for (unsigned i = 0; i < T_NTHREADS; i++) {
		t_report_client("client thread", tc[i].badge, &tc[i].res);
		orb_cap_delete(tc[i].ep);
	}

	t_check_memcap((cap_handle_t)ep);
	t_check_ntfn_transfer((cap_handle_t)ep);

	m.tag = IPC_TAG(T_LABEL(T_OP_QUIT, 0), 0, 0);
	r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
	T_ERR("quit call", r, 0);
	T_EQ("echo calls the server served", m.w[0], (T_NPROCS + T_NTHREADS) * T_CALLS);
	T_EQ("protocol errors the server saw", m.w[1], 0);
	T_EQ("server: exit status", t_wait_and_drop(server), 0);
	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete((cap_handle_t)done);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "server"))
		return t_server();
	if (t_role_is(argc, argv, "client"))
		return t_client_proc();

	printf("t_echo: %u CPUs\n", t_sysinfo().ncpus);
	t_check_echo();
	t_check_timeouts();
	t_check_notifications();
	t_check_reply_save();
	return t_finish("t_echo");
}
