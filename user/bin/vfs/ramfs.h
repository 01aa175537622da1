/*
 * ramfs: a file system in RAM, a tree of directories and regular files held
 * in malloc'd memory. Portable C (no IPC, no system calls): the VFS server
 * uses it for its root and /tmp, the host tests drive it directly.
 *
 * Owns: nodes, their names, their data, path resolution below its root. Does
 * not own: mount points, file descriptors, access modes (the server's).
 *
 * Invariants:
 *   - a directory's children have distinct names of 1..VFS_NAME_MAX-1 bytes,
 *     none "." or ".." nor containing '/';
 *   - a node is linked (reachable from the root) or unlinked; an unlinked
 *     node is freed when its last reference goes; the root is never
 *     unlinked;
 *   - a RAMFS_RDONLY file's data never changes and a RAMFS_RDONLY directory
 *     never gains or loses entries; RAMFS_EXTERN data belongs to the caller
 *     of ramfs_add_extern (it must outlive the fs) and is never freed here;
 *   - bytes_used is the sum of the capacities of owned data buffers; with a
 *     limit (bytes_max not 0), bytes_used + nnodes * RAMFS_NODE_COST stays
 *     <= bytes_max: every node's own record counts too, so a client cannot
 *     exhaust the server's memory with empty files or directories.
 *
 * Path resolution: components separated by one or more '/'; "" and "." stay,
 * ".." goes to the parent (the root's parent is the root). A component
 * longer than VFS_NAME_MAX - 1 is -ERR_RANGE, a file used as a directory
 * -ERR_INVAL, a missing component -ERR_NOENT.
 *
 * Not thread-safe: the caller serialises (the server is single-threaded).
 */
#ifndef VFS_RAMFS_H
#define VFS_RAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vfs_backend.h"

#define RAMFS_RDONLY 1u /* VFS_STAT_RDONLY */
#define RAMFS_EXTERN 2u /* data not owned */

#define RAMFS_FILE_MAX (1ull << 30) /* largest file: offsets beyond are -ERR_RANGE */
/* What one node costs against a limited file system: its record (name included). */
#define RAMFS_NODE_COST (sizeof(struct ramfs_node))

struct ramfs_node {
	char name[VFS_NAME_MAX];
	uint32_t type;	/* VFS_TYPE_* */
	uint32_t flags; /* RAMFS_* */
	unsigned refs;	/* references held by users (open files) */
	bool linked;
	struct ramfs_node *parent;		     /* NULL for the root and unlinked nodes */
	struct ramfs_node *children, *next, **pprev; /* siblings sorted by name */
	size_t nchildren;
	struct ramfs_node *all_next, **all_pprev; /* every node of the fs, for ramfs_destroy */
	uint8_t *data;				  /* files: size bytes valid, cap allocated */
	size_t size, cap;
};

struct ramfs {
	struct ramfs_node *root;
	struct ramfs_node *all;
	size_t bytes_used, bytes_max;
	size_t nnodes;
};

/* A file system with an empty, writable root; bytes_max 0 = no limit (nodes count, above). */
int ramfs_init(struct ramfs *fs, size_t bytes_max);
/* Frees every node, referenced or not (the caller has dropped its pointers). */
void ramfs_destroy(struct ramfs *fs);

int ramfs_lookup(struct ramfs *fs, const char *path, struct ramfs_node **out);
/* Creates a file or directory; out may be NULL (else it gets a reference). */
int ramfs_create(struct ramfs *fs, const char *path, uint32_t type, struct ramfs_node **out);
/* Creates every missing directory of path (like mkdir -p). */
int ramfs_mkdirs(struct ramfs *fs, const char *path);
/* A read-only file over data the caller keeps (no copy); missing parents are created. */
int ramfs_add_extern(struct ramfs *fs, const char *path, const void *data, size_t size);
int ramfs_unlink(struct ramfs *fs, const char *path);

long ramfs_read(struct ramfs_node *n, uint64_t off, void *buf, size_t len);
long ramfs_write(struct ramfs *fs, struct ramfs_node *n, uint64_t off, const void *buf, size_t len);
int ramfs_truncate(struct ramfs *fs, struct ramfs_node *n, uint64_t size);
void ramfs_stat(const struct ramfs_node *n, struct orb_stat *st);
int ramfs_readdir(const struct ramfs_node *dir, uint64_t index, struct orb_dirent *out);
/* Makes a node (and, with recursive, everything below it) read-only. */
void ramfs_set_rdonly(struct ramfs_node *n, bool recursive);

void ramfs_get(struct ramfs_node *n);
void ramfs_put(struct ramfs *fs, struct ramfs_node *n);

/* The ops table over a struct ramfs (for the mount table). */
extern const struct vfs_backend_ops ramfs_ops;

#endif
