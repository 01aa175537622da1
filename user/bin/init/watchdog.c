/*
 * init's liveness watchdog: a service that crashes is restarted by its
 * waiter thread (svc.c), but one that hangs (a corrupted loop, a lost
 * wake-up) would never be. So one more thread pings every running service
 * that has an endpoint, every INIT_WD_PERIOD: a call with a label no service
 * knows, bounded by INIT_WD_TIMEOUT. Any answer, an error included, shows
 * the service's loop still turns. An instance that leaves INIT_WD_MISSES
 * pings in a row unanswered is killed, and its waiter restarts it as after
 * any death (the restart counts towards init's limit).
 *
 * The call goes through init's own unbadged capability to the endpoint, so a
 * ping queued while the service restarts is answered by the next instance.
 * Services without an endpoint (the keyboard driver) are not watched.
 * The limits are generous: under emulation a busy host can stall a guest
 * for seconds, and killing a healthy service is worse than a late restart.
 *
 * Locking: the miss counts belong to the watchdog thread; what it reads of
 * a service it reads under init_lock, and it kills only the instance it
 * pinged (same pid, still running, not being stopped), under the same lock.
 */
#include <stdio.h>
#include <string.h>
#include <orb/thread.h>
#include "init.h"

#define INIT_WD_PERIOD	(2000ull * 1000 * 1000) /* ns between rounds */
#define INIT_WD_TIMEOUT (5000ull * 1000 * 1000) /* ns a ping may take */
#define INIT_WD_MISSES	3
#define INIT_WD_SVCS	16
#define INIT_WD_PING	0x77646f67u /* "wdog": a label no service serves */

static uint32_t init_wd_pid[INIT_WD_SVCS];    /* the instance the count is about */
static uint32_t init_wd_missed[INIT_WD_SVCS]; /* its unanswered pings in a row */

/* False only if the call timed out: anything else came from the service or the kernel. */
static bool init_wd_ping(cap_handle_t ep)
{
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(INIT_WD_PING, 0, 0);
	long r = orb_call(ep, &m, INIT_WD_TIMEOUT);
	if (r == 0) {
		/* A reply carrying capabilities is not ours to keep. */
		struct ipc_buffer *b = orb_ipc_buf();
		for (unsigned i = 0; b && i < IPC_TAG_NCAPS(m.tag) && i < IPC_MAX_CAPS; i++)
			orb_cap_delete(b->recv_caps[i]);
	}
	return r != -ERR_TIMEOUT;
}

static void init_wd_check(unsigned i)
{
	struct init_svc *s = &init_svcs[i];
	init_lock();
	uint32_t pid = s->pid;
	bool up = s->ep && s->proc && s->state == INIT_SVC_RUNNING && !s->stopping;
	init_unlock();
	if (!up || pid != init_wd_pid[i]) {
		init_wd_pid[i] = up ? pid : 0;
		init_wd_missed[i] = 0;
		if (!up)
			return;
	}
	if (init_wd_ping(s->ep)) {
		init_wd_missed[i] = 0;
		return;
	}
	if (++init_wd_missed[i] < INIT_WD_MISSES)
		return;
	init_wd_missed[i] = 0;
	init_lock();
	if (s->pid == pid && s->proc && !s->stopping) {
		printf(
		    "init: watchdog: %s (pid %u) left %u pings in a row unanswered; killing it\n",
		    s->def->name, pid, INIT_WD_MISSES);
		orb_proc_kill(s->proc);
	}
	init_unlock();
}

static void init_wd_thread(void *arg)
{
	(void)arg;
	for (;;) {
		orb_sleep(INIT_WD_PERIOD);
		for (unsigned i = 0; i < init_nsvcs && i < INIT_WD_SVCS; i++)
			init_wd_check(i);
	}
}

void init_watchdog_start(void)
{
	long r = orb_thread_spawn(init_wd_thread, NULL, 0, NULL);
	if (r < 0)
		printf("init: no watchdog thread (error %ld): hung services stay hung\n", r);
}
