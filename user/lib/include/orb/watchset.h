/*
 * A server's watched clients: the processes whose death it must learn of
 * (SYS_PROC_WATCH), each watched once, with one bit of one notification.
 *
 * Why a set and not a watch per session: the kernel keeps at most
 * PROC_WATCH_MAX (64) live watches on one process and a watch cannot be
 * taken back, so a server that watched a client again for each session (a
 * shell reading every command line, a program attaching and detaching in a
 * loop) would soon be refused. The set keeps each watched process (its
 * Process [READ] capability and pid) after the last session that needed it
 * ends, and a new session of the same live process reuses its entry.
 *
 * Use: watchset_add() for a session's client process (consumed) gives an
 * entry with one more user; watchset_put() when the session ends. Before
 * serving requests, watchset_dead() polls the notification and returns the
 * entries whose process has really died (a bit only says "look": the watch
 * of a process evicted earlier may fire for an entry reused since); the
 * server ends their sessions (watchset_put each) and the entries are freed
 * once dead and unused.
 *
 * Entries: at most WATCHSET_MAX (63: one notification bit each, below bit
 * 63). An entry with no user is evicted when a new process needs room: its
 * watch stays in the kernel until that process dies (one of its 64).
 *
 * Not thread-safe: one server thread uses it.
 */
#ifndef ORB_WATCHSET_H
#define ORB_WATCHSET_H

#include <stdbool.h>
#include <stdint.h>
#include <orb/sys.h>

#define WATCHSET_MAX 63

struct watchset_entry {
	cap_handle_t proc; /* Process [READ], or 0 when the entry is free */
	long pid;	   /* its pid (SYS_PROC_PID) */
	unsigned users;	   /* sessions that need it */
};

struct watchset {
	cap_handle_t ntfn; /* Notification [SEND, RECV]: bit i = entry i's process died */
	struct watchset_entry e[WATCHSET_MAX];
};

/* An empty set signalled through ntfn (the caller's, kept). */
void watchset_init(struct watchset *ws, cap_handle_t ntfn);

/*
 * One more user of proc's entry (proc: a Process [READ], consumed whatever
 * happens). Returns the entry's index, -ERR_INVAL if proc is not a Process
 * with READ or already dead, -ERR_NOSPACE if every entry is in use, or the
 * kernel's error watching it.
 */
long watchset_add(struct watchset *ws, cap_handle_t proc);

/* One user less of entry i; a dead entry with no user is freed. */
void watchset_put(struct watchset *ws, long i);

/* Polls the notification: the mask of entries whose process has died. */
uint64_t watchset_dead(struct watchset *ws);

/* True if entry i's process is alive now (a look that needs no notification). */
bool watchset_alive(const struct watchset *ws, long i);

#endif
