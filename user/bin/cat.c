/*
 * cat FILE...: copies each file to standard output, in 4 KiB reads.
 */
#include "cmd.h"

#define CAT_CHUNK 4096

static char cat_buf[CAT_CHUNK];

/* Writes n bytes; printf stops at a NUL, so NUL bytes go one by one. */
static void cat_out(const char *s, size_t n)
{
	while (n) {
		size_t k = strnlen(s, n);
		if (k)
			printf("%.*s", (int)k, s);
		if (k < n) {
			putchar(0);
			k++;
		}
		s += k;
		n -= k;
	}
}

static int cat_file(const char *path)
{
	long fd = vfs_open(path, O_RDONLY);
	if (fd < 0) {
		printf("cat: %s: %s\n", path, cmd_strerror(fd));
		return 1;
	}
	long n;
	while ((n = vfs_read((int)fd, cat_buf, sizeof(cat_buf))) > 0)
		cat_out(cat_buf, (size_t)n);
	vfs_close((int)fd);
	if (n < 0) {
		printf("cat: %s: %s\n", path, n == -ERR_INVAL ? "is a directory" : cmd_strerror(n));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		printf("usage: cat FILE...\n");
		return 2;
	}
	if (cmd_vfs("cat") < 0)
		return 1;
	for (int i = 1; i < argc; i++)
		status |= cat_file(argv[i]);
	return status;
}
