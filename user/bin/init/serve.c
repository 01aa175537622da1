/*
 * The init protocol server (<orb/proto/init.h>): list the services, kill
 * one (it is then restarted), power requests. One thread, a recv/reply_recv
 * loop on init's own endpoint, which init registers as "init".
 *
 * init_serve_stop() ends the server thread (the self-test does, before init
 * exits), through a request only init's unbadged capability can make.
 *
 * Trust boundary: callers are any holders of a capability to "init" (the
 * name server hands one to every client that asks). Only the administrator's
 * badge (INIT_BADGE_ADMIN, which init alone derives and gives to the shell)
 * may list, kill or power off; every other badge gets -ERR_PERM. Every word
 * is checked, only pids of init's own running services can be killed, and
 * capabilities sent to init are deleted unread.
 */
#include <stdio.h>
#include <string.h>
#include <orb/thread.h>
#include "init.h"

/* Set by init_serve_stop(): the next INIT_SERVE_STOP from badge 0 ends the server. */
static bool init_serve_stopping;
static bool init_serve_ended;

#define INIT_SERVE_STOP 0x494e00ffu /* init's own, through its unbadged capability */

static long init_do_list(uint64_t index, struct orb_msg *m, struct ipc_buffer *b)
{
	if (index >= init_nsvcs)
		return -ERR_NOENT;
	struct init_svc *s = &init_svcs[index];
	init_lock();
	m->w[1] = s->pid;
	m->w[2] = s->restarts;
	m->w[3] = (uint64_t)s->state;
	init_unlock();
	uint64_t name[4];
	ns_name_pack(s->def->name, name);
	memcpy(&b->words[4], name, sizeof(name));
	m->tag = IPC_TAG(INIT_LIST, INIT_LIST_WORDS, 0);
	return 0;
}

static long init_do_power(uint64_t op)
{
	if (op != INIT_POWER_REBOOT && op != INIT_POWER_HALT)
		return -ERR_INVAL;
	const struct orb_init_info *info = orb_init_info();
	if (!info)
		return -ERR_PERM;
	printf("init: %s requested\n", op == INIT_POWER_REBOOT ? "reboot" : "halt");
	fflush_stdout();
	/* SYS_POWER needs the IoPorts capability for every port: init's own. */
	return orb_syscall2(SYS_POWER, info->ioports,
			    op == INIT_POWER_REBOOT ? ORB_POWER_REBOOT : ORB_POWER_HALT);
}

/* An administrator's request (label is INIT_LIST, INIT_KILL or INIT_POWER). */
static long init_handle_admin(uint32_t label, struct orb_msg *m, struct ipc_buffer *b)
{
	if (label == INIT_LIST)
		return init_do_list(m->w[0], m, b);
	if (label == INIT_KILL)
		return m->w[0] > UINT32_MAX ? -ERR_NOENT : init_svc_kill_pid((uint32_t)m->w[0]);
	return init_do_power(m->w[0]);
}

/* Handles the request in m; fills m (and the IPC buffer's words) with the reply. */
static void init_handle(struct orb_msg *m, struct ipc_buffer *b)
{
	uint32_t label = IPC_TAG_LABEL(m->tag);
	unsigned ncaps = IPC_TAG_NCAPS(m->tag);
	for (unsigned i = 0; i < ncaps && i < IPC_MAX_CAPS; i++)
		orb_cap_delete(b->recv_caps[i]);
	long r;
	m->tag = IPC_TAG(label, 4, 0);
	/* Every request is the administrator's (the kernel's badge: not forgeable). */
	bool admin = m->badge == INIT_BADGE_ADMIN;
	switch (label) {
	case INIT_LIST:
	case INIT_KILL:
	case INIT_POWER:
		if (!admin) {
			r = -ERR_PERM;
			break;
		}
		r = init_handle_admin(label, m, b);
		break;
	default:
		r = -ERR_NOSYS;
		break;
	}
	if (r != 0 || label != INIT_LIST)
		m->w[1] = m->w[2] = m->w[3] = 0;
	m->w[0] = (uint64_t)r;
}

void init_serve(void *arg)
{
	(void)arg;
	struct ipc_buffer *b = orb_ipc_buf();
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	long r = orb_recv(init_ep, &m, IPC_TIMEOUT_NEVER);
	for (;;) {
		if (r < 0) {
			memset(&m, 0, sizeof(m));
			r = orb_recv(init_ep, &m, IPC_TIMEOUT_NEVER);
			continue;
		}
		if (IPC_TAG_LABEL(m.tag) == INIT_SERVE_STOP && m.badge == 0 &&
		    __atomic_load_n(&init_serve_stopping, __ATOMIC_ACQUIRE)) {
			memset(&m, 0, sizeof(m));
			orb_reply(&m);
			__atomic_store_n(&init_serve_ended, true, __ATOMIC_RELEASE);
			return; /* the thread ends */
		}
		init_handle(&m, b);
		r = orb_reply_recv(init_ep, &m, IPC_TIMEOUT_NEVER);
	}
}

void init_serve_stop(void)
{
	struct orb_msg m;
	__atomic_store_n(&init_serve_stopping, true, __ATOMIC_RELEASE);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(INIT_SERVE_STOP, 0, 0);
	if (orb_call(init_ep, &m, 2000ull * 1000 * 1000) != 0)
		return;
	/* The server replied just before ending its thread: wait for that to finish. */
	for (int i = 0; i < 100 && !__atomic_load_n(&init_serve_ended, __ATOMIC_ACQUIRE); i++)
		orb_sleep(1000 * 1000);
	orb_sleep(2000 * 1000); /* and for its last instructions to the thread's exit */
}
