/*
 * mkdir DIR...: creates directories through the VFS (only /tmp is writable).
 */
#include "cmd.h"

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		printf("usage: mkdir DIR...\n");
		return 2;
	}
	if (cmd_vfs("mkdir") < 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		long r = vfs_mkdir(argv[i]);
		if (r < 0) {
			printf("mkdir: %s: %s\n", argv[i], cmd_strerror(r));
			status = 1;
		}
	}
	return status;
}
