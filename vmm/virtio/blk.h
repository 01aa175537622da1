/*
 * The virtio-blk device (virtio 1.x, section 5.2): its config space, features
 * and request handling over a storage backend. It plugs into a transport
 * through blk_dev_ops (struct virtio_dev_ops) and knows nothing about MMIO.
 *
 * A request is one descriptor chain: a 16-byte device-readable header
 * (u32 type, u32 reserved, u64 sector), the data buffers (device-readable for
 * OUT, device-writable for IN and GET_ID), and a final device-writable status
 * byte: the last byte of the chain's writable part. Decode, then invoke:
 * blk_request_decode() checks everything with no side effect, then
 * blk_request_execute() does the I/O. Outcomes:
 *  - no writable byte for the status: nothing can be reported; the chain is
 *    returned with used length 0;
 *  - a header shorter than 16 bytes, the wrong buffers for the type, a data
 *    length not a multiple of 512, a range beyond the capacity, a write to a
 *    read-only disk, a backend error: VIRTIO_BLK_S_IOERR;
 *  - an unknown type (discard, write zeroes, ...): VIRTIO_BLK_S_UNSUPP.
 * A chain the virtqueue walker refuses (virtqueue.h) is returned with used
 * length 0 and the device is marked DEVICE_NEEDS_RESET.
 *
 * Features offered: VIRTIO_F_VERSION_1, VIRTIO_F_INDIRECT_DESC (a request
 * takes one ring descriptor; its table is checked by the walker),
 * VIRTIO_BLK_F_SEG_MAX (queue size minus the header and status descriptors), VIRTIO_BLK_F_BLK_SIZE
 * (512), VIRTIO_BLK_F_FLUSH, and VIRTIO_BLK_F_RO for read-only backends. Capacity is the backend's
 * size in 512-byte sectors (a partial last sector is unused).
 *
 * Batches: with a batch backend (blk_backend_batch_ops, an io_uring) the IN
 * and OUT requests that pass decoding are not executed one by one: their
 * data transfers are queued (up to BLK_BATCH_MAX requests and
 * BLK_BATCH_IOVS buffers), run together, possibly in parallel, when the pass
 * ends or the batch is full, and each is completed (status byte, used ring)
 * as the backend reports it. A FLUSH first runs the batch queued before it,
 * so writes that preceded it have completed when fdatasync runs. Requests
 * that need no backend transfer (errors, GET_ID, zero-length) complete at
 * once. The batch always ends before blk_process_queue() returns, so nothing
 * is in flight between notifications and a device reset has nothing to
 * wait for. Used-ring order follows completion order, which virtio allows.
 *
 * Locking: requests are processed on the thread that delivers the queue
 * notification (the vCPU's on the MMIO-exit path, a disk's I/O thread with
 * an ioeventfd); the transport runs one queue_notify at a time (mmio.h), so
 * the device's scratch state needs no lock. One struct blk_dev serves one
 * queue. A notification processes every available chain (at most
 * BLK_BATCH_PASSES queue-sized passes) and then raises one interrupt.
 */
#ifndef ORBVM_VIRTIO_BLK_H
#define ORBVM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/mmio.h"
#include "virtio/virtqueue.h"

#define VIRTIO_ID_BLOCK 2

#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO	      5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define BLK_SECTOR	 512
#define BLK_ID_BYTES	 20
#define BLK_HDR_SIZE	 16
#define BLK_QUEUE_MAX	 256
#define BLK_BATCH_PASSES 4
#define BLK_BATCH_MAX	 32   /* requests in one backend batch */
#define BLK_BATCH_IOVS	 1024 /* data buffers in one backend batch (>= VIRTQ_MAX_SIZE) */

/* Config space offsets (struct virtio_blk_config). */
#define BLK_CFG_CAPACITY 0
#define BLK_CFG_SIZE_MAX 8
#define BLK_CFG_SEG_MAX	 12
#define BLK_CFG_BLK_SIZE 20
#define BLK_CFG_SIZE	 36

/*
 * Storage behind a disk: byte-offset I/O. Each call transfers all `len`
 * bytes or fails with a negative error code. The device never asks for bytes
 * beyond `size` and never writes or flushes a read_only backend.
 */
struct blk_backend_ops {
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*write)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*flush)(void *ctx);
};

/*
 * Optional scatter-gather I/O: a whole request's buffers in one call, with
 * the same contract; n <= VIRTQ_MAX_SIZE entries, which the call may modify.
 */
struct blk_backend_vec_ops {
	int (*readv)(void *ctx, struct iovec *iov, int n, uint64_t off);
	int (*writev)(void *ctx, struct iovec *iov, int n, uint64_t off);
};

/*
 * Optional batched I/O (an io_uring engine). add() queues one transfer of
 * `len` bytes between iov[0..n) and the disk at `off` under `tag`
 * (< BLK_BATCH_MAX; at most BLK_BATCH_MAX transfers are queued at once);
 * run() carries out everything queued, in any order and possibly in
 * parallel, calls done(arg, tag, result) once per transfer (0: every byte
 * moved, else a negative error) and returns when all are done, with nothing
 * left queued. The iovecs stay untouched by the caller until run() returns.
 */
struct blk_backend_batch_ops {
	void (*add)(void *ctx, struct iovec *iov, int n, uint64_t off, uint64_t len, bool write,
		    unsigned tag);
	void (*run)(void *ctx, void (*done)(void *arg, unsigned tag, int result), void *arg);
};

struct blk_backend {
	const struct blk_backend_ops *ops;
	const struct blk_backend_vec_ops *vec;	   /* NULL: ops, once per buffer */
	const struct blk_backend_batch_ops *batch; /* NULL: one request at a time */
	void *batch_ctx;
	void *ctx;
	uint64_t size; /* bytes */
	bool read_only;
};

/* A request whose transfer is queued in the current batch. */
struct blk_batch_req {
	uint16_t head;	 /* to return through virtq_push */
	uint32_t used;	 /* its used length */
	uint8_t *status; /* its status byte, inside guest RAM (checked by virtq_pop) */
};

struct blk_dev {
	struct blk_backend be; /* constant after init */
	char id[BLK_ID_BYTES]; /* GET_ID answer, NUL-padded */
	uint8_t config[BLK_CFG_SIZE];
	struct virtq_chain chain;	  /* scratch of the processing thread */
	struct iovec iov[VIRTQ_MAX_SIZE]; /* scratch: a request's data buffers */
	/* The current batch (be.batch only); empty between notifications. */
	struct virtq *batch_q;
	unsigned batch_n, batch_iov_n;
	struct blk_batch_req batch[BLK_BATCH_MAX];
	struct iovec batch_iov[BLK_BATCH_IOVS];
	uint64_t batches; /* statistics: batches run, transfers in them */
	uint64_t batched;
};

/* A decoded request (blk_request_decode's output). */
struct blk_request {
	uint32_t type;
	uint64_t offset;     /* byte offset on the disk (IN/OUT) */
	uint64_t data_len;   /* bytes to transfer */
	uint64_t status_off; /* offset of the status byte in the writable part */
	uint8_t status;	     /* != S_OK: fail with it without doing I/O */
};

extern const struct virtio_dev_ops blk_dev_ops;

/* Sets up the device over the backend; id (may be NULL) is cut to 20 bytes. */
void blk_init(struct blk_dev *d, const struct blk_backend *be, const char *id);

/* Offered features. */
uint64_t blk_features(const struct blk_dev *d);

/*
 * Checks chain c as a request. Returns 0 with *r filled (r->status says
 * whether to do the I/O), or -ERR_FORMAT when there is no status byte.
 */
int blk_request_decode(const struct blk_dev *d, const struct virtq_chain *c, struct blk_request *r);

/*
 * Carries out a decoded request, writes its status byte and returns the
 * used length: the whole writable part (data and status), whatever the
 * outcome, as QEMU reports it (an upper bound of the bytes written).
 */
uint32_t blk_request_execute(struct blk_dev *d, const struct virtq_chain *c,
			     const struct blk_request *r);

/*
 * Processes the available chains on q, at most q->size of them (call again
 * while virtq_has_pending): decode, execute, push. Returns the number of
 * chains completed, or -ERR_x after a chain the walker refused (which is
 * completed with length 0 when its head was identifiable).
 */
int blk_process_queue(struct blk_dev *d, struct virtq *q);

#endif
