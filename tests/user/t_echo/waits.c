/*
 * t_echo's waits: IPC with timeouts (an empty endpoint polled, recv, send and
 * call given 50 ms, a server that receives and never replies), notifications
 * (badges and bits ORed into the word, cleared by wait, a waiter woken by
 * another thread) and a reply saved and answered later. Threads of init play
 * the other side. main.c opens with the whole program.
 */
#include <orb/thread.h>
#include "t_check.h"
#include "echo.h"

/* ---- Timeouts. ---- */

struct t_silent {
	cap_handle_t ep, release, done;
	long recv_result;
	uint64_t word;
};

/* Receives one call and never replies; exits when released (the caller has timed out). */
static void t_silent_server(void *arg)
{
	struct t_silent *s = arg;
	struct orb_msg m = {0};

	s->recv_result = orb_recv(s->ep, &m, T_WAIT_NS);
	s->word = m.w[0];
	orb_ntfn_wait(s->release, T_WAIT_NS);
	orb_ntfn_signal(s->done, 1);
}

void t_check_timeouts(void)
{
	static struct t_silent s;
	long ep = orb_endpoint_create(), r;
	struct orb_msg m = {0};
	uint64_t t0, dt;
	cap_handle_t th = 0;

	T_OK("endpoint_create", ep);
	t0 = orb_clock();
	r = orb_recv((cap_handle_t)ep, &m, IPC_TIMEOUT_POLL);
	dt = orb_clock() - t0;
	T_ERR("recv(timeout 0) on an empty endpoint", r, -ERR_TIMEOUT);
	T_CHECK(dt < T_MS(2000), "recv(timeout 0) returned at once: %llu ns (want < 2 s)",
		(unsigned long long)dt);

	t0 = orb_clock();
	r = orb_recv((cap_handle_t)ep, &m, T_MS(50));
	dt = orb_clock() - t0;
	T_ERR("recv(timeout 50 ms) on an empty endpoint", r, -ERR_TIMEOUT);
	T_CHECK(dt >= T_MS(50), "recv(timeout 50 ms) waited %llu ns (want >= 50 ms)",
		(unsigned long long)dt);

	memset(&m, 0, sizeof(m));
	t0 = orb_clock();
	r = orb_send((cap_handle_t)ep, &m, T_MS(50));
	dt = orb_clock() - t0;
	T_ERR("send(timeout 50 ms) with no receiver", r, -ERR_TIMEOUT);
	T_CHECK(dt >= T_MS(50), "send(timeout 50 ms) waited %llu ns (want >= 50 ms)",
		(unsigned long long)dt);

	t0 = orb_clock();
	r = orb_call((cap_handle_t)ep, &m, T_MS(50));
	dt = orb_clock() - t0;
	T_ERR("call(timeout 50 ms) with no receiver", r, -ERR_TIMEOUT);
	T_CHECK(dt >= T_MS(50), "call(timeout 50 ms) waited %llu ns (want >= 50 ms)",
		(unsigned long long)dt);
	T_ERR("nb_send with no receiver", orb_nb_send((cap_handle_t)ep, &m), -ERR_AGAIN);

	/* A server that takes the call and never replies: the call's timeout covers the wait for
	 * the reply too. */
	s.ep = (cap_handle_t)ep;
	s.release = (cap_handle_t)orb_ntfn_create();
	s.done = (cap_handle_t)orb_ntfn_create();
	r = orb_thread_spawn(t_silent_server, &s, T_PRIO, &th);
	T_ERR("spawn the silent server thread", r, 0);
	orb_sleep(T_MS(20)); /* let it block in recv; the call below works either way */
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(1, 1, 0);
	m.w[0] = 0x51e47;
	t0 = orb_clock();
	r = orb_call((cap_handle_t)ep, &m, T_MS(100));
	dt = orb_clock() - t0;
	T_ERR("call(timeout 100 ms) to a server that never replies", r, -ERR_TIMEOUT);
	T_CHECK(dt >= T_MS(100), "that call waited %llu ns (want >= 100 ms)",
		(unsigned long long)dt);
	T_ERR("the silent server did receive the call", s.recv_result, 0);
	T_EQX("... with our word", s.word, 0x51e47);
	orb_ntfn_signal(s.release, 1);
	T_EQX("silent server thread finished", t_wait_bits(s.done, 1, T_WAIT_NS), 1);
	T_ERR("the endpoint still works afterwards (recv poll)",
	      orb_recv((cap_handle_t)ep, &m, IPC_TIMEOUT_POLL), -ERR_TIMEOUT);
	orb_cap_delete(s.release);
	orb_cap_delete(s.done);
	orb_cap_delete((cap_handle_t)ep);
}

/* ---- Notifications. ---- */

struct t_signaller {
	cap_handle_t ntfn;
	uint64_t bits;
};

static void t_signal_later(void *arg)
{
	struct t_signaller *s = arg;
	orb_sleep(T_MS(20));
	orb_ntfn_signal(s->ntfn, s->bits);
}

void t_check_notifications(void)
{
	static struct t_signaller sig;
	long n = orb_ntfn_create(), b1, b4, r;
	cap_handle_t th = 0;
	uint64_t t0, dt;

	T_OK("ntfn_create", n);
	b1 = orb_cap_derive((cap_handle_t)n, CAP_RIGHT_SEND, 0x1);
	b4 = orb_cap_derive((cap_handle_t)n, CAP_RIGHT_SEND, 0x4);
	T_OK("derive(ntfn, SEND, badge 1)", b1);
	T_OK("derive(ntfn, SEND, badge 4)", b4);
	T_ERR("wait on an empty notification (poll)", orb_ntfn_wait((cap_handle_t)n, 0),
	      -ERR_TIMEOUT);
	T_ERR("signal through badge 1 (bits argument ignored)",
	      orb_ntfn_signal((cap_handle_t)b1, 0x8000), 0);
	T_ERR("signal through badge 4", orb_ntfn_signal((cap_handle_t)b4, 0), 0);
	T_ERR("signal badge 4 again", orb_ntfn_signal((cap_handle_t)b4, 0), 0);
	T_ERR("signal unbadged with bits 0x100", orb_ntfn_signal((cap_handle_t)n, 0x100), 0);
	T_EQX("wait: the word is the OR of badges and bits", orb_ntfn_wait((cap_handle_t)n, 0),
	      0x105);
	T_ERR("wait again: the word was cleared", orb_ntfn_wait((cap_handle_t)n, 0), -ERR_TIMEOUT);

	t0 = orb_clock();
	r = orb_ntfn_wait((cap_handle_t)n, T_MS(30));
	dt = orb_clock() - t0;
	T_ERR("wait(timeout 30 ms) with no signal", r, -ERR_TIMEOUT);
	T_CHECK(dt >= T_MS(30), "that wait lasted %llu ns (want >= 30 ms)", (unsigned long long)dt);

	sig.ntfn = (cap_handle_t)b4;
	sig.bits = 0xdead;
	r = orb_thread_spawn(t_signal_later, &sig, T_PRIO, &th);
	T_ERR("spawn a thread that signals in 20 ms", r, 0);
	T_EQX("a blocked waiter is woken with the signaller's badge",
	      orb_ntfn_wait((cap_handle_t)n, T_WAIT_NS), 0x4);
	orb_cap_delete((cap_handle_t)b1);
	orb_cap_delete((cap_handle_t)b4);
	orb_cap_delete((cap_handle_t)n);
}

/* ---- A saved reply, answered later. ---- */

struct t_saver {
	cap_handle_t ep, saved, done;
	long recv1, save, recv2, reply_b, reply_to_a, reply_to_again, save_none;
	struct cap_info reply_info;
	uint64_t word1, word2;
	long a_result;
	uint64_t a_word;
};

static void t_saving_server(void *arg)
{
	struct t_saver *s = arg;
	struct orb_msg m = {0};

	s->recv1 = orb_recv(s->ep, &m, T_WAIT_NS);
	s->word1 = m.w[0];
	s->save = orb_reply_save();
	if (s->save >= 0)
		orb_cap_identify((cap_handle_t)s->save, &s->reply_info);
	orb_ntfn_signal(s->saved, 1);

	memset(&m, 0, sizeof(m));
	s->recv2 = orb_recv(s->ep, &m, T_WAIT_NS);
	s->word2 = m.w[0];
	m.tag = IPC_TAG(2, 1, 0);
	m.w[0] = s->word2 * 10;
	s->reply_b = orb_reply(&m);

	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(1, 1, 0);
	m.w[0] = s->word1 * 10;
	s->reply_to_a = orb_reply_to((cap_handle_t)s->save, &m);
	s->reply_to_again = orb_reply_to((cap_handle_t)s->save, &m);
	s->save_none = orb_reply_save();
	orb_ntfn_signal(s->done, 1);
}

static void t_saved_client(void *arg)
{
	struct t_saver *s = arg;
	struct orb_msg m = {0};

	m.tag = IPC_TAG(1, 1, 0);
	m.w[0] = 1;
	s->a_result = orb_call(s->ep, &m, T_WAIT_NS);
	s->a_word = m.w[0];
	orb_ntfn_signal(s->done, 2);
}

void t_check_reply_save(void)
{
	static struct t_saver s;
	struct orb_msg m = {0};
	cap_handle_t th = 0;
	long r;

	s.ep = (cap_handle_t)orb_endpoint_create();
	s.saved = (cap_handle_t)orb_ntfn_create();
	s.done = (cap_handle_t)orb_ntfn_create();
	r = orb_thread_spawn(t_saving_server, &s, T_PRIO, &th);
	T_ERR("spawn the saving server thread", r, 0);
	r = orb_thread_spawn(t_saved_client, &s, T_PRIO, &th);
	T_ERR("spawn client A", r, 0);
	T_EQX("server received A's call and saved the reply", t_wait_bits(s.saved, 1, T_WAIT_NS),
	      1);

	m.tag = IPC_TAG(2, 1, 0);
	m.w[0] = 2;
	r = orb_call(s.ep, &m, T_WAIT_NS);
	T_ERR("client B's call, served while A's reply is saved", r, 0);
	T_EQ("client B's reply word", m.w[0], 20);
	T_EQX("server and client A finished", t_wait_bits(s.done, 3, T_WAIT_NS), 3);

	T_ERR("server: recv A", s.recv1, 0);
	T_EQ("server: A's word", s.word1, 1);
	T_OK("server: reply_save", s.save);
	T_EQ("server: the saved handle is a Reply cap", s.reply_info.type, CAP_TYPE_REPLY);
	T_ERR("server: recv B", s.recv2, 0);
	T_EQ("server: B's word", s.word2, 2);
	T_ERR("server: reply to B", s.reply_b, 0);
	T_ERR("server: reply_to(saved) for A", s.reply_to_a, 0);
	T_ERR("server: reply_to(saved) again (consumed)", s.reply_to_again, -ERR_BADCAP);
	T_CHECK(s.save_none < 0,
		"server: reply_save with no call pending = %ld (%s) (want an error)", s.save_none,
		t_errname(s.save_none));
	T_ERR("client A's call", s.a_result, 0);
	T_EQ("client A's reply word, sent through the saved reply", s.a_word, 10);
	orb_cap_delete(s.ep);
	orb_cap_delete(s.saved);
	orb_cap_delete(s.done);
}
