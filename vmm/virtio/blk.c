/*
 * virtio-blk request decoding and execution, config space and the device's
 * ops table; the rules are in blk.h.
 *
 * Trust boundary: the request header and the chain's shape come from the
 * guest. blk_request_decode() checks the type, the buffer sizes and the
 * sector range (overflow-safe, against the backend size) before any I/O;
 * data moves only between the backend and buffers that virtq_pop() has
 * bounds-checked against guest RAM.
 */
#include <string.h>

#include <orbital/errors.h>

#include "virtio/blk.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void blk_init(struct blk_dev *d, const struct blk_backend *be, const char *id)
{
	memset(d, 0, sizeof(*d));
	d->be = *be;
	/* NUL-padded (memset above); no NUL when the id is 20 bytes long. */
	if (id)
		memcpy(d->id, id, strnlen(id, BLK_ID_BYTES));
	put_le64(d->config + BLK_CFG_CAPACITY, be->size / BLK_SECTOR);
	put_le32(d->config + BLK_CFG_SEG_MAX, BLK_QUEUE_MAX - 2);
	put_le32(d->config + BLK_CFG_BLK_SIZE, BLK_SECTOR);
}

uint64_t blk_features(const struct blk_dev *d)
{
	uint64_t f = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC |
		     1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
		     1ull << VIRTIO_BLK_F_FLUSH;
	if (d->be.read_only)
		f |= 1ull << VIRTIO_BLK_F_RO;
	return f;
}

/* Whether [sector*512, +len) lies on the disk; no sum can overflow. */
static bool range_ok(const struct blk_dev *d, uint64_t sector, uint64_t len)
{
	uint64_t sectors = d->be.size / BLK_SECTOR;
	if (len % BLK_SECTOR)
		return false;
	return sector <= sectors && len / BLK_SECTOR <= sectors - sector;
}

int blk_request_decode(const struct blk_dev *d, const struct virtq_chain *c, struct blk_request *r)
{
	uint8_t hdr[BLK_HDR_SIZE];
	uint64_t sector;

	memset(r, 0, sizeof(*r));
	if (c->in_bytes == 0)
		return -ERR_FORMAT; /* nowhere to put the status */
	r->status_off = c->in_bytes - 1;
	r->status = VIRTIO_BLK_S_IOERR;
	if (virtq_chain_read(c, 0, hdr, sizeof(hdr)) < 0)
		return 0;
	memcpy(&r->type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	uint64_t extra_out = c->out_bytes - BLK_HDR_SIZE; /* readable bytes after the header */
	uint64_t extra_in = c->in_bytes - 1;		  /* writable bytes before the status */

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		if (extra_out != 0 || !range_ok(d, sector, extra_in))
			return 0;
		r->data_len = extra_in;
		r->offset = sector * BLK_SECTOR;
		break;
	case VIRTIO_BLK_T_OUT:
		if (d->be.read_only || extra_in != 0 || !range_ok(d, sector, extra_out))
			return 0;
		r->data_len = extra_out;
		r->offset = sector * BLK_SECTOR;
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (extra_out != 0 || extra_in != 0)
			return 0;
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (extra_out != 0 || extra_in == 0)
			return 0;
		r->data_len = extra_in < BLK_ID_BYTES ? extra_in : BLK_ID_BYTES;
		break;
	default:
		r->status = VIRTIO_BLK_S_UNSUPP;
		return 0;
	}
	r->status = VIRTIO_BLK_S_OK;
	return 0;
}

/*
 * The chain's data buffers for a transfer of `len` bytes, as iovecs: the
 * writable part from offset 0 (to_guest, a read) or the readable part from
 * offset BLK_HDR_SIZE (a write). Fills at most `room` entries; returns their
 * number, or -ERR_RANGE if the buffers hold fewer than len bytes or do not
 * fit.
 */
static int gather(const struct virtq_chain *c, uint64_t len, bool to_guest, struct iovec *iov,
		  unsigned room)
{
	unsigned first = to_guest ? c->n_out : 0, last = to_guest ? c->n : c->n_out;
	uint64_t skip = to_guest ? 0 : BLK_HDR_SIZE;
	unsigned nv = 0;

	for (unsigned i = first; i < last && len > 0; i++) {
		const struct virtq_iov *v = &c->iov[i];
		if (skip >= v->len) {
			skip -= v->len;
			continue;
		}
		uint64_t n = v->len - skip;
		if (n > len)
			n = len;
		if (nv == room)
			return -ERR_RANGE;
		/* SAFETY: [skip, skip+n) is inside a buffer checked by virtq_pop. */
		iov[nv++] = (struct iovec){.iov_base = v->host + skip, .iov_len = n};
		len -= n;
		skip = 0;
	}
	return len == 0 ? (int)nv : -ERR_RANGE;
}

/*
 * Moves `len` bytes between the disk at `disk_off` and the chain's data
 * buffers (gather), straight from/to the checked guest buffers: in one
 * readv/writev call when the backend has them, else buffer by buffer.
 */
static int data_io(struct blk_dev *d, const struct virtq_chain *c, uint64_t disk_off, uint64_t len,
		   bool to_guest)
{
	/* c->n <= VIRTQ_MAX_SIZE, so every buffer has a slot in d->iov. */
	int nv = gather(c, len, to_guest, d->iov, VIRTQ_MAX_SIZE);
	if (nv <= 0)
		return nv;
	if (d->be.vec)
		return to_guest ? d->be.vec->readv(d->be.ctx, d->iov, nv, disk_off)
				: d->be.vec->writev(d->be.ctx, d->iov, nv, disk_off);
	for (int i = 0; i < nv; i++) {
		int r = to_guest ? d->be.ops->read(d->be.ctx, d->iov[i].iov_base, d->iov[i].iov_len,
						   disk_off)
				 : d->be.ops->write(d->be.ctx, d->iov[i].iov_base,
						    d->iov[i].iov_len, disk_off);
		if (r < 0)
			return r;
		disk_off += d->iov[i].iov_len;
	}
	return 0;
}

uint32_t blk_request_execute(struct blk_dev *d, const struct virtq_chain *c,
			     const struct blk_request *r)
{
	uint8_t status = r->status;

	if (status == VIRTIO_BLK_S_OK) {
		int e = 0;
		switch (r->type) {
		case VIRTIO_BLK_T_IN:
			e = data_io(d, c, r->offset, r->data_len, true);
			break;
		case VIRTIO_BLK_T_OUT:
			e = data_io(d, c, r->offset, r->data_len, false);
			break;
		case VIRTIO_BLK_T_FLUSH:
			e = d->be.read_only ? 0 : d->be.ops->flush(d->be.ctx);
			break;
		case VIRTIO_BLK_T_GET_ID:
			e = virtq_chain_write(c, 0, d->id, r->data_len);
			break;
		}
		if (e < 0)
			status = VIRTIO_BLK_S_IOERR;
	}
	/* status_off < in_bytes by construction, so this cannot fail. */
	virtq_chain_write(c, r->status_off, &status, 1);
	return c->in_bytes;
}

/* The backend finished the batch's transfer `tag`: complete its request. */
static void batch_done(void *arg, unsigned tag, int result)
{
	struct blk_dev *d = arg;
	if (tag >= d->batch_n)
		return; /* not ours: a backend bug; nothing to complete */
	struct blk_batch_req *b = &d->batch[tag];
	*b->status = result == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	virtq_push(d->batch_q, b->head, b->used);
}

/* Runs the queued batch (if any) to its end; every request in it completes. */
static void batch_run(struct blk_dev *d)
{
	if (d->batch_n == 0)
		return;
	d->batches++;
	d->batched += d->batch_n;
	d->be.batch->run(d->be.batch_ctx, batch_done, d);
	d->batch_n = d->batch_iov_n = 0;
}

/*
 * Queues a decoded IN/OUT request in the batch, running the batch first if
 * it is full. Returns false (nothing queued) for requests that are not
 * backend transfers: no batch backend, a failed decode, another type, no data.
 */
static bool batch_take(struct blk_dev *d, struct virtq *q, const struct virtq_chain *c,
		       const struct blk_request *r)
{
	if (!d->be.batch || r->status != VIRTIO_BLK_S_OK || r->data_len == 0 ||
	    (r->type != VIRTIO_BLK_T_IN && r->type != VIRTIO_BLK_T_OUT))
		return false;
	if (d->batch_n == BLK_BATCH_MAX || BLK_BATCH_IOVS - d->batch_iov_n < c->n)
		batch_run(d);
	struct iovec *iov = d->batch_iov + d->batch_iov_n;
	int nv = gather(c, r->data_len, r->type == VIRTIO_BLK_T_IN, iov,
			BLK_BATCH_IOVS - d->batch_iov_n);
	if (nv <= 0)
		return false; /* decode checked the sizes; execute reports it */
	/*
	 * The status byte is the writable part's last byte: in_bytes > 0 (decode)
	 * and zero-length descriptors add no buffer, so the chain's last buffer
	 * is writable and at least one byte long.
	 */
	const struct virtq_iov *last = &c->iov[c->n - 1];
	d->batch[d->batch_n] = (struct blk_batch_req){
	    .head = c->head, .used = c->in_bytes, .status = last->host + last->len - 1};
	d->batch_q = q;
	d->be.batch->add(d->be.batch_ctx, iov, nv, r->offset, r->data_len,
			 r->type == VIRTIO_BLK_T_OUT, d->batch_n);
	d->batch_n++;
	d->batch_iov_n += (unsigned)nv;
	return true;
}

/* blk_process_queue's loop; the caller runs what is left in the batch. */
static int process_chains(struct blk_dev *d, struct virtq *q)
{
	int done = 0;

	/*
	 * At most `size` chains per call: a guest whose data buffers overlap its
	 * own available ring could otherwise keep this loop going forever.
	 */
	while (done < q->size) {
		struct virtq_chain *c = &d->chain;
		struct blk_request req;
		int r = virtq_pop(q, c);
		if (r == 0)
			return done;
		if (r < 0) {
			if (c->head != VIRTQ_NO_HEAD) {
				virtq_push(q, c->head, 0);
				done++;
			}
			return r;
		}
		uint32_t used = 0;
		done++;
		if (blk_request_decode(d, c, &req) == 0) {
			if (batch_take(d, q, c, &req))
				continue;
			/* A FLUSH covers the writes before it: finish them first. */
			if (req.type == VIRTIO_BLK_T_FLUSH)
				batch_run(d);
			used = blk_request_execute(d, c, &req);
		}
		virtq_push(q, c->head, used);
	}
	return done;
}

int blk_process_queue(struct blk_dev *d, struct virtq *q)
{
	int r = process_chains(d, q);
	batch_run(d);
	return r;
}

/* --- The transport's view: struct virtio_dev_ops --- */

static uint64_t ops_features(void *dev)
{
	return blk_features(dev);
}

static void ops_config_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	struct blk_dev *d = dev;
	/* Bounds: bytes past the config structure read as zero. */
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint64_t)off + i < BLK_CFG_SIZE ? d->config[off + i] : 0;
}

static void ops_config_write(void *dev, uint32_t off, const uint8_t *data, uint32_t len)
{
	(void)dev, (void)off, (void)data, (void)len; /* nothing writable (no CONFIG_WCE) */
}

/* A batch: every available chain (bounded, see below), then one interrupt. */
static void ops_queue_notify(void *dev, struct virtio_mmio *t, unsigned qi)
{
	struct blk_dev *d = dev;
	struct virtq *q = virtio_mmio_queue(t, qi);
	if (!q)
		return;
	int total = 0, r = 0;
	/*
	 * Chains the guest adds while a pass runs are taken by the next pass;
	 * at most BLK_BATCH_PASSES passes so a busy guest cannot keep this
	 * thread (and its interrupt) away forever. Its next notification, or
	 * this one's interrupt, leads to the rest.
	 */
	for (unsigned pass = 0; pass < BLK_BATCH_PASSES; pass++) {
		r = blk_process_queue(d, q);
		if (r <= 0)
			break;
		total += r;
		if (!virtq_has_pending(q))
			break;
	}
	if (total != 0 || r < 0)
		virtio_mmio_signal_used(t, qi);
	if (r < 0)
		virtio_mmio_needs_reset(t);
}

static void ops_reset(void *dev)
{
	/* Nothing in flight: the transport's reset waits for a running
	 * queue_notify (mmio.h), and requests complete within it. */
	(void)dev;
}

const struct virtio_dev_ops blk_dev_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_max = BLK_QUEUE_MAX,
    .features = ops_features,
    .config_read = ops_config_read,
    .config_write = ops_config_write,
    .queue_notify = ops_queue_notify,
    .reset = ops_reset,
};
