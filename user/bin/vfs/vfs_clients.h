/*
 * The VFS server's clients: one record per badge (the badge of the endpoint
 * capability a client calls through), holding the client's shared buffer as
 * the server maps it and its file-descriptor table. An fd is an index into
 * the table of the client that opened it, so no client can name another's
 * open files.
 *
 * Invariants: badges of records in use are distinct and not 0; a record in
 * use has its buffer mapped at vfs_client_shm_va(slot) with shm_size bytes
 * (VFS_SHM_MIN..VFS_SHM_MAX, a page multiple) and is one user of the entry
 * of its client's process in the server's watch set (<orb/watchset.h>); an
 * fd in use holds one reference on its node (dropped by vfs_client_fd_close).
 *
 * Dead clients: vfs_clients_reap() detaches every record whose process the
 * watch set reports dead, as if the client had sent DETACH.
 *
 * Single-threaded, like the whole server.
 */
#ifndef VFS_CLIENTS_H
#define VFS_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <orb/sys.h>
#include <orb/watchset.h>
#include "vfs_mount.h"

#define VFS_CLIENTS_MAX 32
/* Where the server maps client buffers: one 2 MiB window per record, far from the library's. */
#define VFS_SHM_VA_BASE 0x0000600000000000ull
#define VFS_SHM_VA_SLOT (2ull * 1024 * 1024)

struct vfs_file {
	bool used;
	const struct vfs_mount *mnt;
	void *node;	/* one reference */
	uint32_t type;	/* VFS_TYPE_* */
	uint32_t flags; /* the O_* flags of the open */
	uint64_t pos;	/* next offset (files) or entry number (directories) */
};

struct vfs_client {
	bool used;
	uint64_t badge;
	struct watchset *ws; /* the set watching its process ... */
	long watch;	     /* ... and its entry there: the session lasts as long as it */
	uint8_t *shm;	     /* the shared buffer, mapped R/W */
	size_t shm_size;
	struct vfs_file fds[VFS_FD_MAX];
};

/* The record of badge, or NULL if it has not attached. */
struct vfs_client *vfs_client_find(uint64_t badge);

/*
 * Maps the Memory capability mem of size bytes as badge's shared buffer, for
 * the client process proc (a Process [READ], watched through ws); both
 * capabilities are consumed (kept or deleted, whatever happens). Returns 0,
 * -ERR_EXIST if badge is attached already, -ERR_INVAL for a size outside the
 * limits or proc not a live Process with READ, -ERR_NOSPACE when every
 * record (or watch entry) is in use, or the kernel's error mapping mem or
 * watching proc.
 */
long vfs_client_attach(uint64_t badge, cap_handle_t mem, cap_handle_t proc, uint64_t size,
		       struct watchset *ws);

/* Detaches every client whose process ws reports dead. */
void vfs_clients_reap(struct watchset *ws);

/* Closes every fd, unmaps the buffer, drops the Process capability, frees the record. */
void vfs_client_detach(struct vfs_client *c);

/* The open file fd of c, or NULL (not a number c has open). */
struct vfs_file *vfs_client_fd(struct vfs_client *c, uint64_t fd);
/* The lowest free fd of c, or -ERR_NOSPACE. */
int vfs_client_fd_free(const struct vfs_client *c);
/* Fills free fd (from vfs_client_fd_free) with an open file holding a reference on node. */
void vfs_client_fd_set(struct vfs_client *c, int fd, const struct vfs_mount *mnt, void *node,
		       uint32_t type, uint32_t flags);
void vfs_client_fd_close(struct vfs_file *f);

#endif
