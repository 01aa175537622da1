/*
 * The services at run time: making each one's capabilities once, starting
 * it, and restarting it when it dies (like MINIX 3's reincarnation server).
 *
 * One waiter thread per started service blocks in SYS_PROC_WAIT on its
 * current instance. When the instance dies the waiter logs it and starts a
 * new one with the same capabilities, unless the service restarted
 * INIT_RESTART_MAX times within INIT_RESTART_WINDOW (then it is FAILED, left
 * stopped and its endpoint ended: clients get -ERR_CLOSED), it exited with
 * its row's absent_status (its device is not there: ABSENT, one line, never
 * restarted; a crash or kill is never that status) or it is being stopped on
 * purpose. A restarted name server gets init's names with its
 * start capabilities, like the first one. Each service has one quota for
 * its whole life, made with its first instance; every instance is bound to
 * it in turn, the next only once the previous is dead.
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

/*
 * init_lock is held across a whole start of a service (a spawn: reading its
 * program, making its memory), which can take a long time on a slow machine.
 * A thread that finds it taken yields a few times, then sleeps between tries:
 * it must not spin, or it takes CPU time from the very thread it waits for
 * (under QEMU's -icount a spinning vCPU even runs the guest clock on by
 * itself, so a restart looked stalled for seconds of guest time).
 */
#define INIT_LOCK_SPINS	   8
#define INIT_LOCK_SLEEP_NS (1000ull * 1000) /* 1 ms */

void init_lock(void)
{
	for (unsigned tries = 0; __atomic_exchange_n(&init_lock_word, 1, __ATOMIC_ACQUIRE);
	     tries++) {
		if (tries < INIT_LOCK_SPINS)
			orb_yield();
		else
			orb_sleep(INIT_LOCK_SLEEP_NS);
	}
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
		/* Never MANAGE (whoever holds it may end the endpoint): SEND, GRANT at most. */
		return orb_cap_derive(other->ep, CAP_RIGHT_SEND | (c->a & CAP_RIGHT_GRANT),
				      c->badge);
	case INIT_CAP_ADMIN:
		return orb_cap_derive(init_ep, CAP_RIGHT_SEND, INIT_BADGE_ADMIN);
	case INIT_CAP_LOG:
		if (!info->log)
			return -ERR_NOENT;
		return orb_cap_derive(info->log, CAP_RIGHT_READ, 0);
	default:
		return -ERR_INVAL;
	}
}

/*
 * The i-th name init publishes (every service with `publish`, in table
 * order, then "init" itself) and its endpoint; false past the last.
 */
static bool init_published(unsigned i, const char **name, cap_handle_t *ep)
{
	for (unsigned k = 0; k < init_nsvcs; k++) {
		if (!init_svcs[k].def->publish || !init_svcs[k].ep)
			continue;
		if (i-- == 0) {
			*name = init_svcs[k].def->name;
			*ep = init_svcs[k].ep;
			return true;
		}
	}
	if (i != 0 || !init_ep)
		return false;
	*name = "init";
	*ep = init_ep;
	return true;
}

/* INIT_CAP_PUBLISHED: appends a copy of every published endpoint to s's capabilities. */
static long init_add_published(struct init_svc *s)
{
	const char *name;
	cap_handle_t ep;
	for (unsigned i = 0; init_published(i, &name, &ep); i++) {
		if (s->ncaps == INIT_CAPS_MAX)
			return -ERR_NOSPACE;
		long r = orb_cap_derive(ep, INIT_NS_RIGHTS, 0);
		if (r < 0)
			return r;
		s->caps[s->ncaps++] = (cap_handle_t)r;
	}
	return 0;
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
			if (s->def->caps[k].kind == INIT_CAP_PUBLISHED)
				r = init_add_published(s);
			else
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
	const char *name;
	cap_handle_t ep;
	switch (k) {
	case INIT_ARG_BOOTFS_SIZE:
		snprintf(buf, size, "%llu", (unsigned long long)info->bootfs_size);
		break;
	case INIT_ARG_INSTANCE:
		snprintf(buf, size, "%u", s->instance + 1);
		break;
	case INIT_ARG_PUBLISHED:
		buf[0] = 0;
		for (unsigned i = 0, used = 0; init_published(i, &name, &ep); i++) {
			int n = snprintf(buf + used, size - used, "%s%s", i ? "," : "", name);
			if (n < 0 || (size_t)n >= size - used) {
				/* Cut at a whole name: the name server skips the rest. */
				buf[used] = 0;
				break;
			}
			used += (unsigned)n;
		}
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

/*
 * The limit of s's quota, in bytes: a fixed share of init's own limit, half
 * for the interactive shell (it hands parts to the commands it runs), a
 * sixteenth for each other service. With the table's four others that leaves
 * init a quarter. Each service has one quota for its whole life, shared by
 * its instances one after the other (see init_svc_start).
 */
static uint64_t init_svc_quota(const struct init_svc *s)
{
	struct orb_quota_info qi = {0, 0};
	if (orb_quota_info(0, &qi) < 0)
		return 0;
	return s->def->interactive ? qi.limit / 2 : qi.limit / 16;
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
	/* Bounded: what the instance causes is charged to the service's quota, made
	 * with its first instance and kept for the life of the service. Every later
	 * instance is bound to the same one, so a restart reserves nothing new in
	 * init's own quota: it cannot be refused because what a dead instance left
	 * (its record, while someone still holds it) keeps a reservation alive. */
	if (!s->quota) {
		long q = orb_quota_create(0, init_svc_quota(s));
		if (q < 0)
			return q;
		s->quota = (cap_handle_t)q;
	}
	long r = orb_spawn_path_in(path, argv, s->caps, s->ncaps, s->quota, &proc);
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

/*
 * init gives up on s for good (init_lock held): it is left in state (FAILED
 * or MISSING), and its endpoint is ended, so a client's call fails at once
 * with -ERR_CLOSED instead of waiting for an instance that will never come.
 * (While it is only restarting the endpoint stays: calls queue for the next
 * instance.)
 */
static void init_svc_give_up(struct init_svc *s, int state)
{
	s->state = state;
	if (s->ep)
		orb_endpoint_close(s->ep);
}

/* After a death: restarts s (init_lock held). False when it is left stopped. */
static bool init_svc_restart(struct init_svc *s, uint32_t pid, const char *why)
{
	for (;;) {
		if (!init_svc_may_restart(s, orb_clock())) {
			printf("init: %s (pid %u) died: %s; %u restarts within %llu s, giving up\n",
			       s->def->name, pid, why, INIT_RESTART_MAX,
			       (unsigned long long)(INIT_RESTART_WINDOW / 1000000000));
			init_svc_give_up(s, INIT_SVC_FAILED);
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
		} else if (s->def->absent_status && st == s->def->absent_status) {
			printf("init: %s (pid %u): no device (%s); not restarted\n", s->def->name,
			       pid, why);
			init_svc_give_up(s, INIT_SVC_ABSENT);
		} else {
			again = init_svc_restart(s, pid, why);
		}
		if (!again) {
			s->waiter_done = true;
			init_unlock();
			return;
		}
		init_unlock();
	}
}

/* Starts s the first time, and its waiter thread (init_lock not held). */
static void init_svc_first_start(struct init_svc *s)
{
	init_lock();
	if (s->state == INIT_SVC_FAILED) {
		init_svc_give_up(s, INIT_SVC_FAILED);
		init_unlock();
		printf("init: %s: not started (its capabilities could not be made)\n",
		       s->def->name);
		return;
	}
	long r = init_svc_start(s);
	if (r < 0) {
		init_svc_give_up(s, r == -ERR_NOENT ? INIT_SVC_MISSING : INIT_SVC_FAILED);
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
		init_svc_give_up(s, INIT_SVC_FAILED);
		s->waiter_done = true;
		init_unlock();
	}
}

void init_svcs_start_all(void)
{
	/* The name server starts with init's names (INIT_CAP_PUBLISHED), so they exist
	 * before any client starts, and again in every new instance after a crash. */
	for (unsigned i = 0; i < init_nsvcs; i++)
		init_svc_first_start(&init_svcs[i]);
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
