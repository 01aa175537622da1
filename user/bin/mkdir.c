/*
 * mkdir DIR...: creates directories through the VFS (only /tmp is writable).
 */
#include "cmd.h"

int main(int argc, char **argv)
{
	return cmd_each_path(argc, argv, "mkdir", "DIR...", vfs_mkdir);
}
