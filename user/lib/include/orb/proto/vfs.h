/*
 * The VFS protocol: the messages a client exchanges with the VFS server
 * (user/bin/vfs) over an endpoint, and the records both sides share. The
 * client library (<orb/vfs.h>) wraps it; docs/vfs.md explains the design.
 *
 * Transport. Every request is an IPC call on the client's endpoint
 * capability; the server tells clients apart by that capability's badge, so
 * each client must hold a differently badged copy (badge 0 is refused). The
 * message label (IPC_TAG_LABEL) is a VFS_OP_*; the reply has the same label,
 * four words, and word 0 holds the result: >= 0 on success, -ERR_* on failure
 * (include/orbital/errors.h).
 *
 * Shared buffer. A client first sends VFS_OP_ATTACH carrying one Memory
 * capability [READ, WRITE, MAP] of VFS_SHM_MIN..VFS_SHM_MAX bytes (a page
 * multiple; the call needs GRANT on the endpoint capability) that it has
 * mapped itself, and a Process capability [READ] of the client itself. The
 * server maps the same frames and watches the process (SYS_PROC_WATCH): when
 * it dies, the server forgets the client as if it had sent DETACH. From then
 * on paths,
 * directory entry names and file data travel through that buffer, never in
 * many small messages. The client must not touch the buffer while a call is
 * in flight; the server copies a path out of it before using it, so changing
 * it concurrently can only garble the client's own request.
 *
 * Requests (w = message words; "path" = w[VFS_W_PATHLEN] bytes at offset 0 of
 * the shared buffer, absolute, without a NUL, at most VFS_PATH_MAX - 1):
 *
 *   ATTACH   w0 = buffer size; 2 caps: the buffer's
 *            Memory, the client's own Process [READ] -> 0 (-ERR_INVAL without)
 *   DETACH   -                                      -> 0 (closes every fd)
 *   OPEN     w0 = O_* flags, path                   -> fd
 *   CLOSE    w0 = fd                                -> 0
 *   READ     w0 = fd, w1 = len (<= buffer size)     -> bytes read, at buffer[0..)
 *   WRITE    w0 = fd, w1 = len (<= buffer size),
 *            data at buffer[0..len)                 -> bytes written
 *   SEEK     w0 = fd, w1 = offset (int64), w2 = VFS_SEEK_* -> new offset
 *   STAT     path                                   -> 0; w1 = size, w2 = type, w3 = flags
 *   FSTAT    w0 = fd                                -> 0; w1, w2, w3 as STAT
 *   READDIR  w0 = fd of an open directory           -> 1 with an entry: w1 = type,
 *                                                      w2 = size, w3 = name length, the
 *                                                      name (NUL-terminated) at buffer[0..);
 *                                                      0 at the end
 *   MKDIR    path                                   -> 0
 *   UNLINK   path (a file or an empty directory)    -> 0
 *
 * Errors: -ERR_PERM (badge 0, no ATTACH yet, writing something read-only,
 * reading a write-only fd), -ERR_BADCAP (an fd this client has not open),
 * -ERR_NOENT, -ERR_EXIST, -ERR_BUSY (a non-empty directory, a mount point),
 * -ERR_RANGE (a name longer than VFS_NAME_MAX, a path or length too long),
 * -ERR_INVAL (a malformed request, a directory where a file is needed or the
 * reverse), -ERR_NOSPACE (fd table or file system full), -ERR_NOMEM,
 * -ERR_NOSYS (an unknown label).
 */
#ifndef ORB_PROTO_VFS_H
#define ORB_PROTO_VFS_H

#include <stdint.h>

/* Message labels. */
#define VFS_OP_ATTACH  1u
#define VFS_OP_DETACH  2u
#define VFS_OP_OPEN    3u
#define VFS_OP_CLOSE   4u
#define VFS_OP_READ    5u
#define VFS_OP_WRITE   6u
#define VFS_OP_SEEK    7u
#define VFS_OP_STAT    8u
#define VFS_OP_FSTAT   9u
#define VFS_OP_READDIR 10u
#define VFS_OP_MKDIR   11u
#define VFS_OP_UNLINK  12u

#define VFS_REPLY_WORDS 4u
#define VFS_W_PATHLEN	1 /* the word holding a request's path length */

/* The shared buffer. */
#define VFS_SHM_DEFAULT (64u * 1024)
#define VFS_SHM_MIN	4096u
#define VFS_SHM_MAX	(1024u * 1024)

/* Names and paths (including the NUL). */
#define VFS_NAME_MAX 64u /* longest component, without the NUL: 63 bytes */
#define VFS_PATH_MAX 1024u

/* Per-client limits. */
#define VFS_FD_MAX 32u

/* Open flags (w0 of VFS_OP_OPEN). */
#define O_RDONLY  0x0u
#define O_WRONLY  0x1u
#define O_RDWR	  0x2u
#define O_ACCMODE 0x3u
#define O_CREAT	  0x40u	 /* create a regular file if the path does not exist */
#define O_TRUNC	  0x200u /* cut the file to 0 bytes (needs write access) */
#define O_APPEND  0x400u /* every write goes to the end of the file */
#define VFS_O_ALL (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND)

/* Seek origins (w2 of VFS_OP_SEEK). */
#define VFS_SEEK_SET 0u
#define VFS_SEEK_CUR 1u
#define VFS_SEEK_END 2u

/* Node types. */
#define VFS_TYPE_FILE 1u
#define VFS_TYPE_DIR  2u

/* Node flags. */
#define VFS_STAT_RDONLY 1u /* contents (or, for a directory, its entries) cannot change */

struct orb_stat {
	uint64_t size;	/* bytes in a file; entries in a directory */
	uint32_t type;	/* VFS_TYPE_* */
	uint32_t flags; /* VFS_STAT_* */
};

struct orb_dirent {
	char name[VFS_NAME_MAX]; /* NUL-terminated */
	uint32_t type;		 /* VFS_TYPE_* */
	uint64_t size;		 /* as struct orb_stat */
};

#endif
