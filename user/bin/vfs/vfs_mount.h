/*
 * The VFS server's name space: canonical absolute paths and the mount table
 * that maps a path prefix to a backend (vfs_backend.h). Portable C, no IPC;
 * the host tests drive it directly.
 *
 * A canonical path starts with "/", has no empty, "." or ".." component and
 * no trailing "/" ("/" alone is the root). ".." is resolved lexically (there
 * are no symbolic links), so "/tmp/../etc" is "/etc" whatever /tmp is; this
 * also makes ".." cross mount points the way a user expects.
 *
 * Invariants of the table: mount paths are canonical and distinct; lookup
 * picks the longest mount path that is the whole path or a prefix of it
 * ending at a component boundary, so with "/" mounted every path resolves.
 */
#ifndef VFS_MOUNT_H
#define VFS_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include "vfs_backend.h"

#define VFS_MOUNTS_MAX 8

struct vfs_mount {
	char path[VFS_PATH_MAX]; /* canonical */
	size_t len;
	const struct vfs_backend_ops *ops;
	void *fs;
};

struct vfs_mount_table {
	struct vfs_mount mounts[VFS_MOUNTS_MAX];
	unsigned n;
};

/*
 * Writes the canonical form of the absolute path in (in[0] == '/') to out
 * (outlen bytes). -ERR_INVAL for a relative path, -ERR_RANGE for a component
 * of VFS_NAME_MAX bytes or more or a result that does not fit.
 */
int vfs_path_canon(const char *in, char *out, size_t outlen);

/* Adds a mount at canonical path; -ERR_EXIST if one is there, -ERR_NOSPACE if full. */
int vfs_mount_add(struct vfs_mount_table *t, const char *path, const struct vfs_backend_ops *ops,
		  void *fs);

/*
 * The mount serving canonical path, and in *rest the part of path below the
 * mount point (no leading "/"; "" for the mount point itself). NULL if none.
 */
const struct vfs_mount *vfs_mount_find(const struct vfs_mount_table *t, const char *path,
				       const char **rest);

/* True if canonical path is a mount point (which cannot be removed or created over). */
bool vfs_mount_is_point(const struct vfs_mount_table *t, const char *path);

#endif
