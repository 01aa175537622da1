/*
 * kill PID...: asks init to kill one of its services (INIT_KILL; the pid is
 * init's, as the SERVICE table of `ps` shows). Init then restarts it like any
 * service that died.
 */
#include <stdlib.h>
#include "cmd.h"

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		printf("usage: kill PID...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long pid = strtoul(argv[i], &end, 10);
		if (*argv[i] == '\0' || *end != '\0' || pid == 0 || pid > 0xffffffffu) {
			printf("kill: %s: not a pid\n", argv[i]);
			status = 1;
			continue;
		}
		struct orb_msg m = {0};
		m.w[0] = pid;
		long r = cmd_init_call(INIT_KILL, 1, &m);
		if (r == -ERR_NOENT)
			printf("kill: %lu: no such service (see ps)\n", pid);
		else if (r < 0)
			printf("kill: %lu: %s\n", pid, cmd_strerror(r));
		status |= r < 0;
	}
	return status;
}
