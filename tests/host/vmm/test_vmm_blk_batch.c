/*
 * Unit tests for virtio-blk's batched requests (vmm/virtio/blk.c with a
 * struct blk_backend_batch_ops) and the io_uring engine behind them
 * (vmm/virtio/blk_uring.c), over a temporary disk image and a fake guest
 * memory.
 *
 * With a recording fake engine: one notification's IN/OUT requests become
 * one batch, completed in whatever order the engine reports them; a FLUSH
 * runs the batch before it first (so fdatasync follows the earlier writes);
 * the batch is cut at BLK_BATCH_MAX requests and at BLK_BATCH_IOVS buffers;
 * an engine error fails only its own request; requests that need no transfer
 * (GET_ID, out of range) never reach the engine. With the io_uring engine:
 * batched reads and writes land at the right places; reads of 256 KiB or
 * more are cut in two pieces (the cut inside a buffer or on a buffer
 * boundary) and still move every byte to the right place, writes are not
 * cut; a file that
 * shrank after open gives an I/O error through the synchronous retry, and a
 * broken ring falls back to preadv/pwritev.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <orbital/errors.h>

#include "blk_disk.h"
#include "virtio_driver.h"
#include "virtio/blk.h"
#include "virtio/blk_file.h"
#include "virtio/blk_uring.h"

#define QSIZE	     256
#define DISK_SECTORS 4096 /* 2 MiB */
#define DISK_BYTES   (DISK_SECTORS * BLK_SECTOR)
/* Request k's header, status byte and 512-byte data buffer. */
#define HDR(k)	  (DRV_DATA + 16ull * (k))
#define STATUS(k) (DRV_DATA + 0x1000 + (k))
#define BUF(k)	  (DRV_DATA + 0x2000 + 512ull * (k))
#define R	  0
#define W	  VIRTQ_DESC_F_WRITE
#define N	  VIRTQ_DESC_F_NEXT

static struct drv d;
static struct blk_dev dev;
static struct blk_file file;
static struct blk_backend be;
static char path[64];

static int setup(void **state)
{
	(void)state;
	strcpy(path, "/tmp/test_vmm_blk_batch.XXXXXX");
	disk_create(path, DISK_BYTES);
	drv_init(&d, QSIZE);
	assert_int_equal(virtq_enable(&d.q, &d.mem), 0);
	assert_int_equal(blk_file_open(&file, &be, path, false, false), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	blk_file_close(&file);
	unlink(path);
	drv_free(&d);
	return 0;
}

/* Request k: header, one 512-byte buffer (dir R: OUT, W: IN), status; descriptors 3k.. */
static void post(unsigned k, uint32_t type, uint64_t sector, uint16_t dir)
{
	drv_blk_hdr(&d, HDR(k), type, sector);
	*drv_ptr(&d, STATUS(k), 1) = 0xee;
	uint16_t i = (uint16_t)(3 * k);
	bool data =
	    type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT || type == VIRTIO_BLK_T_GET_ID;
	drv_desc(&d, i, HDR(k), 16, R | N, data ? i + 1 : i + 2);
	drv_desc(&d, i + 1, BUF(k), 512, dir | N, i + 2);
	drv_desc(&d, i + 2, STATUS(k), 1, W, 0);
	drv_avail(&d, i);
}

static uint8_t status(unsigned k)
{
	return *drv_ptr(&d, STATUS(k), 1);
}

/* --- A recording fake engine: does the I/O with blk_file_rw, in reverse order. --- */

struct fake_xfer {
	struct iovec *iov;
	int n;
	uint64_t off, len;
	bool write;
};

static struct fake {
	unsigned n;		/* queued now */
	struct fake_xfer x[64]; /* indexed by tag */
	unsigned runs;		/* run() calls */
	unsigned sizes[64];	/* transfers in each run */
	int fail_tag;		/* this tag reports -ERR_FAULT (-1: none) */
	unsigned flush_at_run;	/* runs done when the backend's flush ran */
	unsigned flushes;
} fake;

static void fake_add(void *ctx, struct iovec *iov, int n, uint64_t off, uint64_t len, bool write,
		     unsigned tag)
{
	(void)ctx;
	assert_true(tag < BLK_BATCH_MAX);
	assert_int_equal(tag, fake.n); /* tags 0, 1, ... per batch */
	uint64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += iov[i].iov_len;
	assert_int_equal(sum, len);
	fake.x[tag] = (struct fake_xfer){iov, n, off, len, write};
	fake.n++;
}

static void fake_run(void *ctx, void (*done)(void *, unsigned, int), void *arg)
{
	(void)ctx;
	fake.sizes[fake.runs++] = fake.n;
	for (unsigned t = fake.n; t-- > 0;) {
		struct fake_xfer *x = &fake.x[t];
		int r = blk_file_rw(file.fd, x->iov, x->n, x->off, x->write);
		done(arg, t, (int)t == fake.fail_tag ? -ERR_FAULT : r);
	}
	fake.n = 0;
}

static const struct blk_backend_batch_ops fake_ops = {.add = fake_add, .run = fake_run};

static int fake_flush(void *ctx)
{
	(void)ctx;
	fake.flush_at_run = fake.runs;
	fake.flushes++;
	return 0;
}

static struct blk_backend_ops flush_recording_ops;

static void use_fake(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.fail_tag = -1;
	struct blk_backend b = be;
	flush_recording_ops = *be.ops;
	flush_recording_ops.flush = fake_flush;
	b.ops = &flush_recording_ops;
	b.batch = &fake_ops;
	b.batch_ctx = NULL;
	blk_init(&dev, &b, "batch");
}

static void test_one_notification_one_batch(void **state)
{
	(void)state;
	use_fake();
	for (unsigned k = 0; k < 3; k++)
		post(k, VIRTIO_BLK_T_IN, 10 + k, W);
	memset(drv_ptr(&d, BUF(3), 512), 0xab, 512);
	post(3, VIRTIO_BLK_T_OUT, 200, R);
	assert_int_equal(blk_process_queue(&dev, &d.q), 4);
	assert_int_equal(fake.runs, 1);
	assert_int_equal(fake.sizes[0], 4);
	assert_int_equal(dev.batches, 1);
	assert_int_equal(dev.batched, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
	for (unsigned k = 0; k < 3; k++)
		for (unsigned i = 0; i < 512; i += 97)
			assert_int_equal(*drv_ptr(&d, BUF(k) + i, 1),
					 disk_pattern((10 + k) * 512 + i));
	uint8_t back[512];
	FILE *f = fopen(path, "rb");
	fseek(f, 200 * 512, SEEK_SET);
	assert_int_equal(fread(back, 1, 512, f), 512);
	fclose(f);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(back[i], 0xab);
	/* Completed in reverse: the used ring has every head, used lengths 513 / 1. */
	assert_int_equal(drv_used_idx(&d), 4);
	bool seen[4] = {0};
	for (unsigned s = 0; s < 4; s++) {
		struct virtq_used_elem e = drv_used(&d, (uint16_t)s);
		assert_int_equal(e.id % 3, 0);
		seen[e.id / 3] = true;
		assert_int_equal(e.len, e.id / 3 == 3 ? 1 : 513);
	}
	assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
	assert_int_equal(drv_used(&d, 0).id, 9); /* the last queued completed first */
}

static void test_flush_runs_the_batch_before_it(void **state)
{
	(void)state;
	use_fake();
	post(0, VIRTIO_BLK_T_OUT, 1, R);
	post(1, VIRTIO_BLK_T_OUT, 2, R);
	post(2, VIRTIO_BLK_T_FLUSH, 0, R);
	post(3, VIRTIO_BLK_T_IN, 3, W);
	assert_int_equal(blk_process_queue(&dev, &d.q), 4);
	assert_int_equal(fake.flushes, 1);
	assert_int_equal(fake.flush_at_run, 1); /* the two writes had run */
	assert_int_equal(fake.runs, 2);
	assert_int_equal(fake.sizes[0], 2);
	assert_int_equal(fake.sizes[1], 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
	/* The flush completed after the writes: third on the used ring. */
	assert_int_equal(drv_used(&d, 2).id, 6);
}

static void test_batch_cut_at_max_requests(void **state)
{
	(void)state;
	use_fake();
	for (unsigned k = 0; k < BLK_BATCH_MAX + 8; k++)
		post(k, VIRTIO_BLK_T_IN, k, W);
	assert_int_equal(blk_process_queue(&dev, &d.q), BLK_BATCH_MAX + 8);
	assert_int_equal(fake.runs, 2);
	assert_int_equal(fake.sizes[0], BLK_BATCH_MAX);
	assert_int_equal(fake.sizes[1], 8);
	for (unsigned k = 0; k < BLK_BATCH_MAX + 8; k++) {
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
		assert_int_equal(*drv_ptr(&d, BUF(k) + 5, 1), disk_pattern(k * 512 + 5));
	}
}

static void test_batch_cut_at_max_buffers(void **state)
{
	(void)state;
	use_fake();
	/* One chain of 250 one-sector buffers, offered 5 times (a guest may). */
	const unsigned nb = 250;
	uint8_t h[16] = {0};
	memcpy(h + 8, &(uint64_t){0}, 8); /* IN, sector 0 */
	memcpy(drv_ptr(&d, HDR(0), 16), h, 16);
	drv_desc(&d, 0, HDR(0), 16, R | N, 1);
	for (unsigned i = 0; i < nb; i++)
		drv_desc(&d, (uint16_t)(1 + i), DRV_DATA + 0x10000 + 512ull * i, 512, W | N,
			 (uint16_t)(2 + i));
	drv_desc(&d, (uint16_t)(1 + nb), STATUS(0), 1, W, 0);
	for (unsigned k = 0; k < 5; k++)
		drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 5);
	/* 4 x 250 buffers fit in BLK_BATCH_IOVS (1024), the fifth starts a new batch. */
	assert_int_equal(fake.runs, 2);
	assert_int_equal(fake.sizes[0], 4);
	assert_int_equal(fake.sizes[1], 1);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(*drv_ptr(&d, DRV_DATA + 0x10000 + 512ull * 249 + 3, 1),
			 disk_pattern(249 * 512 + 3));
}

static void test_engine_error_fails_only_its_request(void **state)
{
	(void)state;
	use_fake();
	fake.fail_tag = 1;
	for (unsigned k = 0; k < 3; k++)
		post(k, VIRTIO_BLK_T_IN, k, W);
	assert_int_equal(blk_process_queue(&dev, &d.q), 3);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(status(1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status(2), VIRTIO_BLK_S_OK);
}

static void test_non_transfers_bypass_the_engine(void **state)
{
	(void)state;
	use_fake();
	post(0, VIRTIO_BLK_T_GET_ID, 0, W);
	post(1, VIRTIO_BLK_T_IN, DISK_SECTORS, W); /* beyond the end */
	post(2, 99, 0, R);			   /* unknown type */
	assert_int_equal(blk_process_queue(&dev, &d.q), 3);
	assert_int_equal(fake.runs, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_memory_equal(drv_ptr(&d, BUF(0), 5), "batch", 5);
	assert_int_equal(status(1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status(2), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(drv_used_idx(&d), 3);
}

/* --- The io_uring engine. --- */

static struct blk_uring ring;

/* Sets dev up over the io_uring engine; false (test skipped) without io_uring. */
static bool use_uring(void)
{
	if (blk_uring_init(&ring, file.fd) < 0) {
		print_message("io_uring unavailable here: %s\n", "skipped");
		return false;
	}
	struct blk_backend b = be;
	b.batch = &blk_uring_ops;
	b.batch_ctx = &ring;
	blk_init(&dev, &b, NULL);
	return true;
}

static void test_uring_reads_and_writes(void **state)
{
	(void)state;
	if (!use_uring())
		skip();
	for (unsigned k = 0; k < 20; k++) {
		memset(drv_ptr(&d, BUF(k), 512), (int)(0x40 + k), 512);
		post(k, k % 2 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 7 * k, k % 2 ? R : W);
	}
	assert_int_equal(blk_process_queue(&dev, &d.q), 20);
	assert_int_equal(dev.batches, 1);
	assert_int_equal(ring.submitted, 20);
	assert_int_equal(ring.retried, 0);
	for (unsigned k = 0; k < 20; k++) {
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
		uint8_t b[512];
		assert_int_equal(pread(file.fd, b, 512, 7 * k * 512), 512);
		for (unsigned i = 0; i < 512; i += 61)
			assert_int_equal(b[i], k % 2 ? 0x40 + k : disk_pattern(7 * k * 512 + i));
		if (k % 2 == 0)
			assert_memory_equal(drv_ptr(&d, BUF(k), 512), b, 512);
	}
	assert_int_equal(drv_used_idx(&d), 20);
	blk_uring_destroy(&ring);
}

/*
 * Request k with `nb` data buffers of lens[] bytes, back to back in high RAM
 * from `gpa`; descriptors 100 + 10k...
 */
static void post_big(unsigned k, uint32_t type, uint64_t sector, const uint32_t *lens, unsigned nb,
		     uint64_t gpa)
{
	drv_blk_hdr(&d, HDR(k), type, sector);
	*drv_ptr(&d, STATUS(k), 1) = 0xee;
	uint16_t i = (uint16_t)(100 + 10 * k);
	uint16_t dir = type == VIRTIO_BLK_T_IN ? W : R;
	drv_desc(&d, i, HDR(k), 16, R | N, i + 1);
	for (unsigned b = 0; b < nb; b++) {
		drv_desc(&d, (uint16_t)(i + 1 + b), gpa, lens[b], dir | N, (uint16_t)(i + 2 + b));
		gpa += lens[b];
	}
	drv_desc(&d, (uint16_t)(i + 1 + nb), STATUS(k), 1, W, 0);
	drv_avail(&d, i);
}

static void test_uring_large_transfers_split(void **state)
{
	(void)state;
	if (!use_uring())
		skip();
	/* 500 KiB read, cut at 248 KiB: inside its second buffer. */
	const uint32_t lens[3] = {100 << 10, 300 << 10, 100 << 10};
	uint64_t a = MEM_HIGH_START;
	memset(drv_ptr(&d, a, 500 << 10), 0, 500 << 10);
	post_big(0, VIRTIO_BLK_T_IN, 100, lens, 3, a);
	/* 512 KiB write: not cut (writes to one file serialize in the kernel). */
	const uint32_t wl[2] = {256 << 10, 256 << 10};
	uint64_t b = DRV_DATA + 0x40000;
	uint8_t *src = drv_ptr(&d, b, 512 << 10);
	for (uint32_t i = 0; i < (512u << 10); i++)
		src[i] = (uint8_t)(i * 13 + 5);
	post_big(1, VIRTIO_BLK_T_OUT, 2048, wl, 2, b);
	/* A small one beside them: one piece. */
	post(2, VIRTIO_BLK_T_IN, 7, W);
	assert_int_equal(blk_process_queue(&dev, &d.q), 3);
	assert_int_equal(ring.split, 1);
	assert_int_equal(ring.submitted, 4);
	assert_int_equal(ring.retried, 0);
	for (unsigned k = 0; k < 3; k++)
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
	const uint8_t *dst = drv_ptr(&d, a, 500 << 10);
	for (uint32_t i = 0; i < (500u << 10); i++)
		if (dst[i] != disk_pattern(100 * 512 + i))
			fail_msg("read byte %u wrong", i);
	static uint8_t back[512 << 10];
	assert_int_equal(pread(file.fd, back, sizeof(back), 2048 * 512), sizeof(back));
	for (uint32_t i = 0; i < (512u << 10); i++)
		if (back[i] != (uint8_t)(i * 13 + 5))
			fail_msg("written byte %u wrong", i);
	assert_int_equal(*drv_ptr(&d, BUF(2) + 3, 1), disk_pattern(7 * 512 + 3));

	/* 512 KiB read cut at 256 KiB: exactly between its two buffers. */
	memset(drv_ptr(&d, b, 512 << 10), 0, 512 << 10);
	post_big(3, VIRTIO_BLK_T_IN, 2048, wl, 2, b);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	assert_int_equal(ring.split, 2);
	assert_int_equal(status(3), VIRTIO_BLK_S_OK);
	assert_memory_equal(drv_ptr(&d, b, 512 << 10), back, 512 << 10);
	blk_uring_destroy(&ring);
}

static void test_uring_short_read_is_an_error(void **state)
{
	(void)state;
	if (!use_uring())
		skip();
	/* The file shrinks under orbvm: sectors past the new end read short. */
	assert_int_equal(ftruncate(file.fd, 100 * 512), 0);
	post(0, VIRTIO_BLK_T_IN, 99, W);
	post(1, VIRTIO_BLK_T_IN, 150, W);
	/* And a large one, cut in two, whose second piece reads short. */
	const uint32_t lens[1] = {300 << 10};
	post_big(2, VIRTIO_BLK_T_IN, 0, lens, 1, MEM_HIGH_START);
	assert_int_equal(blk_process_queue(&dev, &d.q), 3);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(status(1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status(2), VIRTIO_BLK_S_IOERR);
	assert_int_equal(ring.split, 1);
	assert_int_equal(ring.retried, 2);
	blk_uring_destroy(&ring);
}

static void test_uring_broken_ring_falls_back(void **state)
{
	(void)state;
	if (!use_uring())
		skip();
	ring.broken = true; /* as after a failed io_uring_enter */
	for (unsigned k = 0; k < 3; k++)
		post(k, VIRTIO_BLK_T_IN, 30 + k, W);
	assert_int_equal(blk_process_queue(&dev, &d.q), 3);
	assert_int_equal(ring.submitted, 0);
	assert_int_equal(ring.retried, 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(status(k), VIRTIO_BLK_S_OK);
		assert_int_equal(*drv_ptr(&d, BUF(k) + 9, 1), disk_pattern((30 + k) * 512 + 9));
	}
	blk_uring_destroy(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_notification_one_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_runs_the_batch_before_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_cut_at_max_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_cut_at_max_buffers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_engine_error_fails_only_its_request, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_non_transfers_bypass_the_engine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uring_reads_and_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uring_large_transfers_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uring_short_read_is_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uring_broken_ring_falls_back, setup, teardown),
	};
	return cmocka_run_group_tests_name("vmm_blk_batch", tests, NULL, NULL);
}
