/*
 * What the shell's commands (user/bin/{ls,cat,mkdir,rm,ps,kill,...}.c) share:
 * error messages, the connection to the VFS and calls to init. Each command
 * is its own program; it is started by the shell with the name-service
 * capability as start capability 0 (user/README.md, "Process start-up"),
 * so every service is found by name.
 *
 * Static inline so that each program links only what it uses; nothing here
 * keeps state beyond the library's own (the VFS connection).
 */
#ifndef ORB_BIN_CMD_H
#define ORB_BIN_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <orb/ns.h>
#include <orb/proto/init.h>
#include <orb/spawn.h>
#include <orb/vfs.h>

/* A short text for an error code (err negative, as returned). */
static inline const char *cmd_strerror(long err)
{
	static const char *const text[] = {
	    [ERR_OK] = "ok",
	    [ERR_NOMEM] = "out of memory",
	    [ERR_INVAL] = "invalid argument",
	    [ERR_RANGE] = "out of range",
	    [ERR_EXIST] = "already exists",
	    [ERR_NOENT] = "no such file or directory",
	    [ERR_FAULT] = "bad address",
	    [ERR_PERM] = "permission denied",
	    [ERR_BADCAP] = "bad capability",
	    [ERR_TIMEOUT] = "timed out",
	    [ERR_BUSY] = "busy (not empty, or in use)",
	    [ERR_NOSYS] = "not supported",
	    [ERR_FORMAT] = "malformed",
	    [ERR_AGAIN] = "try again",
	    [ERR_NOSPACE] = "no space left",
	    [ERR_CLOSED] = "service gone",
	    [ERR_QUOTA] = "quota exceeded",
	    [ERR_DEAD] = "process has exited",
	};
	long e = -err;
	return e >= 0 && e <= ERR_MAX ? text[e] : "unknown error";
}

/* Connects to the VFS ("vfs" in the name service); prints why not as PROG. */
static inline long cmd_vfs(const char *prog)
{
	cap_handle_t ep;
	long r = ns_lookup("vfs", &ep);
	if (r < 0) {
		printf("%s: no file system: %s\n", prog, cmd_strerror(r));
		return r;
	}
	r = vfs_attach(ep);
	if (r == -ERR_EXIST) /* standard output is a file: attached already */
		r = 0;
	if (r < 0) {
		orb_cap_delete(ep);
		printf("%s: cannot attach to the file system: %s\n", prog, cmd_strerror(r));
	}
	return r;
}

/*
 * The whole of a command that applies one VFS call to each of its arguments
 * (mkdir, rm): a usage line when there are none, else op(path) for each,
 * with a line for each failure; both name the command prog. Returns the exit
 * status: 0, 1 if any failed, 2 for no arguments.
 */
static inline int cmd_each_path(int argc, char **argv, const char *prog, const char *usage,
				long (*op)(const char *path))
{
	int status = 0;
	if (argc < 2) {
		printf("usage: %s %s\n", prog, usage);
		return 2;
	}
	if (cmd_vfs(prog) < 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		long r = op(argv[i]);
		if (r < 0) {
			printf("%s: %s: %s\n", prog, argv[i], cmd_strerror(r));
			status = 1;
		}
	}
	return status;
}

/*
 * One call to init (<orb/proto/init.h>): m holds the words to send
 * (nwords of them), the reply comes back in m. Returns the IPC error or the
 * reply's w0.
 */
static inline long cmd_init_call(uint32_t label, unsigned nwords, struct orb_msg *m)
{
	/* Init serves these only through its administrator capability, which the shell gives
	 * ps, kill, halt and reboot as start capability 1; without it, init says -ERR_PERM. */
	static cap_handle_t init_ep;
	if (!init_ep)
		init_ep = orb_start_cap(1);
	if (!init_ep) {
		long r = ns_lookup("init", &init_ep);
		if (r < 0)
			return r;
	}
	m->tag = IPC_TAG(label, nwords, 0);
	long r = orb_call(init_ep, m, IPC_TIMEOUT_NEVER);
	return r < 0 ? r : (long)m->w[0];
}

/* halt and reboot: asks init, which holds the one capability the kernel's power
 * call needs, for INIT_POWER_HALT or INIT_POWER_REBOOT. Returns only if init
 * refused or cannot be reached (the program's exit status: 1). */
static inline int cmd_power(uint64_t op, const char *name)
{
	struct orb_msg m = {0};
	m.w[0] = op;
	printf("%s: asking init\n", name);
	fflush_stdout();
	long r = cmd_init_call(INIT_POWER, 1, &m);
	if (r < 0)
		printf("%s: %s\n", name, cmd_strerror(r));
	else
		printf("%s: init answered %ld and did not power off\n", name, r);
	return 1;
}

#endif
