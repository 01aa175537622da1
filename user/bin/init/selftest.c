/*
 * init's self-test (`init.test=restart` on the kernel command line, run as
 * the kernel's test program by tests/qemu/init_cases.py): starts the
 * services of the start-up table without the shell, then checks, as a
 * client through the name service and the init protocol, that
 *   - the name service answers lookups, refuses bad requests and keeps a
 *     name to the client id that registered it;
 *   - killing an unrelated service (kbd, then the name server itself) brings
 *     it back with a new pid and restarts = 1, and a file
 *     written to /tmp through the VFS is still there afterwards;
 *   - killing the VFS server brings it back on the same
 *     endpoint: a call made meanwhile gets an answer (or -ERR_NOENT), never
 *     hangs, and the same capability works with the new instance;
 *   - a service that dies too often is left FAILED; when that is the VFS,
 *     each restart before serves calls on the same endpoint, and after it a
 *     client's call fails with -ERR_CLOSED (init ended the endpoint) instead
 *     of hanging;
 * then stops every service and exits 0 if every check passed. Output: one
 * "ok: ..." or "FAIL: ..." line per check, then "init.test: N passed, N
 * failed".
 *
 * `init.test=attack` starts the same services and then an ordinary program,
 * /bin/t_svc_attack (tests/user/), with nothing but a name-service identity
 * of its own, as the shell would run it: it checks what it must be refused
 * (the log, init's requests, the console's input and foreground, init's
 * names) while init kills the name server under it; then init kills
 * t_svc_attack in its "vfs-client" role, attached to the VFS with a file
 * open, more times than the VFS has client records, and checks one more
 * still attaches (the VFS forgets dead clients), and in its "squatter"
 * role, after it registered a name (the name server drops it).
 *
 * `init.test=absent` (on a machine without an i8042) checks that kbd finds
 * no controller and is left ABSENT with no restart while the others run.
 *
 * `init.test=overlap` starts the same services and kills all of them at
 * once, ST_OVERLAP_ROUNDS times, while this test holds a Process capability
 * to every instance it killed (as a server holds its clients'), so no dead
 * instance's record is freed before the end. Each round every service must
 * be back with exactly one restart more: a start refused (for quota: each
 * service has one quota for its whole life, so what dead instances leave
 * reserves nothing more in init's) would count as another restart.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <orb/ns.h>
#include <orb/vfs.h>
#include "init.h"

#define ST_MS(n) ((uint64_t)(n)*1000 * 1000)
/* How long a killed service may take to be back before the check fails. Only a
 * restart that never comes should fail it: a correct but slow system (QEMU
 * with -icount, where one busy vCPU runs the guest clock on for all of them,
 * a restart can take seconds of guest time) must pass, so it is generous. */
#define ST_RESTART_NS ST_MS(30000)
#define ST_CALL_NS    ST_MS(2000)
#define ST_GONE_NS    ST_MS(30000) /* generous bound on what should fail at once */
#define ST_FILE	      "/tmp/persist.txt"
#define ST_TEXT	      "written before the crash of an unrelated service"

static int st_pass, st_fail;
static cap_handle_t st_init; /* init's endpoint badged INIT_BADGE_ADMIN, as the shell has it */

static bool st_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool st_check(bool ok, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("%s: %s\n", ok ? "ok" : "FAIL", msg);
	*(ok ? &st_pass : &st_fail) += 1;
	return ok;
}

struct st_svc {
	char name[NS_NAME_MAX + 1];
	uint32_t pid, restarts;
	int state;
};

/* One init-protocol call through "init"; returns the reply's w0 (or the IPC error). */
static long st_call(uint32_t label, uint64_t w0, struct orb_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->tag = IPC_TAG(label, 1, 0);
	m->w[0] = w0;
	long r = orb_call(st_init, m, ST_CALL_NS);
	return r < 0 ? r : (long)m->w[0];
}

static long st_list(unsigned i, struct st_svc *out)
{
	struct orb_msg m;
	long r = st_call(INIT_LIST, i, &m);
	if (r != 0)
		return r;
	if (IPC_TAG_NWORDS(m.tag) != INIT_LIST_WORDS)
		return -ERR_FORMAT;
	out->pid = (uint32_t)m.w[1];
	out->restarts = (uint32_t)m.w[2];
	out->state = (int)m.w[3];
	ns_name_unpack(&orb_ipc_buf()->words[4], out->name);
	return 0;
}

/* The service called name, through INIT_LIST; false if it is not listed
 * (then *out is untouched: never another service's row). */
static bool st_find(const char *name, struct st_svc *out)
{
	struct st_svc row;
	for (unsigned i = 0; st_list(i, &row) == 0; i++) {
		if (strcmp(row.name, name) == 0) {
			*out = row;
			return true;
		}
	}
	return false;
}

/*
 * Waits until name runs with a pid other than old_pid (or, if want_failed,
 * until it is FAILED); returns the time it took, or UINT64_MAX after
 * ST_RESTART_NS.
 */
static uint64_t st_wait_back(const char *name, uint32_t old_pid, bool want_failed,
			     struct st_svc *now)
{
	uint64_t t0 = orb_clock();
	for (;;) {
		bool there = st_find(name, now);
		if (there && !want_failed && now->state == INIT_SVC_RUNNING && now->pid != 0 &&
		    now->pid != old_pid)
			return orb_clock() - t0;
		if (there && want_failed && now->state == INIT_SVC_FAILED)
			return orb_clock() - t0;
		if (orb_clock() - t0 > ST_RESTART_NS)
			return UINT64_MAX;
		orb_sleep(ST_MS(2));
	}
}

/* Kills service name through INIT_KILL and checks it is back (restarts = want). */
static bool st_kill_and_wait(const char *name, uint32_t want_restarts)
{
	struct st_svc before, after = {{0}, 0, 0, 0};
	if (!st_check(st_find(name, &before) && before.state == INIT_SVC_RUNNING,
		      "%s is running before the kill", name))
		return false;
	struct orb_msg m;
	st_check(st_call(INIT_KILL, before.pid, &m) == 0, "INIT_KILL %s (pid %u)", name,
		 before.pid);
	uint64_t took = st_wait_back(name, before.pid, false, &after);
	return st_check(took != UINT64_MAX && after.restarts == want_restarts,
			"%s is back: pid %u -> %u, restarts = %u, after %llu ms", name, before.pid,
			after.pid, after.restarts,
			took == UINT64_MAX ? 99999ull : (unsigned long long)(took / ST_MS(1)));
}

static void st_check_file(const char *when)
{
	char buf[64] = {0};
	long fd = vfs_open(ST_FILE, O_RDONLY);
	long n = fd < 0 ? fd : vfs_read((int)fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		vfs_close((int)fd);
	st_check(n == (long)strlen(ST_TEXT) && memcmp(buf, ST_TEXT, strlen(ST_TEXT)) == 0,
		 "%s: %s still holds its bytes (read %ld)", when, ST_FILE, n);
}

static long st_write_file(const char *path, const char *text)
{
	long fd = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 0)
		return fd;
	long n = vfs_write((int)fd, text, strlen(text));
	vfs_close((int)fd);
	return n;
}

/* The name service: lookups, refusals, ownership of names, client ids. */
static void st_check_ns(void)
{
	cap_handle_t c = 0, other = 0;
	struct cap_info ci;
	st_check(ns_lookup("nosuch", &c) == -ERR_NOENT, "ns: lookup of an unknown name: NOENT");
	st_check(ns_lookup("Bad Name", &c) == -ERR_INVAL, "ns: lookup of a malformed name: INVAL");
	long r = ns_lookup("vfs", &c);
	st_check(r == 0 && orb_cap_identify(c, &ci) == 0 && ci.type == CAP_TYPE_ENDPOINT &&
		     ci.badge == NS_ID_INIT && ci.rights == (CAP_RIGHT_SEND | CAP_RIGHT_GRANT),
		 "ns: lookup(vfs) gives an endpoint [SEND, GRANT] badged with our id (%ld)", r);
	if (r == 0) {
		/* A badged capability cannot be published. */
		st_check(ns_register("mine", c) == -ERR_INVAL,
			 "ns: registering a badged cap: INVAL");
		orb_cap_delete(c);
	}
	r = ns_new_client(&other);
	st_check(r == 0 && orb_cap_identify(other, &ci) == 0 && ci.badge == NS_ID_SERVER_BASE * 1,
		 "ns: NS_NEW_CLIENT gives a fresh id (badge %#llx)",
		 r == 0 ? (unsigned long long)ci.badge : 0ull);
	if (r != 0)
		return;
	/* The new client cannot take over init's names, nor remove them. */
	long ep = orb_endpoint_create();
	long pub =
	    ep < 0 ? ep : orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	ns_use(other);
	long reg_other = ns_register("vfs", (cap_handle_t)pub);
	long unreg_other = ns_unregister("init");
	long reg_new = ns_register("st.mine", (cap_handle_t)pub);
	long lookup_other = ns_lookup("st.mine", &c);
	if (lookup_other == 0)
		orb_cap_delete(c);
	ns_use(init_ns_client);
	st_check(reg_other == -ERR_EXIST, "ns: another client registering \"vfs\": EXIST (%ld)",
		 reg_other);
	st_check(unreg_other == -ERR_EXIST,
		 "ns: another client unregistering \"init\": EXIST (%ld)", unreg_other);
	st_check(reg_new == 0 && lookup_other == 0, "ns: a new name registers and resolves");
	st_check(ns_unregister("st.mine") == -ERR_EXIST, "ns: init cannot remove another's name");
	ns_use(other);
	st_check(ns_unregister("st.mine") == 0, "ns: its owner removes it");
	ns_use(init_ns_client);
	st_check(ns_lookup("st.mine", &c) == -ERR_NOENT, "ns: a removed name is gone");
	orb_cap_delete((cap_handle_t)pub);
	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete(other);
}

static void st_check_protocol(void)
{
	struct orb_msg m;
	struct st_svc s;
	/* A client's capability (the name service's, badged with its id) is no administrator's. */
	cap_handle_t admin = st_init, client = 0;
	st_check(ns_lookup("init", &client) == 0, "ns: lookup(init)");
	st_init = client;
	st_check(st_call(INIT_LIST, 0, &m) == -ERR_PERM, "INIT_LIST from a client: PERM");
	st_check(st_call(INIT_KILL, 2, &m) == -ERR_PERM, "INIT_KILL from a client: PERM");
	st_check(st_call(INIT_POWER, INIT_POWER_HALT, &m) == -ERR_PERM,
		 "INIT_POWER from a client: PERM");
	st_init = admin;
	orb_cap_delete(client);
	st_check(st_call(INIT_KILL, 0, &m) == -ERR_NOENT, "INIT_KILL of pid 0: NOENT");
	st_check(st_call(INIT_KILL, 1, &m) == -ERR_NOENT, "INIT_KILL of init itself: NOENT");
	st_check(st_call(INIT_KILL, 1ull << 40, &m) == -ERR_NOENT,
		 "INIT_KILL of a huge pid: NOENT");
	st_check(st_list(1000, &s) == -ERR_NOENT, "INIT_LIST past the end: NOENT");
	st_check(st_call(INIT_POWER, 99, &m) == -ERR_INVAL, "INIT_POWER 99: INVAL");
	st_check(st_call(0x12345, 0, &m) == -ERR_NOSYS, "an unknown request: NOSYS");
}

/* vfs dies with a client's call possibly in flight; the endpoint outlives it. */
static void st_check_vfs_restart(cap_handle_t vfs)
{
	struct st_svc before, after = {{0}, 0, 0, 0};
	struct orb_msg m;
	if (!st_check(st_find("vfs", &before) && before.state == INIT_SVC_RUNNING,
		      "vfs is running before the kill"))
		return;
	st_check(st_call(INIT_KILL, before.pid, &m) == 0, "INIT_KILL vfs (pid %u)", before.pid);
	/* A call right away: served by the dying instance, lost with it (-ERR_NOENT), or
	 * queued on the endpoint and served by the next one; never left hanging. */
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_FSTAT, 4, 0);
	long r = orb_call(vfs, &m, ST_CALL_NS);
	st_check(r == 0 || r == -ERR_NOENT, "a vfs call across the crash is answered: %ld, w0 %ld",
		 r, r == 0 ? (long)m.w[0] : 0);
	uint64_t took = st_wait_back("vfs", before.pid, false, &after);
	st_check(took != UINT64_MAX && after.restarts == 1,
		 "vfs is back: pid %u -> %u, restarts = %u", before.pid, after.pid, after.restarts);
	vfs_detach(); /* the old instance's state died with it */
	st_check(vfs_attach(vfs) == 0, "the same vfs capability attaches to the new instance");
	struct orb_stat st;
	st_check(vfs_stat(ST_FILE, &st) == -ERR_NOENT,
		 "the new vfs instance starts with an empty /tmp (a RAM file system)");
	st_check(st_write_file("/tmp/after.txt", "after") == 5, "writing /tmp after the restart");
	st_check(vfs_stat("/etc/motd", &st) == 0, "the boot archive is served again");
}

/* A service that keeps dying is given up on. */
static void st_check_give_up(const char *name)
{
	struct st_svc s, now;
	if (!st_find(name, &s))
		return;
	for (uint32_t n = s.restarts + 1; n <= INIT_RESTART_MAX; n++)
		if (!st_kill_and_wait(name, n))
			return;
	st_find(name, &s);
	struct orb_msg m;
	st_check(st_call(INIT_KILL, s.pid, &m) == 0, "INIT_KILL %s once more", name);
	uint64_t took = st_wait_back(name, s.pid, true, &now);
	st_check(took != UINT64_MAX && now.pid == 0 && now.restarts == INIT_RESTART_MAX,
		 "%s is FAILED after %d restarts within 10 s (state %d, pid %u)", name,
		 INIT_RESTART_MAX, now.state, now.pid);
	st_check(st_call(INIT_KILL, s.pid, &m) == -ERR_NOENT, "INIT_KILL of its old pid: NOENT");
}

/* One call to the vfs (an fstat of no file): 0 when an instance answered it. */
static long st_vfs_ping(cap_handle_t vfs, uint64_t timeout_ns)
{
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_FSTAT, 4, 0);
	return orb_call(vfs, &m, timeout_ns);
}

/*
 * The VFS keeps dying until init gives up on it. Until then every new
 * instance serves calls on the same endpoint; then init ends the endpoint,
 * and a client's call fails with -ERR_CLOSED instead of waiting for an
 * instance that will never come. A client's capability cannot end it.
 */
static void st_check_gone_for_good(cap_handle_t vfs)
{
	struct st_svc s, now = {0};
	struct orb_msg m;
	st_check(orb_endpoint_close(vfs) == -ERR_PERM,
		 "a client's vfs capability cannot end the endpoint");
	st_check(st_vfs_ping(vfs, ST_CALL_NS) == 0, "the vfs still answers after that");
	for (int k = 0;
	     k < 4 * INIT_RESTART_MAX && st_find("vfs", &s) && s.state == INIT_SVC_RUNNING; k++) {
		st_check(st_call(INIT_KILL, s.pid, &m) == 0, "INIT_KILL vfs (pid %u, restarts %u)",
			 s.pid, s.restarts);
		bool back = false, failed = false;
		for (uint64_t t0 = orb_clock();
		     !back && !failed && orb_clock() - t0 < ST_GONE_NS;) {
			if (st_find("vfs", &now)) {
				back = now.state == INIT_SVC_RUNNING && now.pid && now.pid != s.pid;
				failed = now.state == INIT_SVC_FAILED;
			}
			if (!back && !failed)
				orb_sleep(ST_MS(2));
		}
		if (back)
			st_check(st_vfs_ping(vfs, ST_CALL_NS) == 0,
				 "the vfs restarted (pid %u -> %u) serves calls on its endpoint",
				 s.pid, now.pid);
		else if (!st_check(failed, "the vfs came back or was given up on (state %d)",
				   now.state))
			return;
	}
	if (!st_check(st_find("vfs", &now) && now.state == INIT_SVC_FAILED,
		      "init gave up on the vfs (state %d, restarts %u)", now.state, now.restarts))
		return;
	uint64_t t0 = orb_clock();
	long r = st_vfs_ping(vfs, ST_GONE_NS);
	st_check(r == -ERR_CLOSED, "a call to the vfs that init gave up on: %ld (after %llu ms)", r,
		 (unsigned long long)((orb_clock() - t0) / ST_MS(1)));
	cap_handle_t c = 0;
	if (ns_lookup("vfs", &c) == 0) {
		r = st_vfs_ping(c, ST_GONE_NS);
		st_check(r == -ERR_CLOSED, "a call through a new lookup of \"vfs\": %ld", r);
		orb_cap_delete(c);
	}
}

static void st_run(void)
{
	struct st_svc s = {{0}, 0, 0, 0};
	cap_handle_t vfs = 0;

	long adm = orb_cap_derive(init_ep, CAP_RIGHT_SEND, INIT_BADGE_ADMIN);
	st_check(adm > 0, "init's administrator capability (%ld)", adm);
	st_init = adm > 0 ? (cap_handle_t)adm : 0;
	for (unsigned i = 0; st_list(i, &s) == 0; i++)
		printf("init.test: service %u: %s pid %u restarts %u %s\n", i, s.name, s.pid,
		       s.restarts, init_state_name(s.state));
	st_check(st_find("ns", &s) && s.state == INIT_SVC_RUNNING, "INIT_LIST: ns is running");
	st_check(!st_find("sh", &s), "INIT_LIST: no shell in the self-test");
	st_check_ns();
	st_check_protocol();

	if (!st_check(ns_lookup("vfs", &vfs) == 0 && vfs_attach(vfs) == 0, "attach to the vfs"))
		return;
	st_check(st_write_file(ST_FILE, ST_TEXT) == (long)strlen(ST_TEXT), "write %s", ST_FILE);
	st_check_file("before any crash");

	if (st_find("kbd", &s) && s.state == INIT_SVC_RUNNING) {
		st_kill_and_wait("kbd", 1);
		st_check_file("after kbd's restart");
	} else {
		printf("init.test: kbd is not running (%s): its checks are skipped\n",
		       init_state_name(s.state));
	}

	st_kill_and_wait("ns", 1);
	st_check_file("after the name server's restart");
	cap_handle_t c = 0;
	long r = -ERR_NOENT;
	for (int i = 0; i < 500 && r != 0; i++) {
		r = ns_lookup("vfs", &c);
		if (r != 0)
			orb_sleep(ST_MS(2));
	}
	st_check(r == 0, "the new name server knows \"vfs\" again (registered by init)");
	if (r == 0)
		orb_cap_delete(c);
	r = ns_new_client(&c);
	struct cap_info ci = {0};
	st_check(r == 0 && orb_cap_identify(c, &ci) == 0 && ci.badge == NS_ID_SERVER_BASE * 2,
		 "the second name server's client ids are new ones (badge %#llx)",
		 (unsigned long long)ci.badge);
	if (r == 0)
		orb_cap_delete(c);

	st_check_vfs_restart(vfs);
	if (st_find("kbd", &s) && s.state == INIT_SVC_RUNNING)
		st_check_give_up("kbd");
	st_check_gone_for_good(vfs);
	vfs_detach();
	orb_cap_delete(vfs);
}

/* ---- init.test=overlap: every service killed at once, repeatedly. ---- */

#define ST_OVERLAP_ROUNDS (INIT_RESTART_MAX - 1) /* all within one window: none given up */

static void st_overlap(void)
{
	cap_handle_t held[ST_OVERLAP_ROUNDS * 16];
	unsigned nheld = 0;
	long adm = orb_cap_derive(init_ep, CAP_RIGHT_SEND, INIT_BADGE_ADMIN);
	st_init = adm > 0 ? (cap_handle_t)adm : 0;
	for (uint32_t round = 1; round <= ST_OVERLAP_ROUNDS; round++) {
		uint32_t old[16] = {0};
		unsigned n = 0;
		/* Keep each instance's Process (so it stays around dead), then kill them all
		 * before looking at any. */
		unsigned present = 0;
		init_lock();
		for (unsigned i = 0; i < init_nsvcs && i < 16; i++) {
			struct init_svc *s = &init_svcs[i];
			present += s->state != INIT_SVC_ABSENT; /* no device: not restarted */
			if (s->state != INIT_SVC_RUNNING || !s->proc)
				continue;
			long h = orb_cap_derive(s->proc, CAP_RIGHT_READ, 0);
			if (h > 0 && nheld < sizeof(held) / sizeof(held[0]))
				held[nheld++] = (cap_handle_t)h;
			else if (h > 0)
				orb_cap_delete((cap_handle_t)h);
			old[i] = s->pid;
			n++;
		}
		init_unlock();
		if (!st_check(n == present, "round %u: all %u services with a device run (%u)",
			      round, present, n))
			break;
		struct orb_msg m;
		for (unsigned i = 0; i < init_nsvcs && i < 16; i++)
			if (old[i])
				st_check(st_call(INIT_KILL, old[i], &m) == 0,
					 "round %u: INIT_KILL %s (pid %u)", round,
					 init_svcs[i].def->name, old[i]);
		for (unsigned i = 0; i < init_nsvcs && i < 16; i++) {
			struct st_svc now = {{0}, 0, 0, 0};
			if (!old[i])
				continue;
			const char *name = init_svcs[i].def->name;
			uint64_t took = st_wait_back(name, old[i], false, &now);
			st_check(took != UINT64_MAX && now.restarts == round,
				 "round %u: %s is back: pid %u -> %u, restarts = %u (want %u)",
				 round, name, old[i], now.pid, now.restarts, round);
		}
	}
	for (unsigned i = 0; i < nheld; i++)
		orb_cap_delete(held[i]);
}

/* ---- init.test=absent: a machine without an i8042 (QEMU's `pc,i8042=off`). ---- */

/* kbd finds no controller and exits saying so: init leaves it ABSENT, never restarted,
 * and the other services run as usual. */
static void st_absent(void)
{
	struct st_svc s = {{0}, 0, 0, 0};
	long adm = orb_cap_derive(init_ep, CAP_RIGHT_SEND, INIT_BADGE_ADMIN);
	st_init = adm > 0 ? (cap_handle_t)adm : 0;
	for (uint64_t t0 = orb_clock();
	     st_find("kbd", &s) && s.state == INIT_SVC_RUNNING && orb_clock() - t0 < ST_RESTART_NS;)
		orb_sleep(ST_MS(2));
	st_check(s.state == INIT_SVC_ABSENT && s.pid == 0 && s.restarts == 0,
		 "kbd found no i8042 and is left absent (state %s, pid %u, restarts %u)",
		 init_state_name(s.state), s.pid, s.restarts);
	static const char *const others[] = {"ns", "vfs", "console"};
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		st_check(st_find(others[i], &s) && s.state == INIT_SVC_RUNNING && s.restarts == 0,
			 "%s runs beside it, never restarted", others[i]);
}

/* ---- init.test=attack: an ordinary program against the services. ---- */

#define ST_ATTACKER	  "t_svc_attack"
#define ST_VFS_DEAD	  40 /* dead VFS clients: more than the server has records */
#define ST_ATTACK_WAIT_NS ST_MS(60000)

/* Starts /bin/t_svc_attack in role with a fresh name-service id and caps[0..n) after it. */
static long st_spawn_attacker(const char *role, const cap_handle_t *extra, unsigned n,
			      cap_handle_t *proc)
{
	cap_handle_t caps[4] = {0};
	long r = ns_new_client(&caps[0]);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n && i < 3; i++)
		caps[1 + i] = extra[i];
	const char *argv[] = {ST_ATTACKER, role, NULL};
	r = orb_spawn_path("/bin/" ST_ATTACKER, argv, caps, 1 + n, proc);
	orb_cap_delete(caps[0]);
	return r;
}

/* The attacker hammers NS_REGISTER while init kills the name server. */
static void st_attack_names(void)
{
	long go = orb_ntfn_create(), stop = orb_ntfn_create();
	if (!st_check(go > 0 && stop > 0, "two notifications"))
		return;
	long go_send = orb_cap_derive((cap_handle_t)go, CAP_RIGHT_SEND, 0);
	long stop_recv = orb_cap_derive((cap_handle_t)stop, CAP_RIGHT_RECV, 0);
	cap_handle_t extra[2] = {(cap_handle_t)go_send, (cap_handle_t)stop_recv};
	cap_handle_t proc = 0;
	long r = st_spawn_attacker("attacker", extra, 2, &proc);
	if (st_check(r == 0, "start the attacker (%ld)", r)) {
		long bits = orb_ntfn_wait((cap_handle_t)go, ST_ATTACK_WAIT_NS);
		st_check(bits > 0, "the attacker is registering init's names (%ld)", bits);
		struct init_svc *ns = init_svc_by_name("ns");
		init_lock();
		uint32_t pid = ns->pid;
		init_unlock();
		st_check(init_svc_kill_pid(pid) == 0, "kill the name server (pid %u)", pid);
		struct st_svc after;
		uint64_t took = st_wait_back("ns", pid, false, &after);
		st_check(took != UINT64_MAX, "the name server is back (pid %u)", after.pid);
		/* A lookup through the new instance: the attacker's calls reach it too. */
		cap_handle_t c = 0;
		r = ns_lookup("vfs", &c);
		st_check(r == 0, "the new name server answers (%ld)", r);
		if (r == 0)
			orb_cap_delete(c);
		orb_ntfn_signal((cap_handle_t)stop, 1);
		long st = orb_proc_wait(proc, ST_ATTACK_WAIT_NS);
		if (st == -ERR_TIMEOUT)
			orb_proc_kill(proc);
		st_check(st == 0, "the attacker's checks passed (status %ld)", st);
		orb_cap_delete(proc);
	}
	long made[] = {go_send, stop_recv, go, stop};
	for (unsigned i = 0; i < 4; i++)
		if (made[i] > 0)
			orb_cap_delete((cap_handle_t)made[i]);
}

/* VFS clients killed while attached: the server forgets each, so new ones still fit. */
static void st_attack_vfs_dead(void)
{
	long ready = orb_ntfn_create();
	long ready_send =
	    ready < 0 ? ready : orb_cap_derive((cap_handle_t)ready, CAP_RIGHT_SEND, 0);
	if (!st_check(ready_send > 0, "a notification for the VFS clients"))
		return;
	int attached = 0;
	for (int i = 0; i <= ST_VFS_DEAD; i++) {
		cap_handle_t proc = 0, extra = (cap_handle_t)ready_send;
		if (st_spawn_attacker("vfs-client", &extra, 1, &proc) != 0)
			break;
		long bits = orb_ntfn_wait((cap_handle_t)ready, ST_CALL_NS);
		orb_proc_kill(proc);
		orb_proc_wait(proc, ST_ATTACK_WAIT_NS);
		orb_cap_delete(proc);
		if (bits <= 0)
			break;
		attached++;
	}
	st_check(attached == ST_VFS_DEAD + 1,
		 "%d VFS clients killed while attached; the next one still attaches (%d did)",
		 ST_VFS_DEAD, attached);
	orb_cap_delete((cap_handle_t)ready_send);
	orb_cap_delete((cap_handle_t)ready);
}

/* A program that registered a name and was killed: the name goes with it. */
static void st_attack_ns_dead(void)
{
	long ready = orb_ntfn_create();
	long ready_send =
	    ready < 0 ? ready : orb_cap_derive((cap_handle_t)ready, CAP_RIGHT_SEND, 0);
	if (!st_check(ready_send > 0, "a notification for the squatter"))
		return;
	cap_handle_t proc = 0, extra = (cap_handle_t)ready_send, c = 0;
	long r = st_spawn_attacker("squatter", &extra, 1, &proc);
	long bits = r == 0 ? orb_ntfn_wait((cap_handle_t)ready, ST_CALL_NS) : r;
	long before = ns_lookup("st.squat", &c);
	if (before == 0)
		orb_cap_delete(c);
	st_check(bits > 0 && before == 0, "a program registers \"st.squat\" (%ld, %ld)", bits,
		 before);
	if (r == 0) {
		orb_proc_kill(proc);
		orb_proc_wait(proc, ST_ATTACK_WAIT_NS);
		orb_cap_delete(proc);
	}
	/* The name server learns of the death through its watch: bounded wait. */
	long after = 0;
	for (int i = 0; i < 500 && after == 0; i++) {
		after = ns_lookup("st.squat", &c);
		if (after == 0) {
			orb_cap_delete(c);
			orb_sleep(ST_MS(10));
		}
	}
	st_check(after == -ERR_NOENT, "killed, its name is gone (%ld)", after);
	orb_cap_delete((cap_handle_t)ready_send);
	orb_cap_delete((cap_handle_t)ready);
}

static void st_attack(void)
{
	long adm = orb_cap_derive(init_ep, CAP_RIGHT_SEND, INIT_BADGE_ADMIN);
	st_init = adm > 0 ? (cap_handle_t)adm : 0;
	st_attack_names();
	st_attack_vfs_dead();
	st_attack_ns_dead();
}

int init_selftest(const char *which)
{
	bool attack = strcmp(which, "attack") == 0, overlap = strcmp(which, "overlap") == 0;
	bool absent = strcmp(which, "absent") == 0;
	if (strcmp(which, "restart") != 0 && !attack && !overlap && !absent) {
		printf("init: unknown init.test=%s\n", which);
		return 1;
	}
	long r = init_svcs_setup(false);
	if (r < 0) {
		printf("init: cannot set up the services: error %ld\n", r);
		return 1;
	}
	init_svcs_start_all();
	r = orb_thread_spawn(init_serve, NULL, 0, NULL);
	if (st_check(r == 0, "the init protocol server thread starts") && init_ns_client)
		attack ? st_attack() : overlap ? st_overlap() : absent ? st_absent() : st_run();

	init_svcs_stop_all();
	struct st_svc s;
	for (unsigned i = 0; st_list(i, &s) == 0; i++)
		st_check(s.pid == 0 && s.state != INIT_SVC_RUNNING &&
			     s.state != INIT_SVC_RESTARTING,
			 "after stopping: %s is %s", s.name, init_state_name(s.state));
	if (st_init)
		orb_cap_delete(st_init);
	/* Only the main thread is left when init exits (every waiter has finished). */
	init_serve_stop();
	printf("init.test: %d passed, %d failed\n", st_pass, st_fail);
	return st_fail ? 1 : 0;
}
