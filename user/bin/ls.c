/*
 * ls [PATH...]: lists directories (one entry a line: size, then the name,
 * directories with a trailing '/'), or describes a file. Without PATH: "/".
 */
#include "cmd.h"

static void ls_line(const char *name, uint32_t type, uint64_t size)
{
	bool dir = type == VFS_TYPE_DIR;
	printf("%8llu  %s%s\n", (unsigned long long)size, name, dir ? "/" : "");
}

static int ls_path(const char *path)
{
	struct orb_stat st;
	long r = vfs_stat(path, &st);
	if (r < 0) {
		printf("ls: %s: %s\n", path, cmd_strerror(r));
		return 1;
	}
	if (st.type != VFS_TYPE_DIR) {
		ls_line(path, st.type, st.size);
		return 0;
	}
	long fd = vfs_open(path, O_RDONLY);
	if (fd < 0) {
		printf("ls: %s: %s\n", path, cmd_strerror(fd));
		return 1;
	}
	struct orb_dirent ent;
	while ((r = vfs_readdir((int)fd, &ent)) > 0)
		ls_line(ent.name, ent.type, ent.size);
	vfs_close((int)fd);
	if (r < 0) {
		printf("ls: %s: %s\n", path, cmd_strerror(r));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	if (cmd_vfs("ls") < 0)
		return 1;
	if (argc < 2)
		return ls_path("/");
	for (int i = 1; i < argc; i++) {
		if (argc > 2)
			printf("%s%s:\n", i > 1 ? "\n" : "", argv[i]);
		status |= ls_path(argv[i]);
	}
	return status;
}
