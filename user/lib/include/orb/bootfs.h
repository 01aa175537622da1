/*
 * The boot archive (a cpio "newc" archive of bin/ and etc/; the format and
 * its checks are in lib/bootfs.h) as a process sees it: init has the
 * one the kernel mapped at ORB_BOOTFS_BASE; another process has one after
 * orb_bootfs_attach() of a Memory capability it was given. Files are read in
 * place (read-only memory). A damaged archive gives errors; no lookup ever
 * reads outside it.
 */
#ifndef ORB_BOOTFS_H
#define ORB_BOOTFS_H

#include <stddef.h>
#include <orb/sys.h>

/* One regular file; pointers into the archive. name has no leading "/" or "./". */
struct orb_bootfs_file {
	const char *name;
	const void *data;
	size_t size;
};

/*
 * A regular file of the boot archive: its bytes and, if size is not NULL,
 * their number. NULL if absent, or if this process has no boot archive.
 */
const void *orb_bootfs_find(const char *path, size_t *size);

/*
 * Calls fn(ctx, file) for each regular file, in archive order (fn may be
 * NULL, to count them). Returns the
 * number of files, -ERR_NOENT without an archive, or -ERR_FORMAT if the
 * archive is damaged (after the files before the damage).
 */
long orb_bootfs_each(void (*fn)(void *ctx, const struct orb_bootfs_file *f), void *ctx);

/*
 * Maps a boot archive given as a Memory capability [READ, MAP] of size bytes
 * (rounded up to pages) read-only at ORB_BOOTFS_BASE, for the functions
 * above. Returns 0 or -ERR_*: -ERR_EXIST if this process has one already,
 * -ERR_FORMAT (message printed) if it is not a well-formed archive.
 */
long orb_bootfs_attach(cap_handle_t mem, size_t size);

#endif
