/*
 * The boot archive: a cpio archive in the "newc" format (what `cpio -o -H newc`
 * writes), read in place. It holds the user programs (bin/...) and their data
 * (etc/...); the kernel starts init from it and init starts everything else.
 *
 * This file owns parsing only: iterating over the entries and finding a file
 * by path. It never copies file contents: an entry points into the archive.
 * The same code runs in the kernel, in the user library (init reads the
 * archive the kernel mapped for it), in host unit tests and under libFuzzer.
 *
 * Trust: the archive is untrusted input (it comes from the boot loader, and
 * in user space from whoever handed the Memory capability over). Every header
 * field is checked before it is used: the magic, that each numeric field is
 * exactly eight hex digits, that the name is NUL-terminated where namesize
 * says and has no NUL before, that the header, the name and its padding, and
 * the file data lie inside [base, base + size) with overflow-safe arithmetic.
 * Nothing outside [base, base + size) is ever read, and the archive may have
 * any alignment (offsets and 4-byte padding are relative to base, as the
 * format defines them).
 *
 * Format (per entry): a 110-byte ASCII header "070701" (or "070702", same
 * layout with a checksum, which is ignored) followed by 13 fields of 8 hex
 * digits (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
 * rdevmajor, rdevminor, namesize, check); the name (namesize bytes including
 * its NUL), padded with zeros so the data starts at a multiple of 4; the data
 * (filesize bytes), padded to a multiple of 4. The entry named "TRAILER!!!"
 * ends the archive; anything after it (cpio pads to 512 bytes) is ignored. An
 * archive that ends without a trailer is malformed (a truncated archive).
 *
 * Paths: a leading "./" or "/" (repeated) is ignored both in entry names and
 * in the paths looked up, so "bin/init", "./bin/init" and "/bin/init" are the
 * same file. When two entries have the same path the first one counts.
 */
#ifndef ORB_LIB_BOOTFS_H
#define ORB_LIB_BOOTFS_H

#include "lib/types.h"

#define BOOTFS_HEADER_SIZE 110u
#define BOOTFS_NAME_MAX	   4096u /* longest name accepted, including the NUL */

/* Entry types (the S_IFMT bits of mode). */
#define BOOTFS_TYPE_MASK 0170000u
#define BOOTFS_TYPE_FILE 0100000u
#define BOOTFS_TYPE_DIR	 0040000u

/* One entry; name and data point into the archive. */
struct bootfs_entry {
	const char *name; /* NUL-terminated, leading "./" and "/" removed; may be "" */
	size_t name_len;  /* strlen(name) */
	const void *data; /* the file's bytes */
	size_t size;	  /* their number */
	uint32_t mode;	  /* type and permission bits */
};

/* Iteration state: the next header is at base + pos. */
struct bootfs_iter {
	const uint8_t *base;
	size_t size;
	size_t pos;
	int state; /* 0: more entries; 1: the trailer was reached; -ERR_FORMAT: malformed */
};

void bootfs_iter_init(struct bootfs_iter *it, const void *base, size_t size);

/*
 * Reads the next entry into *e. Returns 1 when an entry was read, 0 at the
 * trailer (and on every later call), -ERR_FORMAT for a malformed archive with
 * a one-line reason starting "bootfs: " in err (always NUL-terminated when
 * errlen > 0; err may be NULL); after an error every later call returns
 * -ERR_FORMAT again.
 */
int bootfs_next(struct bootfs_iter *it, struct bootfs_entry *e, char *err, size_t errlen);

/*
 * Finds the regular file at path (leading "./" and "/" ignored). Returns 0
 * and fills *out, -ERR_NOENT if the archive has no such regular file (a
 * directory of that name does not count), -ERR_INVAL for an empty path, or
 * -ERR_FORMAT if the archive is malformed before the file is reached (err as
 * for bootfs_next).
 */
int bootfs_find(const void *base, size_t size, const char *path, struct bootfs_entry *out,
		char *err, size_t errlen);

/*
 * Checks the whole archive. Returns the number of entries before the trailer
 * (directories included) or -ERR_FORMAT (err as for bootfs_next).
 */
long bootfs_count(const void *base, size_t size, char *err, size_t errlen);

/* path without its leading "./" and "/" (a pointer into path). */
const char *bootfs_strip(const char *path);

#endif
