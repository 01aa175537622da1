/*
 * An io_uring batch engine for a virtio-blk file backend
 * (struct blk_backend_batch_ops, blk.h): the IN/OUT transfers of one batch
 * are submitted together as IORING_OP_READV/WRITEV on the disk's file
 * descriptor and reaped before run() returns.
 *
 * Parallelism, for reads: a read of BLK_URING_SPLIT bytes or more is cut in
 * two pieces at a 4 KiB boundary of its data (its iovecs are copied and the
 * one that straddles the cut is shortened / advanced). Of a batch's read
 * pieces, the largest is submitted last and runs inline in the submitting
 * thread (a page-cache hit completes inside the submit call, like preadv);
 * every other read piece is submitted first with IOSQE_ASYNC, so the
 * kernel's io-wq workers move it at the same time on other CPUs. So even one
 * large read (the guest's sequential 1 MiB O_DIRECT reads) uses two CPUs, a
 * batch of several reads as many as io-wq gives it, and a lone small read
 * runs exactly as with preadv. Writes are neither cut nor sent to io-wq:
 * they run inline, in order, before the largest read. Linux serializes
 * buffered writes to one file on its inode lock (tmpfs, ext4, xfs), so
 * spreading them over workers only adds hand-offs (measured: sequential
 * writes got slower).
 *
 * Correctness: pieces of one transfer cover disjoint byte ranges of the disk
 * and of the guest buffers. A transfer is done when all its pieces are; if
 * any piece completed with anything but its full length (a short read,
 * -EAGAIN, an error) or got no SQE, the whole transfer is redone
 * synchronously with blk_file_rw() once its pieces have finished (the same
 * bytes at the same offsets, so repeating is harmless), and its result is
 * that call's. If the ring itself fails (io_uring_enter or wait errors other
 * than EINTR/EAGAIN/EBUSY), the engine marks itself broken, never enters the
 * kernel again (SQEs left in the ring are never submitted) and runs every
 * unfinished transfer with blk_file_rw().
 *
 * Ownership: the engine does not own the fd. Threads: one run() at a time
 * (the transport's gate, mmio.h, guarantees it for a disk).
 */
#ifndef ORBVM_VIRTIO_BLK_URING_H
#define ORBVM_VIRTIO_BLK_URING_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/blk.h"

#define BLK_URING_SPLIT	 (256u << 10)			  /* transfers this large run as 2 pieces */
#define BLK_URING_PIECES (2 * BLK_BATCH_MAX)		  /* the ring's SQ size */
#define BLK_URING_IOVS	 (BLK_BATCH_IOVS + BLK_BATCH_MAX) /* piece iovecs: +1 per transfer */

struct blk_uring_op {
	struct iovec *iov; /* the caller's, untouched */
	int n;
	uint64_t off, len;
	bool write;
	unsigned pieces_left; /* pieces not yet completed */
	bool failed;	      /* a piece fell short or had no SQE: redo it all */
	bool done;
};

struct blk_uring_piece {
	unsigned tag;
	struct iovec *iov; /* inside the engine's pool */
	int n;
	uint64_t off, len;
};

struct blk_uring {
	struct io_uring ring;
	int fd;
	bool inited; /* ring set up (destroy tears it down) */
	bool broken; /* no ring, or it failed: synchronous from now on */
	unsigned n;  /* transfers queued (tags 0..n-1) */
	struct blk_uring_op op[BLK_BATCH_MAX];
	unsigned np; /* pieces of this run */
	struct blk_uring_piece piece[BLK_URING_PIECES];
	unsigned niov; /* pool entries used by this run */
	struct iovec iov[BLK_URING_IOVS];
	/* Statistics. */
	uint64_t submitted; /* pieces the kernel took */
	uint64_t split;	    /* reads cut in two */
	uint64_t retried;   /* transfers redone with blk_file_rw */
};

extern const struct blk_backend_batch_ops blk_uring_ops;

/*
 * Sets up a ring for fd. Returns 0, or -ERR_NOSYS with a message (io_uring
 * missing or refused: the caller falls back to preadv/pwritev).
 */
int blk_uring_init(struct blk_uring *u, int fd);
void blk_uring_destroy(struct blk_uring *u);

#endif
