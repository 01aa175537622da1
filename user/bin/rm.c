/*
 * rm PATH...: removes files and empty directories through the VFS.
 */
#include "cmd.h"

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		printf("usage: rm PATH...\n");
		return 2;
	}
	if (cmd_vfs("rm") < 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		long r = vfs_unlink(argv[i]);
		if (r < 0) {
			printf("rm: %s: %s\n", argv[i], cmd_strerror(r));
			status = 1;
		}
	}
	return status;
}
