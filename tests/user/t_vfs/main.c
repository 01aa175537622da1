/*
 * t_vfs: the VFS server (user/bin/vfs) and its client library (<orb/vfs.h>),
 * on -smp 1 and 4.
 *
 * Run as init (`test=user init=t_vfs`). init starts the server with the boot
 * archive's Memory capability and an endpoint [RECV], then:
 *   - as a client itself (badge 1): ls of /bin against the archive's own
 *     listing, cat of /etc/motd and of /bin/hello against the archive's bytes,
 *     create / write / read back / append / truncate in /tmp, mkdir and
 *     unlink, the errors (ENOENT, writing /bin and /etc, the read-only root,
 *     access modes, long names, relative paths, mount points, unknown labels,
 *     unattached and unbadged callers), a 100 KiB file through the 64 KiB
 *     shared buffer;
 *   - two client processes A and B (badges 2 and 3) at once: A opens fds, B
 *     finds it cannot use those numbers (each client has its own table) and
 *     gets its own; both then hammer their own files concurrently;
 *   - crashes: a client that dies with a file open and a process that never
 *     talked to the server; the files in /tmp and the server survive, and
 *     the dead client's record is freed (its badge attaches again);
 *   - ATTACH needs the client's Process [READ]; one process attaches and
 *     detaches 70 times (the server watches it once, not per session);
 *   - at the end the server is killed and everything is handed back (the
 *     kernel's harness checks processes, threads and free frames).
 *
 * This file has the child processes' roles, the concurrent clients, the
 * crashes and main; files.c has init's own checks as a client (ls, cat, /tmp,
 * the errors, the big file) and the file helpers (vfs_test.h between them).
 */
#include <stdlib.h>
#include "vfs_test.h"

/* ---- The roles of child processes. ---- */

/* Client A: opens fds, lets B try the same numbers, then checks that its fds are intact. */
static int t_client_a(void)
{
	cap_handle_t ep = orb_start_cap(0), ready = orb_start_cap(1), b_checked = orb_start_cap(2);
	char buf[128];
	struct orb_stat st;

	T_ERR("A: attach", vfs_attach(ep), 0);
	T_EQ("A: open /etc/motd is fd 0", vfs_open("/etc/motd", O_RDONLY), 0);
	T_EQ("A: open /tmp/a.txt is fd 1", vfs_open("/tmp/a.txt", O_RDWR | O_CREAT | O_TRUNC), 1);
	T_EQ("A: write fd 1", vfs_write(1, "from A", 6), 6);
	orb_ntfn_signal(ready, 1);
	T_EQX("A: B has done its checks", orb_ntfn_wait(b_checked, T_WAIT_NS), 1);
	/* B runs the same loop now, on its own file: the server interleaves the two clients. */
	T_EQ("A: concurrent stress: mismatches", t_stress("/tmp/a-stress", 0xa, T_STRESS_ROUNDS),
	     0);
	/* B's reads, seeks and closes of "fd 0" and "fd 1" must not have touched ours. */
	T_ERR("A: fstat fd 0", vfs_fstat(0, &st), 0);
	long n = vfs_read(0, buf, sizeof(buf));
	T_EQ("A: fd 0 reads /etc/motd from its start", n, (long)st.size);
	T_CHECK(n > 0 && memcmp(buf, "Welcome", 7) == 0,
		"A: fd 0 content starts 'Welcome' (%ld bytes)", n);
	T_EQ("A: seek fd 1 to 0", vfs_seek(1, 0, VFS_SEEK_SET), 0);
	n = vfs_read(1, buf, sizeof(buf));
	T_CHECK(n == 6 && memcmp(buf, "from A", 6) == 0, "A: fd 1 reads back 'from A' (%ld bytes)",
		n);
	T_ERR("A: close fd 0", vfs_close(0), 0);
	T_ERR("A: close fd 1", vfs_close(1), 0);
	T_ERR("A: detach", vfs_detach(), 0);
	return t_nfail ? 1 : 0;
}

/* Client B: A's fd numbers mean nothing here; B gets its own. */
static int t_client_b(void)
{
	cap_handle_t ep = orb_start_cap(0), b_checked = orb_start_cap(1);
	char buf[16];
	struct orb_stat st;

	T_ERR("B: attach", vfs_attach(ep), 0);
	for (int fd = 0; fd < 3; fd++) {
		char what[64];
		snprintf(what, sizeof(what), "B: read of fd %d (A's, not ours)", fd);
		T_ERR(what, vfs_read(fd, buf, sizeof(buf)), -ERR_BADCAP);
		snprintf(what, sizeof(what), "B: write to fd %d", fd);
		T_ERR(what, vfs_write(fd, "x", 1), -ERR_BADCAP);
		snprintf(what, sizeof(what), "B: seek of fd %d", fd);
		T_ERR(what, vfs_seek(fd, 3, VFS_SEEK_SET), -ERR_BADCAP);
		snprintf(what, sizeof(what), "B: fstat of fd %d", fd);
		T_ERR(what, vfs_fstat(fd, &st), -ERR_BADCAP);
		snprintf(what, sizeof(what), "B: close of fd %d", fd);
		T_ERR(what, vfs_close(fd), -ERR_BADCAP);
	}
	T_ERR("B: fd -1", vfs_close(-1), -ERR_BADCAP);
	T_ERR("B: fd VFS_FD_MAX", vfs_close(VFS_FD_MAX), -ERR_BADCAP);
	T_EQ("B: B's first open is B's fd 0", vfs_open("/tmp/b.txt", O_WRONLY | O_CREAT), 0);
	T_EQ("B: write", vfs_write(0, "from B", 6), 6);
	T_ERR("B: close", vfs_close(0), 0);
	orb_ntfn_signal(b_checked, 1);
	T_EQ("B: concurrent stress: mismatches", t_stress("/tmp/b-stress", 0xb, T_STRESS_ROUNDS),
	     0);
	T_ERR("B: detach", vfs_detach(), 0);
	return t_nfail ? 1 : 0;
}

/* A client that dies holding an open file (status ORB_EXIT_FAULT). */
static int t_crasher(bool attach)
{
	if (attach) {
		if (vfs_attach(orb_start_cap(0)) != 0 ||
		    vfs_open("/tmp/persist.txt", O_RDONLY) < 0 ||
		    t_put("/tmp/crash.txt", "before crash", 12) != 0)
			return 1;
		vfs_open("/tmp/crash.txt", O_RDWR);
	}
	*(volatile uint64_t *)(uintptr_t)0x1000 = 1; /* unmapped: the kernel kills us */
	return 2;
}
static void t_check_clients(cap_handle_t ep)
{
	long ready = orb_ntfn_create(), b_checked = orb_ntfn_create();
	long ea = orb_cap_derive(ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_A);
	long eb = orb_cap_derive(ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_B);
	cap_handle_t pa = 0, pb = 0, caps[3];
	char buf[16];
	long r;

	caps[0] = (cap_handle_t)ea;
	caps[1] = (cap_handle_t)ready;
	caps[2] = (cap_handle_t)b_checked;
	r = t_spawn_role("t_vfs", "client_a", NULL, caps, 3, &pa);
	T_ERR("spawn client A", r, 0);
	if (r == 0) {
		T_EQX("A has its fds open", orb_ntfn_wait((cap_handle_t)ready, T_WAIT_NS), 1);
		caps[0] = (cap_handle_t)eb;
		caps[1] = (cap_handle_t)b_checked;
		r = t_spawn_role("t_vfs", "client_b", NULL, caps, 2, &pb);
		T_ERR("spawn client B", r, 0);
		if (r != 0)
			orb_ntfn_signal((cap_handle_t)b_checked, 1); /* let A finish */
		T_EQ("client A: exit status", t_wait_and_drop(pa), 0);
		if (r == 0)
			T_EQ("client B: exit status", t_wait_and_drop(pb), 0);
	}
	/* One name space: what A and B wrote is visible to init. */
	memset(buf, 0, sizeof(buf));
	T_EQ("init reads A's file", t_slurp("/tmp/a.txt", buf, sizeof(buf)), 6);
	T_CHECK(strcmp(buf, "from A") == 0, "A's file says 'from A' ('%s')", buf);
	memset(buf, 0, sizeof(buf));
	T_EQ("init reads B's file", t_slurp("/tmp/b.txt", buf, sizeof(buf)), 6);
	T_CHECK(strcmp(buf, "from B") == 0, "B's file says 'from B' ('%s')", buf);
	orb_cap_delete((cap_handle_t)ea);
	orb_cap_delete((cap_handle_t)eb);
	orb_cap_delete((cap_handle_t)ready);
	orb_cap_delete((cap_handle_t)b_checked);
}

static void t_check_crash(cap_handle_t ep)
{
	static uint8_t data[4096], back[4096 + 8];
	long ec = orb_cap_derive(ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_CRASH);
	cap_handle_t proc = 0, caps[1] = {(cap_handle_t)ec};
	char buf[32];
	long r;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = t_pattern(0x77, i);
	T_ERR("write /tmp/persist.txt", t_put("/tmp/persist.txt", data, sizeof(data)), 0);

	r = t_spawn_role("t_vfs", "crasher", "attach", caps, 1, &proc);
	T_ERR("spawn a client that crashes with files open", r, 0);
	if (r == 0)
		T_EQ("that client died of its fault", t_wait_and_drop(proc), ORB_EXIT_FAULT);
	r = t_spawn_role("t_vfs", "crasher", NULL, NULL, 0, &proc);
	T_ERR("spawn an unrelated process that crashes", r, 0);
	if (r == 0)
		T_EQ("it died of its fault", t_wait_and_drop(proc), ORB_EXIT_FAULT);

	T_EQ("/tmp/persist.txt survives: size", t_slurp("/tmp/persist.txt", back, sizeof(back)),
	     sizeof(data));
	T_CHECK(memcmp(back, data, sizeof(data)) == 0, "/tmp/persist.txt survives: the same bytes");
	memset(buf, 0, sizeof(buf));
	T_EQ("the dead client's file survives", t_slurp("/tmp/crash.txt", buf, sizeof(buf)), 12);
	T_CHECK(strcmp(buf, "before crash") == 0, "... with its bytes ('%s')", buf);
	T_ERR("the server still serves: rm /tmp/crash.txt", vfs_unlink("/tmp/crash.txt"), 0);

	/* The dead client's record is gone: its badge attaches again (not EXIST). */
	long mem = orb_mem_create(VFS_SHM_DEFAULT);
	long self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	struct ipc_buffer *ib = orb_ipc_buf();
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	ib->send_caps[0] = (cap_handle_t)mem;
	ib->send_caps[1] = (cap_handle_t)self;
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT;
	r = orb_call((cap_handle_t)ec, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == 0,
		"the dead client's badge attaches again: its record was freed (%ld / %ld)", r,
		(long)m.w[0]);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_DETACH, 0, 0);
	r = orb_call((cap_handle_t)ec, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == 0, "... and detaches (%ld / %ld)", r, (long)m.w[0]);
	orb_cap_delete((cap_handle_t)self);
	orb_cap_delete((cap_handle_t)mem);
	orb_cap_delete((cap_handle_t)ec);
}

/* One process attaches and detaches again and again: it is watched once, not each time. */
static void t_check_reattach(cap_handle_t mine)
{
	int ok = 0;
	for (int i = 0; i < T_REATTACH; i++)
		ok += vfs_detach() == 0 && vfs_attach(mine) == 0;
	T_EQ("detach and attach again, many times over", ok, T_REATTACH);
	T_ERR("the last session serves", vfs_stat("/etc/motd", &(struct orb_stat){0}), 0);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "client_a"))
		return t_client_a();
	if (t_role_is(argc, argv, "client_b"))
		return t_client_b();
	if (t_role_is(argc, argv, "crasher"))
		return t_crasher(argc > 2 && argv[2] && strcmp(argv[2], "attach") == 0);

	const struct orb_init_info *info = orb_init_info();
	printf("t_vfs: %u CPUs\n", t_sysinfo().ncpus);
	if (!info) {
		T_CHECK(false, "t_vfs runs as init");
		return t_finish("t_vfs");
	}

	/* The server: an endpoint [RECV] and the boot archive; its size as argv[1]. */
	long ep = orb_endpoint_create();
	long srv_ep = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_RECV, 0);
	char size_arg[24];
	snprintf(size_arg, sizeof(size_arg), "%llu", (unsigned long long)info->bootfs_size);
	const char *sargv[] = {"vfs", size_arg, NULL};
	cap_handle_t scaps[2] = {(cap_handle_t)srv_ep, info->bootfs}, server = 0;
	struct orb_spawn_args a;
	size_t esize = 0;
	memset(&a, 0, sizeof(a));
	a.name = "vfs";
	a.elf = t_find_prog("vfs", &esize);
	a.elf_size = esize;
	a.argv = sargv;
	a.caps = scaps;
	a.ncaps = 2;
	a.prio = T_PRIO;
	long r = a.elf ? orb_spawn(&a, &server) : -ERR_NOENT;
	T_ERR("spawn the vfs server", r, 0);
	orb_cap_delete((cap_handle_t)srv_ep);
	if (r != 0)
		return t_finish("t_vfs");

	/* The unbadged capability is refused as a client. */
	struct orb_msg m;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_STAT, 4, 0);
	r = orb_call((cap_handle_t)ep, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_PERM,
		"a request through the unbadged cap: %ld / %ld", r, (long)m.w[0]);
	T_ERR("vfs_stat before attaching", vfs_stat("/etc/motd", &(struct orb_stat){0}), -ERR_PERM);

	long mine =
	    orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_INIT);
	T_ERR("attach (badge 1)", vfs_attach((cap_handle_t)mine), 0);
	t_check_ls_cat();
	t_check_tmp();
	t_check_errors((cap_handle_t)mine, (cap_handle_t)ep);
	t_check_big();
	t_check_clients((cap_handle_t)ep);
	t_check_crash((cap_handle_t)ep);
	t_check_reattach((cap_handle_t)mine);

	T_ERR("detach", vfs_detach(), 0);
	T_ERR("a request after detaching", vfs_stat("/etc/motd", &(struct orb_stat){0}), -ERR_PERM);
	T_ERR("kill the server", orb_proc_kill(server), 0);
	T_EQ("server: exit status", t_wait_and_drop(server), ORB_EXIT_KILLED);
	orb_cap_delete((cap_handle_t)mine);
	orb_cap_delete((cap_handle_t)ep);
	return t_finish("t_vfs");
}
