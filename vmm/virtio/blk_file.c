/*
 * File backend for virtio-blk; see blk_file.h.
 *
 * The device only asks for byte ranges inside the size measured at open
 * (blk_request_decode checks that); a file that shrinks later makes reads
 * come up short, which is reported as an I/O error, never as success.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "virtio/blk_file.h"

static int file_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct blk_file *f = ctx;
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -ERR_RANGE; /* error, or the file shrank */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int file_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct blk_file *f = ctx;
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -ERR_NOSPACE;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* blk_file.h; a partial transfer advances the array in place (blk.h allows that). */
int blk_file_rw(int fd, struct iovec *iov, int n, uint64_t off, bool write)
{
	while (n > 0) {
		ssize_t got = write ? pwritev(fd, iov, n > IOV_MAX ? IOV_MAX : n, (off_t)off)
				    : preadv(fd, iov, n > IOV_MAX ? IOV_MAX : n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return write ? -ERR_NOSPACE : -ERR_RANGE; /* error, or the file shrank */
		off += (uint64_t)got;
		size_t left = (size_t)got;
		while (n > 0 && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
	return 0;
}

static int file_readv(void *ctx, struct iovec *iov, int n, uint64_t off)
{
	return blk_file_rw(((struct blk_file *)ctx)->fd, iov, n, off, false);
}

static int file_writev(void *ctx, struct iovec *iov, int n, uint64_t off)
{
	return blk_file_rw(((struct blk_file *)ctx)->fd, iov, n, off, true);
}

static int file_flush(void *ctx)
{
	struct blk_file *f = ctx;
	if (f->unsafe)
		return 0;
	return fdatasync(f->fd) == 0 ? 0 : -ERR_FAULT;
}

static const struct blk_backend_ops file_ops = {
    .read = file_read,
    .write = file_write,
    .flush = file_flush,
};

static const struct blk_backend_vec_ops file_vec_ops = {
    .readv = file_readv,
    .writev = file_writev,
};

int blk_file_open(struct blk_file *f, struct blk_backend *be, const char *path, bool read_only,
		  bool unsafe)
{
	struct stat st;

	f->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (f->fd < 0) {
		int e = errno;
		return err_set(e == ENOENT ? ERR_NOENT : ERR_PERM, "cannot open disk '%s': %s",
			       path, strerror(e));
	}
	/* Regular files and block devices both report their size to lseek. */
	off_t size = fstat(f->fd, &st) == 0 ? lseek(f->fd, 0, SEEK_END) : -1;
	if (size < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		close(f->fd);
		f->fd = -1;
		return err_set(ERR_INVAL, "disk '%s' is not a regular file or block device", path);
	}
	f->unsafe = unsafe;
	*be = (struct blk_backend){.ops = &file_ops,
				   .vec = &file_vec_ops,
				   .ctx = f,
				   .size = (uint64_t)size,
				   .read_only = read_only};
	return 0;
}

void blk_file_close(struct blk_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
