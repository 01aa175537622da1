/*
 * The VFS client: file access through the VFS server (user/bin/vfs) over
 * the protocol in <orb/proto/vfs.h>. A process attaches once, with the
 * badged endpoint capability [SEND, GRANT] it was given; the library then
 * owns a VFS_SHM_DEFAULT-byte shared buffer that carries paths and data, and
 * splits larger reads and writes into buffer-sized calls.
 *
 * Every function returns >= 0 on success and -ERR_* on failure (the server's
 * errors are listed in <orb/proto/vfs.h>; -ERR_PERM before vfs_attach).
 * Calls from several threads of one process are serialised (one shared
 * buffer); fds are the server's numbers, valid for this process only.
 */
#ifndef ORB_VFS_H
#define ORB_VFS_H

#include <stddef.h>
#include <stdint.h>
#include <orb/proto/vfs.h>
#include <orb/sys.h>

/* Connects to the server behind ep. -ERR_EXIST if attached already. */
long vfs_attach(cap_handle_t ep);
/* Closes every fd on the server and frees the shared buffer. */
long vfs_detach(void);

/* Opens path (absolute) with O_* flags; returns the fd. */
long vfs_open(const char *path, unsigned flags);
long vfs_close(int fd);
/* Reads up to len bytes at the fd's offset; fewer only at the end of the file. */
long vfs_read(int fd, void *buf, size_t len);
/* Writes len bytes at the fd's offset (at the end with O_APPEND); returns len. */
long vfs_write(int fd, const void *buf, size_t len);
/* Moves the fd's offset (VFS_SEEK_SET / CUR / END); returns the new offset. */
long vfs_seek(int fd, int64_t off, unsigned whence);
long vfs_stat(const char *path, struct orb_stat *st);
long vfs_fstat(int fd, struct orb_stat *st);
/* The next entry of a directory opened with vfs_open: 1 and *ent, or 0 at the end. */
long vfs_readdir(int fd, struct orb_dirent *ent);
long vfs_mkdir(const char *path);
/* Removes a file or an empty directory. */
long vfs_unlink(const char *path);

#endif
