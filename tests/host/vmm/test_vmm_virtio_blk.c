/*
 * Unit tests for orbvm's virtio-blk device (vmm/virtio/blk.c) and its file
 * backend (vmm/virtio/blk_file.c), end to end: requests built in a fake
 * guest memory, processed from the virtqueue into a temporary disk image.
 * Read, write, flush, GET_ID, out-of-range and overflowing sectors, a
 * read-only disk, unsupported types, malformed requests, backend errors, the
 * config space, and one full pass through the virtio-mmio registers.
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

#define DISK_SECTORS 64
#define DISK_BYTES   (DISK_SECTORS * BLK_SECTOR)
#define HDR	     DRV_DATA
#define BUF	     (DRV_DATA + 0x1000)
#define STATUS	     (DRV_DATA + 0x800)
#define R	     0
#define W	     VIRTQ_DESC_F_WRITE
#define N	     VIRTQ_DESC_F_NEXT

static struct drv d;
static struct blk_dev dev;
static struct blk_file file;
static char path[64];

static void open_disk(bool ro)
{
	struct blk_backend be;
	assert_int_equal(blk_file_open(&file, &be, path, ro, false), 0);
	assert_int_equal(be.size, DISK_BYTES);
	assert_int_equal(be.read_only, ro);
	blk_init(&dev, &be, "orbvm-test-disk-0001-extra");
}

static int setup(void **state)
{
	(void)state;
	strcpy(path, "/tmp/test_vmm_virtio_blk.XXXXXX");
	disk_create(path, DISK_BYTES);
	drv_init(&d, 8);
	assert_int_equal(virtq_enable(&d.q, &d.mem), 0);
	open_disk(false);
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

static void put_hdr(uint32_t type, uint64_t sector)
{
	drv_blk_hdr(&d, HDR, type, sector);
}

/* Header, one data buffer (dir R or W, len 0 for none), status; runs it. */
static uint8_t request(uint32_t type, uint64_t sector, uint16_t dir, uint32_t len)
{
	put_hdr(type, sector);
	*drv_ptr(&d, STATUS, 1) = 0xee;
	drv_desc(&d, 0, HDR, 16, R | N, len ? 1 : 2);
	drv_desc(&d, 1, BUF, len, dir | N, 2);
	drv_desc(&d, 2, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	return *drv_ptr(&d, STATUS, 1);
}

static struct virtq_used_elem last_used(void)
{
	return drv_used(&d, (uint16_t)(drv_used_idx(&d) - 1) % 8);
}

static void read_file(uint64_t off, void *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, (long)off, SEEK_SET);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
}

static void test_read(void **state)
{
	(void)state;
	/* Data split over two descriptors of 512 bytes. */
	put_hdr(VIRTIO_BLK_T_IN, 3);
	drv_desc(&d, 0, HDR, 16, R | N, 5);
	drv_desc(&d, 5, BUF, 512, W | N, 6);
	drv_desc(&d, 6, BUF + 0x2000, 512, W | N, 7);
	drv_desc(&d, 7, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	assert_int_equal(*drv_ptr(&d, STATUS, 1), VIRTIO_BLK_S_OK);
	for (uint64_t i = 0; i < 512; i++) {
		assert_int_equal(*drv_ptr(&d, BUF + i, 1), disk_pattern(3 * 512 + i));
		assert_int_equal(*drv_ptr(&d, BUF + 0x2000 + i, 1), disk_pattern(4 * 512 + i));
	}
	assert_int_equal(last_used().id, 0);
	assert_int_equal(last_used().len, 1025);
}

static void test_read_last_sector(void **state)
{
	(void)state;
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, W, 512), VIRTIO_BLK_S_OK);
	assert_int_equal(*drv_ptr(&d, BUF + 511, 1), disk_pattern(DISK_BYTES - 1));
}

static void test_write_then_read_back(void **state)
{
	(void)state;
	uint8_t *buf = drv_ptr(&d, BUF, 1024);
	for (unsigned i = 0; i < 1024; i++)
		buf[i] = (uint8_t)(0xff - i);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 10, R, 1024), VIRTIO_BLK_S_OK);
	assert_int_equal(last_used().len, 1);
	uint8_t on_disk[1024];
	read_file(10 * 512, on_disk, sizeof(on_disk));
	assert_memory_equal(on_disk, buf, 1024);
	/* The neighbours are untouched. */
	read_file(10 * 512 - 1, on_disk, 1);
	assert_int_equal(on_disk[0], disk_pattern(10 * 512 - 1));
	read_file(12 * 512, on_disk, 1);
	assert_int_equal(on_disk[0], disk_pattern(12 * 512));

	memset(buf, 0, 1024);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 10, W, 1024), VIRTIO_BLK_S_OK);
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1023], (uint8_t)(0xff - 1023));
}

static void test_flush(void **state)
{
	(void)state;
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, R, 0), VIRTIO_BLK_S_OK);
	/* A flush with a data buffer is malformed. */
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, W, 512), VIRTIO_BLK_S_IOERR);
}

static void test_get_id(void **state)
{
	(void)state;
	memset(drv_ptr(&d, BUF, 32), 0x77, 32);
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, W, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(drv_ptr(&d, BUF, 20), "orbvm-test-disk-0001", 20);
	assert_int_equal(*drv_ptr(&d, BUF + 20, 1), 0x77);

	/* A short id is NUL-padded; a short buffer gets what fits. */
	struct blk_backend be = dev.be;
	blk_init(&dev, &be, "vda");
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, W, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(drv_ptr(&d, BUF, 20), "vda\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	memset(drv_ptr(&d, BUF, 32), 0x77, 32);
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, W, 2), VIRTIO_BLK_S_OK);
	assert_memory_equal(drv_ptr(&d, BUF, 3), "vd\x77", 3);
}

static void test_out_of_range(void **state)
{
	(void)state;
	memset(drv_ptr(&d, BUF, 1024), 0x33, 1024);
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS, W, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, W, 1024), VIRTIO_BLK_S_IOERR);
	/* sector * 512 would wrap around 2^64. */
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0x0080000000000000ull, W, 512),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, ~0ull, W, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(*drv_ptr(&d, BUF, 1), 0x33); /* no data was read */
	assert_int_equal(request(VIRTIO_BLK_T_OUT, DISK_SECTORS, R, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, ~0ull - 1, R, 1024), VIRTIO_BLK_S_IOERR);
	/* Zero-length transfers at the very end are fine. */
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS, W, 0), VIRTIO_BLK_S_OK);
}

static void test_read_only_disk(void **state)
{
	(void)state;
	blk_file_close(&file);
	open_disk(true);
	assert_true(blk_features(&dev) & (1ull << VIRTIO_BLK_F_RO));
	memset(drv_ptr(&d, BUF, 512), 0, 512);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, R, 512), VIRTIO_BLK_S_IOERR);
	uint8_t b;
	read_file(0, &b, 1);
	assert_int_equal(b, disk_pattern(0));
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, W, 512), VIRTIO_BLK_S_OK);
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, R, 0), VIRTIO_BLK_S_OK);
}

static void test_unsupported_types(void **state)
{
	(void)state;
	assert_int_equal(request(11 /* DISCARD */, 0, R, 16), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(request(13 /* WRITE_ZEROES */, 0, R, 16), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(request(0xffffffff, 0, W, 16), VIRTIO_BLK_S_UNSUPP);
}

static void test_malformed_requests(void **state)
{
	(void)state;
	/* Data length not a multiple of the sector size. */
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, W, 100), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, R, 513), VIRTIO_BLK_S_IOERR);
	/* Wrong direction of the data for the type. */
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, R, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, W, 512), VIRTIO_BLK_S_IOERR);

	/* A header of 8 bytes. */
	drv_desc(&d, 0, HDR, 8, R | N, 2);
	drv_desc(&d, 2, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	assert_int_equal(*drv_ptr(&d, STATUS, 1), VIRTIO_BLK_S_IOERR);

	/* No writable byte for the status: returned with length 0. */
	put_hdr(VIRTIO_BLK_T_IN, 0);
	drv_desc(&d, 3, HDR, 16, R, 0);
	drv_avail(&d, 3);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	assert_int_equal(last_used().id, 3);
	assert_int_equal(last_used().len, 0);
}

static void test_header_split_over_descriptors(void **state)
{
	(void)state;
	put_hdr(VIRTIO_BLK_T_IN, 7);
	drv_desc(&d, 0, HDR, 4, R | N, 1);
	drv_desc(&d, 1, HDR + 4, 12, R | N, 2);
	drv_desc(&d, 2, BUF, 512, W | N, 3);
	drv_desc(&d, 3, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 1);
	assert_int_equal(*drv_ptr(&d, STATUS, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(*drv_ptr(&d, BUF, 1), disk_pattern(7 * 512));
}

static void test_bad_chain_returned_empty(void **state)
{
	(void)state;
	put_hdr(VIRTIO_BLK_T_IN, 0);
	drv_desc(&d, 0, HDR, 16, R | N, 1);
	drv_desc(&d, 1, 0xfee00000, 512, W | N, 2); /* the local APIC, not RAM */
	drv_desc(&d, 2, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), -ERR_FAULT);
	assert_int_equal(drv_used_idx(&d), 1);
	assert_int_equal(last_used().id, 0);
	assert_int_equal(last_used().len, 0);
	/* A head beyond the queue cannot be returned at all. */
	drv_avail(&d, 200);
	assert_int_equal(blk_process_queue(&dev, &d.q), -ERR_INVAL);
	assert_int_equal(drv_used_idx(&d), 1);
}

/*
 * A backend whose reads land on the available index and always announce one
 * more chain (entries 0 = chain 0): a guest can do that with a crafted disk.
 */
static unsigned refill_reads;

static int refill_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)off;
	uint16_t idx = (uint16_t)(++refill_reads + 1);
	memset(buf, 0, len);
	memcpy(buf, &idx, 2);
	return 0;
}

static void test_self_refilling_ring_is_bounded(void **state)
{
	(void)state;
	static const struct blk_backend_ops ops = {.read = refill_read};
	struct blk_backend be = {.ops = &ops, .size = DISK_BYTES, .read_only = true};
	blk_init(&dev, &be, NULL);
	refill_reads = 0;
	put_hdr(VIRTIO_BLK_T_IN, 0);
	drv_desc(&d, 0, HDR, 16, R | N, 1);
	drv_desc(&d, 1, DRV_AVAIL + 2, 512, W | N, 2); /* over avail->idx and the ring */
	drv_desc(&d, 2, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(blk_process_queue(&dev, &d.q), 8);
	assert_int_equal(refill_reads, 8);
	assert_true(virtq_has_pending(&d.q));
}

static int failing_io(void *ctx, void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)buf, (void)len, (void)off;
	return -ERR_FAULT;
}

static int failing_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)buf, (void)len, (void)off;
	return -ERR_FAULT;
}

static int failing_flush(void *ctx)
{
	(void)ctx;
	return -ERR_FAULT;
}

static void test_backend_errors(void **state)
{
	(void)state;
	static const struct blk_backend_ops bad = {
	    .read = failing_io, .write = failing_write, .flush = failing_flush};
	struct blk_backend be = {.ops = &bad, .size = DISK_BYTES};
	blk_init(&dev, &be, NULL);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, W, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, R, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, R, 0), VIRTIO_BLK_S_IOERR);
}

static void test_file_open_errors(void **state)
{
	(void)state;
	struct blk_file f;
	struct blk_backend be;
	assert_int_equal(blk_file_open(&f, &be, "/nonexistent/disk.img", false, false), -ERR_NOENT);
	assert_int_equal(blk_file_open(&f, &be, "/tmp", true, false), -ERR_INVAL);
}

static uint64_t cfg64(struct virtio_mmio *t, uint32_t off, uint32_t len)
{
	uint8_t b[8] = {0};
	uint64_t v = 0;
	virtio_mmio_access(t, VIRTIO_MMIO_CONFIG + off, b, len, false);
	memcpy(&v, b, len);
	return v;
}

static int irq_level;

static void irq(void *ctx, bool level)
{
	(void)ctx;
	irq_level = level;
}

/* A whole driver start-up and one read through the MMIO registers. */
static void test_through_mmio(void **state)
{
	(void)state;
	struct virtio_mmio t;
	virtio_mmio_init(&t, &blk_dev_ops, &dev, &d.mem, irq, NULL);
	assert_int_equal(drv_mmio_read(&t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	assert_int_equal(cfg64(&t, BLK_CFG_CAPACITY, 8), DISK_SECTORS);
	assert_int_equal(cfg64(&t, BLK_CFG_SEG_MAX, 4), BLK_QUEUE_MAX - 2);
	assert_int_equal(cfg64(&t, BLK_CFG_BLK_SIZE, 4), 512);
	assert_int_equal(cfg64(&t, 0x80, 4), 0);

	drv_mmio_write(&t, VIRTIO_MMIO_STATUS, 3);
	drv_mmio_write(&t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = drv_mmio_read(&t, VIRTIO_MMIO_DEVICE_FEATURES);
	assert_true(lo & (1u << VIRTIO_BLK_F_FLUSH));
	assert_false(lo & (1u << VIRTIO_BLK_F_RO));
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES, lo);
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(drv_mmio_read(&t, VIRTIO_MMIO_STATUS), 3 | VIRTIO_STATUS_FEATURES_OK);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(drv_mmio_read(&t, VIRTIO_MMIO_QUEUE_NUM_MAX), BLK_QUEUE_MAX);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_NUM, 8);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DRV_DESC);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)DRV_AVAIL);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)DRV_USED);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_READY, 1);
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS,
		       3 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);

	/* The driver's own ring shadow restarts at 0 with the enabled queue. */
	d.avail_idx = 0;
	put_hdr(VIRTIO_BLK_T_IN, 1);
	drv_desc(&d, 0, HDR, 16, R | N, 1);
	drv_desc(&d, 1, BUF, 512, W | N, 2);
	drv_desc(&d, 2, STATUS, 1, W, 0);
	drv_avail(&d, 0);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(*drv_ptr(&d, STATUS, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(*drv_ptr(&d, BUF, 1), disk_pattern(512));
	assert_int_equal(drv_used_idx(&d), 1);
	assert_int_equal(irq_level, 1);
	assert_int_equal(drv_mmio_read(&t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	drv_mmio_write(&t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 0);

	/* A bad chain: returned empty, DEVICE_NEEDS_RESET and a config interrupt. */
	drv_desc(&d, 0, HDR, 16, R | N, 0);
	drv_avail(&d, 0);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(drv_used_idx(&d), 2);
	assert_true(drv_mmio_read(&t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_true(drv_mmio_read(&t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	virtio_mmio_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_last_sector, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_then_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_get_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsupported_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_split_over_descriptors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_chain_returned_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_self_refilling_ring_is_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backend_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_through_mmio, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
