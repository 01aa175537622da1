/*
 * rm PATH...: removes files and empty directories through the VFS.
 */
#include "cmd.h"

int main(int argc, char **argv)
{
	return cmd_each_path(argc, argv, "rm", "PATH...", vfs_unlink);
}
