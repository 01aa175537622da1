/*
 * A server's watched clients (<orb/watchset.h>).
 *
 * Trust: the Process capability comes from a client. It is identified (a
 * Process with READ) before anything else; the pid the kernel reports for
 * it is the only identity used, and an entry is believed to be the same
 * process only while that process is alive (pids are unique among live
 * processes).
 */
#include <string.h>
#include <orb/watchset.h>

void watchset_init(struct watchset *ws, cap_handle_t ntfn)
{
	memset(ws, 0, sizeof(*ws));
	ws->ntfn = ntfn;
}

static bool watchset_entry_alive(const struct watchset_entry *w)
{
	return w->proc && orb_proc_wait(w->proc, IPC_TIMEOUT_POLL) == -ERR_TIMEOUT;
}

static void watchset_free(struct watchset_entry *w)
{
	orb_cap_delete(w->proc);
	memset(w, 0, sizeof(*w));
}

/* A free entry, else one nobody uses (evicted: its watch stays), else -1. */
static long watchset_room(struct watchset *ws)
{
	long unused = -1;
	for (long i = 0; i < WATCHSET_MAX; i++) {
		if (!ws->e[i].proc)
			return i;
		if (ws->e[i].users == 0 && (unused < 0 || !watchset_entry_alive(&ws->e[i])))
			unused = i;
	}
	if (unused >= 0)
		watchset_free(&ws->e[unused]);
	return unused;
}

long watchset_add(struct watchset *ws, cap_handle_t proc)
{
	struct cap_info ci;
	long r;
	if (!proc || orb_cap_identify(proc, &ci) != 0 || ci.type != CAP_TYPE_PROCESS ||
	    !(ci.rights & CAP_RIGHT_READ)) {
		r = -ERR_INVAL;
		goto out;
	}
	long pid = orb_syscall1(SYS_PROC_PID, proc);
	if (pid <= 0 || orb_proc_wait(proc, IPC_TIMEOUT_POLL) != -ERR_TIMEOUT) {
		r = -ERR_INVAL; /* a dead client has no session to keep */
		goto out;
	}
	for (long i = 0; i < WATCHSET_MAX; i++) {
		struct watchset_entry *w = &ws->e[i];
		if (w->proc && w->pid == pid && watchset_entry_alive(w)) {
			w->users++; /* the same live process: watched already */
			r = i;
			goto out;
		}
	}
	r = watchset_room(ws);
	if (r < 0) {
		r = -ERR_NOSPACE;
		goto out;
	}
	long err = orb_proc_watch(proc, ws->ntfn, 1ull << r);
	if (err) {
		r = err;
		goto out;
	}
	ws->e[r] = (struct watchset_entry){.proc = proc, .pid = pid, .users = 1};
	return r; /* proc kept */
out:
	orb_cap_delete(proc);
	return r;
}

void watchset_put(struct watchset *ws, long i)
{
	if (i < 0 || i >= WATCHSET_MAX || !ws->e[i].proc)
		return;
	struct watchset_entry *w = &ws->e[i];
	if (w->users)
		w->users--;
	if (w->users == 0 && !watchset_entry_alive(w))
		watchset_free(w);
}

uint64_t watchset_dead(struct watchset *ws)
{
	long bits = orb_ntfn_wait(ws->ntfn, IPC_TIMEOUT_POLL);
	uint64_t dead = 0;
	if (bits <= 0)
		return 0;
	for (long i = 0; i < WATCHSET_MAX; i++) {
		struct watchset_entry *w = &ws->e[i];
		if (!((uint64_t)bits & (1ull << i)) || !w->proc || watchset_entry_alive(w))
			continue;
		if (w->users)
			dead |= 1ull << i;
		else
			watchset_free(w);
	}
	return dead;
}

bool watchset_alive(const struct watchset *ws, long i)
{
	return i >= 0 && i < WATCHSET_MAX && watchset_entry_alive(&ws->e[i]);
}
