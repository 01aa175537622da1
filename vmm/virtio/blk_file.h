/*
 * A virtio-blk backend on a host file (a raw disk image or a block device),
 * with preadv/pwritev (a request's guest buffers in one call; pread/pwrite
 * for callers without vectors) and fdatasync.
 *
 * Read-only disks are opened O_RDONLY, so even a bug above could not change
 * them. Flush calls fdatasync, so a completed FLUSH means the data reached
 * stable storage; with `unsafe` (cache=unsafe, for throw-away disks) flush
 * does nothing.
 */
#ifndef ORBVM_VIRTIO_BLK_FILE_H
#define ORBVM_VIRTIO_BLK_FILE_H

#include <stdbool.h>

#include "virtio/blk.h"

struct blk_file {
	int fd;
	bool unsafe;
};

/*
 * Opens path and fills *be (whose ctx is f). Returns 0, or -ERR_NOENT /
 * -ERR_PERM / -ERR_INVAL (message set through err_set).
 */
int blk_file_open(struct blk_file *f, struct blk_backend *be, const char *path, bool read_only,
		  bool unsafe);
void blk_file_close(struct blk_file *f);

/*
 * preadv (write: pwritev) over iov[0..n) at off on fd until every byte has
 * moved, retrying partial transfers and EINTR; the array may be modified.
 * Returns 0, -ERR_RANGE (read error or end of file) or -ERR_NOSPACE (write).
 */
int blk_file_rw(int fd, struct iovec *iov, int n, uint64_t off, bool write);

#endif
