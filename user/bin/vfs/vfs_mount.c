/*
 * Canonical paths and the mount table (the rules are in vfs_mount.h).
 */
#include <string.h>
#include <orbital/errors.h>
#include "vfs_mount.h"

int vfs_path_canon(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p = in;

	if (!in || in[0] != '/')
		return -ERR_INVAL;
	if (outlen < 2)
		return -ERR_RANGE;
	for (;;) {
		const char *c;
		size_t len = vfs_path_next(&p, &c);
		if (!len)
			break;
		if (len >= VFS_NAME_MAX)
			return -ERR_RANGE;
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (o > 0 && out[o - 1] != '/') /* drop the last component */
				o--;
			if (o > 0)
				o--; /* and its '/' */
			continue;
		}
		if (o + 1 + len + 1 > outlen)
			return -ERR_RANGE;
		out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

int vfs_mount_add(struct vfs_mount_table *t, const char *path, const struct vfs_backend_ops *ops,
		  void *fs)
{
	size_t len = strlen(path);

	if (len >= VFS_PATH_MAX || path[0] != '/')
		return -ERR_INVAL;
	for (unsigned i = 0; i < t->n; i++)
		if (strcmp(t->mounts[i].path, path) == 0)
			return -ERR_EXIST;
	if (t->n == VFS_MOUNTS_MAX)
		return -ERR_NOSPACE;
	struct vfs_mount *m = &t->mounts[t->n++];
	memcpy(m->path, path, len + 1);
	m->len = len;
	m->ops = ops;
	m->fs = fs;
	return 0;
}

/* Does mount path mp (length len) cover canonical path? */
static bool vfs_mount_covers(const char *mp, size_t len, const char *path)
{
	if (len == 1)
		return true; /* "/" covers everything */
	return strncmp(path, mp, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

const struct vfs_mount *vfs_mount_find(const struct vfs_mount_table *t, const char *path,
				       const char **rest)
{
	const struct vfs_mount *best = NULL;

	for (unsigned i = 0; i < t->n; i++) {
		const struct vfs_mount *m = &t->mounts[i];
		if (vfs_mount_covers(m->path, m->len, path) && (!best || m->len > best->len))
			best = m;
	}
	if (best && rest) {
		const char *r = path + (best->len == 1 ? 0 : best->len);
		while (*r == '/')
			r++;
		*rest = r;
	}
	return best;
}

bool vfs_mount_is_point(const struct vfs_mount_table *t, const char *path)
{
	for (unsigned i = 0; i < t->n; i++)
		if (strcmp(t->mounts[i].path, path) == 0)
			return true;
	return false;
}
