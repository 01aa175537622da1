/*
 * The io_uring batch engine; see blk_uring.h.
 *
 * Trust boundary: the iovecs point into guest RAM and were checked by the
 * virtqueue walker (virtq_pop) and sized by blk_request_decode; the offsets
 * and lengths lie inside the disk. Splitting only narrows those ranges.
 * Completions come from the host kernel; user_data is checked to be a piece
 * of this run before it indexes anything.
 */
#include <errno.h>
#include <string.h>

#include "err.h"
#include "virtio/blk_file.h"
#include "virtio/blk_uring.h"

int blk_uring_init(struct blk_uring *u, int fd)
{
	memset(u, 0, sizeof(*u));
	u->fd = fd;
	/* One SQE per piece; the CQ is twice that: a run never overflows it. */
	int r = io_uring_queue_init(BLK_URING_PIECES, &u->ring, 0);
	if (r < 0) {
		u->broken = true;
		return err_set(ERR_NOSYS, "io_uring_queue_init: %s", strerror(-r));
	}
	u->inited = true;
	return 0;
}

void blk_uring_destroy(struct blk_uring *u)
{
	if (u->inited)
		io_uring_queue_exit(&u->ring);
	u->inited = false;
	u->broken = true;
}

static void uring_add(void *ctx, struct iovec *iov, int n, uint64_t off, uint64_t len, bool write,
		      unsigned tag)
{
	struct blk_uring *u = ctx;
	/* blk.c hands out tags 0, 1, ... below BLK_BATCH_MAX, one run at a time. */
	if (tag != u->n || tag >= BLK_BATCH_MAX)
		return;
	u->op[tag] =
	    (struct blk_uring_op){.iov = iov, .n = n, .off = off, .len = len, .write = write};
	u->n++;
}

/* Adds a piece of transfer tag: iov[0..n) copied into the pool. */
static void add_piece(struct blk_uring *u, unsigned tag, const struct iovec *iov, int n,
		      uint64_t off, uint64_t len)
{
	struct blk_uring_piece *p = &u->piece[u->np++];
	/* Pool room: every transfer takes at most its n entries plus one (the
	 * entry cut in two appears in both pieces), and blk.c queues at most
	 * BLK_BATCH_IOVS entries over at most BLK_BATCH_MAX transfers. */
	*p = (struct blk_uring_piece){
	    .tag = tag, .iov = u->iov + u->niov, .n = n, .off = off, .len = len};
	memcpy(p->iov, iov, (size_t)n * sizeof(*iov));
	u->niov += (unsigned)n;
	u->op[tag].pieces_left++;
}

/* Cuts transfer tag into pieces (blk_uring.h): one, or for a large read two halves. */
static void make_pieces(struct blk_uring *u, unsigned tag)
{
	struct blk_uring_op *op = &u->op[tag];
	uint64_t half = (op->len / 2) & ~(uint64_t)4095;
	if (op->write || op->len < BLK_URING_SPLIT || half == 0) {
		add_piece(u, tag, op->iov, op->n, op->off, op->len);
		return;
	}
	/* Entry k holds byte `half`: [cum, cum + iov[k].len) with cum <= half. */
	uint64_t cum = 0;
	int k = 0;
	while (cum + op->iov[k].iov_len <= half) /* half < len: stops before n */
		cum += op->iov[k++].iov_len;
	uint64_t head = half - cum;
	add_piece(u, tag, op->iov, head ? k + 1 : k, op->off, half);
	if (head)
		u->piece[u->np - 1].iov[k].iov_len = head;
	add_piece(u, tag, op->iov + k, op->n - k, op->off + half, op->len - half);
	struct iovec *first = &u->piece[u->np - 1].iov[0];
	first->iov_base = (uint8_t *)first->iov_base + head;
	first->iov_len -= head;
	u->split++;
}

/* Piece p of this run completed with res (bytes or -errno), or got no SQE (res -EAGAIN). */
static void piece_done(struct blk_uring *u, unsigned p, int res,
		       void (*done)(void *, unsigned, int), void *arg)
{
	struct blk_uring_op *op = &u->op[u->piece[p].tag];
	if (res < 0 || (uint64_t)res != u->piece[p].len)
		op->failed = true;
	if (--op->pieces_left > 0)
		return;
	op->done = true;
	int r = 0;
	if (op->failed) {
		/* Short, EAGAIN, error: redo it all synchronously (blk_uring.h). */
		u->retried++;
		r = blk_file_rw(u->fd, op->iov, op->n, op->off, op->write);
	}
	done(arg, u->piece[p].tag, r);
}

/* Prepares piece p's SQE; false if there is none. */
static bool prep(struct blk_uring *u, unsigned p, bool async)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return false;
	struct blk_uring_piece *pc = &u->piece[p];
	if (u->op[pc->tag].write)
		io_uring_prep_writev(sqe, u->fd, pc->iov, (unsigned)pc->n, pc->off);
	else
		io_uring_prep_readv(sqe, u->fd, pc->iov, (unsigned)pc->n, pc->off);
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data64(sqe, p);
	return true;
}

/* A piece's progress in uring_run. */
enum { PIECE_NEW, PIECE_IN_RING, PIECE_DONE };

/*
 * Puts the pieces into the ring: reads but the largest go to io-wq first;
 * then, inline in this thread, the writes and the largest read
 * (blk_uring.h). Returns how many went in.
 */
static unsigned uring_queue(struct blk_uring *u, uint8_t state[])
{
	unsigned big = u->np, queued = 0;
	for (unsigned p = 0; p < u->np; p++)
		if (!u->op[u->piece[p].tag].write &&
		    (big == u->np || u->piece[p].len > u->piece[big].len))
			big = p;
	for (int pass = 0; pass < 3; pass++) {
		for (unsigned p = 0; p < u->np; p++) {
			bool write = u->op[u->piece[p].tag].write;
			bool want = pass == 0 ? !write && p != big : pass == 1 ? write : p == big;
			if (want && prep(u, p, pass == 0)) {
				state[p] = PIECE_IN_RING;
				queued++;
			}
		}
	}
	return queued;
}

/* Submits and reaps until the `left` pieces in the ring are done or it breaks. */
static void uring_reap(struct blk_uring *u, uint8_t state[], unsigned left,
		       void (*done)(void *arg, unsigned tag, int result), void *arg)
{
	while (left > 0 && !u->broken) {
		int r = io_uring_submit_and_wait(&u->ring, 1);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
			/*
			 * The ring is unusable (EBADF, EFAULT: cannot happen with a
			 * ring set up here). Pieces already in the kernel cannot be
			 * recalled; they move the same bytes as the retry below.
			 */
			u->broken = true;
			break;
		}
		u->submitted += r > 0 ? (unsigned)r : 0;
		struct io_uring_cqe *cqe;
		while (left > 0 && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
			uint64_t p = io_uring_cqe_get_data64(cqe);
			int res = cqe->res;
			io_uring_cqe_seen(&u->ring, cqe);
			if (p < u->np && state[p] == PIECE_IN_RING) {
				state[p] = PIECE_DONE;
				left--;
				piece_done(u, (unsigned)p, res, done, arg);
			}
		}
	}
}

static void uring_run(void *ctx, void (*done)(void *arg, unsigned tag, int result), void *arg)
{
	struct blk_uring *u = ctx;
	uint8_t state[BLK_URING_PIECES] = {PIECE_NEW};

	u->np = u->niov = 0;
	for (unsigned t = 0; t < u->n; t++)
		make_pieces(u, t);
	if (!u->broken)
		uring_reap(u, state, uring_queue(u, state), done, arg);
	/* Pieces without an SQE (or left by a broken ring): their transfer is redone. */
	for (unsigned p = 0; p < u->np; p++)
		if (state[p] != PIECE_DONE) {
			state[p] = PIECE_DONE;
			piece_done(u, p, -EAGAIN, done, arg);
		}
	u->n = u->np = u->niov = 0;
}

const struct blk_backend_batch_ops blk_uring_ops = {
    .add = uring_add,
    .run = uring_run,
};
