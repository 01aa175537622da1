/*
 * What a file system offers the VFS server: an ops table over opaque nodes.
 * The server's mount table (vfs_mount.h) maps canonical path prefixes to
 * (ops, fs) pairs and hands each backend the path below its mount point; the
 * RAM file system (ramfs.h) is the first backend, a disk file system can be
 * another later.
 *
 * Contract for every backend:
 *   - paths given to an op are relative to the mount's root (no leading "/"
 *     needed; "", "." and ".." components and repeated slashes allowed);
 *   - a node returned by lookup or create carries one reference the caller
 *     drops with put; a node stays valid (readable, writable, stat-able)
 *     while referenced, even after it has been unlinked;
 *   - failures are -ERR_* values (the list in <orb/proto/vfs.h>), and a
 *     failing op changes nothing;
 *   - no op does IPC or keeps pointers into caller buffers.
 */
#ifndef VFS_BACKEND_H
#define VFS_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <orb/proto/vfs.h>

struct vfs_backend_ops {
	const char *name;
	/* Finds path; *node gets a reference. */
	int (*lookup)(void *fs, const char *path, void **node);
	/* Creates a file or directory (VFS_TYPE_*) whose parent exists; *node (may be NULL
	 * to not take one) gets a reference. */
	int (*create)(void *fs, const char *path, uint32_t type, void **node);
	/* Removes a file or an empty directory. */
	int (*unlink)(void *fs, const char *path);
	/* Reads up to len bytes at off; returns the count (0 at or past the end). */
	long (*read)(void *fs, void *node, uint64_t off, void *buf, size_t len);
	/* Writes len bytes at off, growing the file (a gap reads as zeros); returns len. */
	long (*write)(void *fs, void *node, uint64_t off, const void *buf, size_t len);
	int (*truncate)(void *fs, void *node, uint64_t size);
	void (*stat)(void *fs, void *node, struct orb_stat *st);
	/* Entry number index of a directory: 1 and *out, 0 past the last one. */
	int (*readdir)(void *fs, void *node, uint64_t index, struct orb_dirent *out);
	void (*get)(void *fs, void *node);
	void (*put)(void *fs, void *node);
};

/*
 * The path walk of the mount table and of every backend: skips the slashes at
 * *p, points *name at the next component (not NUL-terminated), moves *p past
 * it and returns its length, 0 at the end of the path.
 */
static inline size_t vfs_path_next(const char **p, const char **name)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	*name = s;
	while (*s && *s != '/')
		s++;
	*p = s;
	return (size_t)(s - *name);
}

#endif
