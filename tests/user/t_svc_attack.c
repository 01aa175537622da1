/*
 * t_svc_attack: an ordinary program attacks the system's services.
 *
 * Started by init's self-test (`init.test=attack`, user/bin/init/selftest.c)
 * with what the shell gives any command, a name-service client capability
 * of its own, and nothing else of authority: start capability 0 = the name
 * service, 1 = a Notification [SEND] to tell init it is hammering, 2 = a
 * Notification [RECV] on which init tells it to stop. As role "attacker"
 * it checks that
 *   - the kernel log cannot be read (SYS_LOG_READ: -ERR_PERM with no
 *     capability, or with any capability it holds);
 *   - init refuses to list, kill or power off for it (-ERR_PERM);
 *   - the console refuses it a typed line and the foreground (-ERR_PERM),
 *     while its writes are served;
 *   - "vfs", "console" and "init" cannot be registered by it, before and
 *     while init kills and restarts the name server (it keeps registering
 *     its own endpoint under those names the whole time), and afterwards
 *     each name still leads to the real service: a call through it is
 *     answered (by nobody, if the name led to the attacker's endpoint);
 *   - a name of its own can be registered and removed many times over (the
 *     name server watches the registrant once, not at each registration).
 * As role "vfs-client" (also started by init) it attaches to the VFS with
 * start capability 0, opens a file, tells init (start capability 1, a
 * Notification [SEND]) and waits to be killed: the VFS must forget it. As
 * role "squatter" it registers the name "st.squat", tells init and waits to
 * be killed: the name server must drop the name.
 *
 * Every call that could wait is bounded (T_CALL_NS). Output: "ok: ..." /
 * "FAIL: ..." lines, then "t_svc_attack: N passed, N failed"; the exit
 * status is 0 when nothing failed.
 */
#include <orb/ns.h>
#include <orb/proto/console.h>
#include <orb/proto/init.h>
#include <orb/proto/vfs.h>
#include <orb/vfs.h>
#include "t_check.h"

#define T_CALL_NS     T_MS(2000)
#define T_STOP_BIT    1ull
#define T_NAME_ROUNDS 70 /* more than the kernel's watches on one process */

static const char *const t_names[] = {"vfs", "console", "init"};
#define T_NNAMES (sizeof(t_names) / sizeof(t_names[0]))

/* One call with words w0, w1 through ep, bounded; the IPC error or the reply's w0. */
static long t_call(cap_handle_t ep, uint32_t label, uint64_t w0, uint64_t w1)
{
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(label, 2, 0);
	m.w[0] = w0;
	m.w[1] = w1;
	long r = orb_call(ep, &m, T_CALL_NS);
	return r < 0 ? r : (long)m.w[0];
}

static void t_log(void)
{
	uint64_t pos = 0;
	char buf[64];
	T_ERR("SYS_LOG_READ without a capability",
	      orb_syscall4(SYS_LOG_READ, 0, (long)&pos, (long)buf, sizeof(buf)), -ERR_PERM);
	for (unsigned i = 0; i < orb_start_ncaps(); i++)
		T_ERR("SYS_LOG_READ with a start capability",
		      orb_syscall4(SYS_LOG_READ, orb_start_cap(i), (long)&pos, (long)buf,
				   sizeof(buf)),
		      -ERR_PERM);
	T_ERR("SYS_LOG_READ with our own Process capability",
	      orb_syscall4(SYS_LOG_READ, orb_self(), (long)&pos, (long)buf, sizeof(buf)),
	      -ERR_PERM);
}

static void t_init(void)
{
	cap_handle_t init = 0;
	T_EQ("lookup(init)", ns_lookup("init", &init), 0);
	T_ERR("INIT_LIST", t_call(init, INIT_LIST, 0, 0), -ERR_PERM);
	/* pid 2 is the first service init starts (the name server): it must stay up. */
	T_ERR("INIT_KILL of a service", t_call(init, INIT_KILL, 2, 0), -ERR_PERM);
	T_ERR("INIT_POWER halt", t_call(init, INIT_POWER, INIT_POWER_HALT, 0), -ERR_PERM);
	orb_cap_delete(init);
}

static void t_console(void)
{
	cap_handle_t con = 0;
	T_EQ("lookup(console)", ns_lookup(CON_NS_NAME, &con), 0);
	/* Without the rule, the read would wait for the user's next line (and time out). */
	T_ERR("CON_READLINE", t_call(con, CON_READLINE, 16, 0), -ERR_PERM);
	T_ERR("CON_SET_FG (clearing the foreground)", t_call(con, CON_SET_FG, 0, 0), -ERR_PERM);
	T_EQ("CON_WRITE is served", t_call(con, CON_WRITE, 1, '\n'), 1);
	orb_cap_delete(con);
}

/* Tries to register ep under each of init's names; counts the successes. */
static unsigned t_register_all(cap_handle_t ep, long *last)
{
	unsigned won = 0;
	for (unsigned i = 0; i < T_NNAMES; i++) {
		long r = ns_register(t_names[i], ep);
		won += r == 0;
		*last = r;
	}
	return won;
}

/* The name leads to the real service: a call through it is answered as that service would. */
static void t_reaches_real(const char *name)
{
	cap_handle_t ep = 0;
	long r = ns_lookup(name, &ep);
	T_EQ("lookup after the name server's restart", r, 0);
	if (r != 0)
		return;
	if (strcmp(name, "vfs") == 0)
		r = t_call(ep, VFS_OP_STAT, 0, 1); /* not attached: the VFS says PERM */
	else if (strcmp(name, "console") == 0)
		r = t_call(ep, CON_WRITE, 1, '\n') == 1 ? -ERR_PERM : -ERR_INVAL;
	else
		r = t_call(ep, INIT_LIST, 0, 0); /* not the administrator: PERM */
	T_CHECK(r == -ERR_PERM, "\"%s\" still leads to the real service (%ld: %s)", name, r,
		t_errname(r));
	orb_cap_delete(ep);
}

static int t_attacker(void)
{
	cap_handle_t go = orb_start_cap(1), stop = orb_start_cap(2);
	t_log();
	t_init();
	t_console();

	long ep = orb_endpoint_create();
	long pub =
	    ep < 0 ? ep : orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	T_OK("an endpoint of our own to publish", pub);
	long last = 0;
	unsigned won = t_register_all((cap_handle_t)pub, &last);
	T_CHECK(won == 0 && last == -ERR_EXIST, "registering init's names: EXIST (%ld)", last);
	/* Hammer while init kills the name server and starts a new one, until told to stop. */
	orb_ntfn_signal(go, 1);
	unsigned rounds = 0, total_won = 0;
	uint64_t t0 = orb_clock();
	while (orb_clock() - t0 < T_WAIT_NS) {
		long bits = orb_ntfn_wait(stop, IPC_TIMEOUT_POLL);
		if (bits > 0 && (bits & T_STOP_BIT))
			break;
		total_won += t_register_all((cap_handle_t)pub, &last);
		rounds++;
	}
	T_CHECK(total_won == 0, "no name of init's registered in %u rounds across the restart",
		rounds);
	for (unsigned i = 0; i < T_NNAMES; i++)
		t_reaches_real(t_names[i]);
	/* A name of its own, registered and removed again and again: one watch of us serves. */
	int ok = 0;
	for (int i = 0; i < T_NAME_ROUNDS; i++)
		ok +=
		    ns_register("st.loop", (cap_handle_t)pub) == 0 && ns_unregister("st.loop") == 0;
	T_EQ("a name of its own registered and removed, many times over", ok, T_NAME_ROUNDS);
	orb_cap_delete((cap_handle_t)pub);
	orb_cap_delete((cap_handle_t)ep);
	return t_finish("t_svc_attack");
}

/* A VFS client that dies attached, with a file open. */
static int t_vfs_client(void)
{
	cap_handle_t vfs = 0;
	long r = ns_lookup("vfs", &vfs);
	if (r == 0)
		r = vfs_attach(vfs);
	long fd = r == 0 ? vfs_open("/etc/motd", O_RDONLY) : r;
	if (r != 0 || fd < 0) {
		printf("t_svc_attack: vfs-client: attach %ld, open %ld\n", r, fd);
		return 1;
	}
	orb_ntfn_signal(orb_start_cap(1), 1);
	orb_sleep(T_WAIT_NS); /* killed meanwhile */
	return 2;
}

/* A program that registers a name of its own and dies: the name must go with it. */
static int t_squatter(void)
{
	long ep = orb_endpoint_create();
	long pub =
	    ep < 0 ? ep : orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	long r = pub < 0 ? pub : ns_register("st.squat", (cap_handle_t)pub);
	if (r != 0) {
		printf("t_svc_attack: squatter: register %ld\n", r);
		return 1;
	}
	orb_ntfn_signal(orb_start_cap(1), 1);
	orb_sleep(T_WAIT_NS); /* killed meanwhile */
	return 2;
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "vfs-client"))
		return t_vfs_client();
	if (t_role_is(argc, argv, "squatter"))
		return t_squatter();
	return t_attacker();
}
