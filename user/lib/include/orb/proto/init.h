/*
 * The init protocol (user/bin/init): what other programs may ask of init,
 * which starts the services and restarts those that die. docs/services.md
 * has the design.
 *
 * Init registers its own endpoint in the name service as "init"; a client
 * reaches it with a capability badged with its client id. Calls; w0 of the
 * reply is the result.
 *
 * Authority: every request below is an administrator's. Init serves it only
 * through a capability badged INIT_BADGE_ADMIN, which it derives itself and
 * gives to the shell alone (start capability 1 of sh; the shell passes it to
 * ps, kill, halt and reboot as their start capability 1). Any other badge,
 * such as the client-id badge the name service hands out, gets -ERR_PERM.
 *
 *   INIT_LIST    w0 = index i -> 0 and the i-th service: w1 = pid (0 if not
 *                running), w2 = restarts so far, w3 = state (INIT_SVC_*), its
 *                name in words 4..7 (ns_name_pack layout); -ERR_NOENT past
 *                the last one. The reply has 8 words.
 *   INIT_KILL    w0 = pid -> 0: init kills that process if it is one of its
 *                running services (it is then restarted like any crashed
 *                service); -ERR_NOENT otherwise.
 *   INIT_POWER   w0 = INIT_POWER_REBOOT or INIT_POWER_HALT -> does not return
 *                (-ERR_INVAL for another value; -ERR_NOSYS while the kernel
 *                has no power call).
 *
 * Pids are init's own numbers for the processes it started (1 is init), in
 * the order it started them: the kernel does not tell user space its
 * process ids.
 */
#ifndef ORB_PROTO_INIT_H
#define ORB_PROTO_INIT_H

#define INIT_LIST  0x494e0001u
#define INIT_KILL  0x494e0002u
#define INIT_POWER 0x494e0003u

#define INIT_LIST_WORDS 8

/* The administrator's badge on init's endpoint: above every client id (NS_ID_LIMIT = 2^48). */
#define INIT_BADGE_ADMIN ((1ull << 48) | 1)

#define INIT_SVC_RUNNING    1
#define INIT_SVC_RESTARTING 2
#define INIT_SVC_FAILED	    3 /* restarted too often (or cannot start); left stopped */
#define INIT_SVC_MISSING    4 /* its program is not in the boot archive; never started */
#define INIT_SVC_STOPPED    5 /* stopped on purpose (init's self-test, shutting down) */
#define INIT_SVC_ABSENT	    6 /* exited saying its device is absent; not restarted */

#define INIT_POWER_REBOOT 1
#define INIT_POWER_HALT	  2

/* A service state's name, as init and ps print it. */
static inline const char *init_svc_state_name(unsigned long state)
{
	switch (state) {
	case INIT_SVC_RUNNING:
		return "running";
	case INIT_SVC_RESTARTING:
		return "restarting";
	case INIT_SVC_FAILED:
		return "failed";
	case INIT_SVC_MISSING:
		return "missing";
	case INIT_SVC_STOPPED:
		return "stopped";
	case INIT_SVC_ABSENT:
		return "absent";
	default:
		return "?";
	}
}

#endif
