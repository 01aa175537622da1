/*
 * init: the first process, started by the kernel from the boot archive with
 * every initial capability (struct orb_init_info). It prints "init: started,
 * N files in the boot archive", then, by the kernel command line:
 *
 *   run=NAME        runs /bin/NAME alone (argv { NAME }), waits for it,
 *                   prints "init: NAME exited with status N" and exits 0
 *                   (1 if it could not run it): how user tests may start;
 *   init.test=WHAT  starts the services without the shell and checks them
 *                   (selftest.c), stops them all and exits 0 if every check
 *                   passed;
 *   otherwise       starts the system from the start-up table (table.c):
 *                   the services, restarted when they die (svc.c), then the
 *                   shell, and serves the init protocol (serve.c) for ever.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "init.h"

#define INIT_NAME_MAX 64

/* Copies the value of key=VALUE on cmdline into out; false if absent or too long. */
static bool init_cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		size_t n = 0;
		while (p[n] && p[n] != ' ')
			n++;
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = n - klen - 1;
			if (vlen == 0 || vlen >= size)
				return false;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = 0;
			return true;
		}
		p += n;
	}
	return false;
}

const char *init_status_text(long status, char *buf, size_t size)
{
	if (status == ORB_EXIT_KILLED)
		snprintf(buf, size, "killed (status %ld)", status);
	else if (status == ORB_EXIT_FAULT)
		snprintf(buf, size, "fault (status %ld)", status);
	else if (status < 0)
		snprintf(buf, size, "wait failed (error %ld)", status);
	else
		snprintf(buf, size, "exited with status %ld", status);
	return buf;
}

static int init_run(const char *name)
{
	char path[INIT_NAME_MAX + 8];
	snprintf(path, sizeof(path), "/bin/%s", name);
	const char *argv[] = {name, NULL};
	cap_handle_t proc;
	long rc = orb_spawn_path(path, argv, NULL, 0, &proc);
	if (rc < 0) {
		printf("init: cannot start %s: error %ld\n", path, rc);
		return 1;
	}
	long status = orb_proc_wait(proc, IPC_TIMEOUT_NEVER);
	orb_cap_delete(proc);
	if (status < 0) {
		printf("init: waiting for %s failed: error %ld\n", name, status);
		return 1;
	}
	printf("init: %s exited with status %ld\n", name, status);
	return 0;
}

int main(void)
{
	const struct orb_init_info *info = orb_init_info();
	if (!info) {
		printf("init: not started by the kernel (no init info)\n");
		return 1;
	}
	long files = orb_bootfs_each(NULL, NULL);
	if (files < 0) {
		printf("init: started, but the boot archive is unusable: error %ld\n", files);
		return 1;
	}
	printf("init: started, %ld files in the boot archive\n", files);

	char name[INIT_NAME_MAX];
	if (init_cmdline_get(info->cmdline, "run", name, sizeof(name)))
		return init_run(name);
	if (init_cmdline_get(info->cmdline, "init.test", name, sizeof(name)))
		return init_selftest(name);

	long r = init_svcs_setup(true);
	if (r < 0) {
		printf("init: cannot set up the services: error %ld\n", r);
		return 1;
	}
	init_svcs_start_all();
	init_watchdog_start();
	init_serve(NULL); /* for ever */
	return 0;
}
