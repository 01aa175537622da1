/*
 * The services at run time: making each one's capabilities once, starting
 * it, and restarting it when it dies (like MINIX 3's reincarnation server).
 *
 * One waiter thread per started service blocks in SYS_PROC_WAIT on its
 * current instance. When the instance dies the waiter logs it and starts a
 * new one with the same capabilities, unless the service restarted
 * INIT_RESTART_MAX times within INIT_RESTART_WINDOW (then it is FAILED and
 * left stopped) or it is being stopped on purpose. After a restart of the
 * name server, whose table died with it, init registers every name again.
 *
 * Invariants: a service's proc is 0 exactly when no instance runs; only its
 * waiter thread replaces or deletes proc, under init_lock; INIT_KILL and
 * stopping only kill the current instance under the same lock, so they
 * never kill a handle that was deleted.
 */
#include <stdio.h>
#include <string.h>
#include <orb/ns.h>
#include "init.h"

#define INIT_SVCS_MAX  16
#define INIT_NS_RIGHTS (CAP_RIGHT_SEND | CAP_RIGHT_GRANT)

struct init_svc init_svcs[INIT_SVCS_MAX];
unsigned init_nsvcs;
cap_handle_t init_ns_client;
cap_handle_t init_ep;

static int init_lock_word;
static uint32_t init_next_pid = 2; /* init is 1 */

void init_lock(void)
{
	while (__atomic_exchange_n(&init_lock_word, 1, __ATOMIC_ACQUIRE))
		orb_yield();
}

void init_unlock(void)
{
	__atomic_store_n(&init_lock_word, 0, __ATOMIC_RELEASE);
}

const char *init_state_name(int state)
{
	return init_svc_state_name((unsigned long)state);
}

struct init_svc *init_svc_by_name(const char *name)
{
	for (unsigned i = 0; i < init_nsvcs; i++)
		if (strcmp(init_svcs[i].def->name, name) == 0)
			return &init_svcs[i];
	return NULL;
}

/* Makes init's copy of one start capability; 0 = leave it out (no screen). */
static long init_make_cap(struct init_svc *s, const struct init_cap_spec *c)
{
	const struct orb_init_info *info = orb_init_info();
	struct init_svc *other;
	switch (c->kind) {
	case INIT_CAP_OWN_RECV:
		return orb_cap_derive(s->ep, CAP_RIGHT_RECV, 0);
	case INIT_CAP_OWN_SEND:
		return orb_cap_derive(s->ep, INIT_NS_RIGHTS, 0);
	case INIT_CAP_OWN_ALL:
		return orb_cap_derive(s->ep, INIT_NS_RIGHTS | CAP_RIGHT_RECV, 0);
	case INIT_CAP_NS:
		other = init_svc_by_name("ns");
		return other ? orb_cap_derive(other->ep, INIT_NS_RIGHTS, s->client_id) : -ERR_NOENT;
	case INIT_CAP_BOOTFS:
		return orb_cap_derive(info->bootfs, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	case INIT_CAP_IOPORTS:
		return orb_syscall3(SYS_IOPORT_SUB, info->ioports, c->a, c->b);
	case INIT_CAP_IRQ:
		if (c->a >= 16 || !info->irq[c->a])
			return -ERR_NOENT;
		return orb_cap_derive(info->irq[c->a], CAP_RIGHT_RECV | CAP_RIGHT_MANAGE, 0);
	case INIT_CAP_SCREEN:
		if (!info->screen)
			return 0;
		return orb_cap_derive(info->screen,
				      CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP, 0);
	case INIT_CAP_EP_OF:
		other = init_svc_by_name(c->of);
		if (!other || !other->ep)
			return -ERR_NOENT;
		return orb_cap_derive(other->ep, CAP_RIGHT_SEND, c->badge);
	default:
		return -ERR_INVAL;
	}
}

long init_svcs_setup(bool include_interactive)
{
	long r = orb_endpoint_create();
	if (r < 0)
		return r;
	init_ep = (cap_handle_t)r;
	for (unsigned i = 0; i < init_table_len && init_nsvcs < INIT_SVCS_MAX; i++) {
		const struct init_svc_def *d = &init_table[i];
		if (d->interactive && !include_interactive)
			continue;
		struct init_svc *s = &init_svcs[init_nsvcs];
		memset(s, 0, sizeof(*s));
		s->def = d;
		s->index = init_nsvcs++;
		s->client_id = NS_ID_SVC_FIRST + i;
		s->waiter_done = true;
		if (d->endpoint) {
			r = orb_endpoint_create();
			if (r < 0)
				return r;
			s->ep = (cap_handle_t)r;
		}
	}
	struct init_svc *ns = init_svc_by_name("ns");
	if (ns) {
		r = orb_cap_derive(ns->ep, INIT_NS_RIGHTS, NS_ID_INIT);
		if (r < 0)
			return r;
		init_ns_client = (cap_handle_t)r;
		ns_use(init_ns_client);
	}
	/* The capabilities, once every endpoint exists (a row may name another's). */
	for (unsigned i = 0; i < init_nsvcs; i++) {
		struct init_svc *s = &init_svcs[i];
		for (unsigned k = 0; k < INIT_CAPS_MAX && s->def->caps[k].kind != INIT_CAP_NONE;
		     k++) {
			r = init_make_cap(s, &s->def->caps[k]);
			if (r < 0) {
				printf("init: %s: cannot make start capability %u: error %ld\n",
				       s->def->name, k, r);
				s->state = INIT_SVC_FAILED;
				break;
			}
			if (r > 0)
				s->caps[s->ncaps++] = (cap_handle_t)r;
		}
	}
	return 0;
}

/* Formats argument kind k for s into buf. */
static void init_make_arg(const struct init_svc *s, enum init_arg_kind k, char *buf, size_t size)
{
	const struct orb_init_info *info = orb_init_info();
	const struct orb_screen_info *si = &info->screen_info;
	switch (k) {
	case INIT_ARG_BOOTFS_SIZE:
		snprintf(buf, size, "%llu", (unsigned long long)info->bootfs_size);
		break;
	case INIT_ARG_INSTANCE:
		snprintf(buf, size, "%u", s->instance + 1);
		break;
	case INIT_ARG_SCREEN:
		if (info->screen)
			snprintf(buf, size, "%u,%u,%u,%u,%u", si->type, si->width, si->height,
				 si->pitch, si->bpp);
		else
			snprintf(buf, size, "0,0,0,0,0");
		break;
	default:
		buf[0] = 0;
		break;
	}
}

/* Starts an instance of s (init_lock held). 0, or -ERR_NOENT if its program is absent. */
static long init_svc_start(struct init_svc *s)
{
	char path[48], args[INIT_ARGS_MAX][INIT_ARG_LEN];
	const char *argv[INIT_ARGS_MAX + 2];
	unsigned argc = 0;

	argv[argc++] = s->def->program;
	for (unsigned k = 0; k < INIT_ARGS_MAX && s->def->args[k] != INIT_ARG_NONE; k++) {
		init_make_arg(s, s->def->args[k], args[k], sizeof(args[k]));
		argv[argc++] = args[k];
	}
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "/bin/%s", s->def->program);
	cap_handle_t proc = 0;
	long r = orb_spawn_path(path, argv, s->caps, s->ncaps, &proc);
	if (r < 0)
		return r;
	s->proc = proc;
	/* The kernel's pid, as ps (SYS_PROC_LIST) and fault reports show it. */
	long kpid = orb_syscall1(SYS_PROC_PID, proc);
	s->pid = kpid > 0 ? (uint32_t)kpid : init_next_pid++;
	s->instance++;
	s->state = INIT_SVC_RUNNING;
	return 0;
}

/* Records a restart now; false if that makes too many within the window. */
static bool init_svc_may_restart(struct init_svc *s, uint64_t now)
{
	if (s->nrecent == INIT_RESTART_MAX) {
		uint64_t oldest = s->recent[s->restarts % INIT_RESTART_MAX];
		if (now - oldest < INIT_RESTART_WINDOW)
			return false;
	} else {
		s->nrecent++;
	}
	s->recent[s->restarts % INIT_RESTART_MAX] = now;
	s->restarts++;
	return true;
}

/* After a death: restarts s (init_lock held). False when it is left stopped. */
static bool init_svc_restart(struct init_svc *s, uint32_t pid, const char *why)
{
	for (;;) {
		if (!init_svc_may_restart(s, orb_clock())) {
			printf("init: %s (pid %u) died: %s; %u restarts within %llu s, giving up\n",
			       s->def->name, pid, why, INIT_RESTART_MAX,
			       (unsigned long long)(INIT_RESTART_WINDOW / 1000000000));
			s->state = INIT_SVC_FAILED;
			return false;
		}
		printf("init: %s (pid %u) died: %s; restarting\n", s->def->name, pid, why);
		s->state = INIT_SVC_RESTARTING;
		long r = init_svc_start(s);
		if (r == 0) {
			printf("init: %s restarted as pid %u\n", s->def->name, s->pid);
			return true;
		}
		printf("init: %s: cannot start /bin/%s: error %ld\n", s->def->name, s->def->program,
		       r);
		why = "could not be started";
		init_unlock();
		orb_sleep(100ull * 1000 * 1000); /* then try again, counted as a restart */
		init_lock();
		if (s->stopping) {
			s->state = INIT_SVC_STOPPED;
			return false;
		}
	}
}

/* The waiter thread of one service: wait, restart, until it is stopped or fails. */
static void init_waiter(void *arg)
{
	struct init_svc *s = arg;
	for (;;) {
		init_lock();
		cap_handle_t proc = s->proc;
		init_unlock();
		long st = orb_proc_wait(proc, IPC_TIMEOUT_NEVER);
		char why[48];
		init_status_text(st, why, sizeof(why));

		init_lock();
		uint32_t pid = s->pid;
		orb_cap_delete(s->proc);
		s->proc = 0;
		s->pid = 0;
		bool again = false;
		if (s->stopping) {
			printf("init: %s (pid %u) stopped: %s\n", s->def->name, pid, why);
			s->state = INIT_SVC_STOPPED;
		} else {
			again = init_svc_restart(s, pid, why);
		}
		if (!again) {
			s->waiter_done = true;
			init_unlock();
			return;
		}
		bool republish = init_ns_client && s->ep && strcmp(s->def->name, "ns") == 0;
		init_unlock();
		if (republish)
			init_publish_all(); /* the new name server's table is empty */
	}
}

void init_publish_all(void)
{
	struct init_svc *ns = init_svc_by_name("ns");
	init_lock();
	bool up = ns && ns->state == INIT_SVC_RUNNING;
	init_unlock();
	if (!up) {
		printf("init: no name server: services are not registered\n");
		return;
	}
	for (unsigned i = 0; i <= init_nsvcs; i++) {
		/* Every published service, then init itself. */
		const char *name = i < init_nsvcs ? init_svcs[i].def->name : "init";
		cap_handle_t ep = i < init_nsvcs ? init_svcs[i].ep : init_ep;
		if (i < init_nsvcs && !init_svcs[i].def->publish)
			continue;
		long c = orb_cap_derive(ep, INIT_NS_RIGHTS, 0);
		long r = c < 0 ? c : ns_register(name, (cap_handle_t)c);
		if (c >= 0)
			orb_cap_delete((cap_handle_t)c); /* the name server holds its own copy */
		if (r < 0)
			printf("init: cannot register \"%s\": error %ld\n", name, r);
	}
}

/* Starts s the first time, and its waiter thread (init_lock not held). */
static void init_svc_first_start(struct init_svc *s)
{
	init_lock();
	if (s->state == INIT_SVC_FAILED) {
		init_unlock();
		printf("init: %s: not started (its capabilities could not be made)\n",
		       s->def->name);
		return;
	}
	long r = init_svc_start(s);
	if (r < 0) {
		s->state = r == -ERR_NOENT ? INIT_SVC_MISSING : INIT_SVC_FAILED;
		init_unlock();
		if (r == -ERR_NOENT)
			printf("init: %s: /bin/%s is not in the boot archive; skipped\n",
			       s->def->name, s->def->program);
		else
			printf("init: %s: cannot start /bin/%s: error %ld\n", s->def->name,
			       s->def->program, r);
		return;
	}
	s->waiter_done = false;
	printf("init: started %s as pid %u\n", s->def->name, s->pid);
	init_unlock();
	r = orb_thread_spawn(init_waiter, s, 0, NULL);
	if (r < 0) {
		/* Without a waiter it cannot be restarted: stop it rather than pretend. */
		printf("init: %s: no waiter thread (error %ld); stopping it\n", s->def->name, r);
		init_lock();
		orb_proc_kill(s->proc);
		orb_proc_wait(s->proc, IPC_TIMEOUT_NEVER);
		orb_cap_delete(s->proc);
		s->proc = 0;
		s->pid = 0;
		s->state = INIT_SVC_FAILED;
		s->waiter_done = true;
		init_unlock();
	}
}

void init_svcs_start_all(void)
{
	for (unsigned i = 0; i < init_nsvcs; i++) {
		init_svc_first_start(&init_svcs[i]);
		if (strcmp(init_svcs[i].def->name, "ns") == 0)
			init_publish_all(); /* names exist before any client starts */
	}
}

long init_svc_kill_pid(uint32_t pid)
{
	long r = -ERR_NOENT;
	if (pid == 0)
		return r;
	init_lock();
	for (unsigned i = 0; i < init_nsvcs; i++) {
		struct init_svc *s = &init_svcs[i];
		if (s->pid == pid && s->proc && !s->stopping) {
			r = orb_proc_kill(s->proc);
			if (r == 0)
				printf("init: killing %s (pid %u) on request\n", s->def->name, pid);
			break;
		}
	}
	init_unlock();
	return r;
}

void init_svcs_stop_all(void)
{
	for (unsigned i = init_nsvcs; i-- > 0;) {
		struct init_svc *s = &init_svcs[i];
		init_lock();
		s->stopping = true;
		if (s->proc)
			orb_proc_kill(s->proc);
		init_unlock();
	}
	/* Each waiter sees its instance die and finishes; give them 5 s. */
	for (int tries = 0; tries < 500; tries++) {
		bool all = true;
		init_lock();
		for (unsigned i = 0; i < init_nsvcs; i++)
			all = all && init_svcs[i].waiter_done;
		init_unlock();
		if (all)
			return;
		orb_sleep(10ull * 1000 * 1000);
	}
	printf("init: some services did not stop within 5 s\n");
}
