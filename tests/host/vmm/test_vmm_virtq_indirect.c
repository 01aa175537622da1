/*
 * Unit tests for indirect descriptor tables in orbvm's virtqueue walker
 * (vmm/virtio/virtqueue.c, VIRTIO_F_INDIRECT_DESC) over a fake guest
 * memory: well-formed tables (alone, after direct descriptors, the largest
 * one, the indirect descriptor's WRITE flag ignored) and malicious ones
 * (not negotiated, with NEXT, empty, a length not a multiple of 16, too many
 * entries, outside or straddling RAM, nested, loops, `next` beyond the
 * table, a buffer outside RAM, readable after writable, a table entry past
 * the chain's buffer limit); and the transport enabling tables exactly when
 * the driver negotiated the feature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <orbital/errors.h>

#include "virtio_driver.h"
#include "virtio/mmio.h"

#define R     0
#define W     VIRTQ_DESC_F_WRITE
#define N     VIRTQ_DESC_F_NEXT
#define I     VIRTQ_DESC_F_INDIRECT
#define TABLE (DRV_DATA + 0x8000) /* room for 2048 entries before 0x20000 */

static struct drv d;
static struct virtq_chain c;

static int setup(void **state)
{
	(void)state;
	drv_init(&d, 8);
	assert_int_equal(virtq_enable(&d.q, &d.mem), 0);
	d.q.indirect = true;
	memset(&c, 0x5a, sizeof(c));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drv_free(&d);
	return 0;
}

/* Entry j of the table at TABLE. */
static void ent(uint16_t j, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc v = {.addr = addr, .len = len, .flags = flags, .next = next};
	memcpy(drv_ptr(&d, TABLE + 16ull * j, 16), &v, 16);
}

/* Ring descriptor 0 points at len_bytes of table at TABLE; posts it and pops. */
static int pop_table(uint32_t len_bytes, uint16_t flags)
{
	drv_desc(&d, 0, TABLE, len_bytes, I | flags, 0);
	drv_avail(&d, 0);
	return virtq_pop(&d.q, &c);
}

static void test_table_alone(void **state)
{
	(void)state;
	ent(0, DRV_DATA, 16, R | N, 2); /* entries in any order inside the table */
	ent(2, DRV_DATA + 0x100, 512, W | N, 1);
	ent(1, DRV_DATA + 0x400, 1, W, 0);
	assert_int_equal(pop_table(3 * 16, 0), 1);
	assert_int_equal(c.head, 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.out_bytes, 16);
	assert_int_equal(c.in_bytes, 513);
	assert_ptr_equal(c.iov[1].host, d.mem.host + DRV_DATA + 0x100);
	assert_int_equal(c.iov[2].gpa, DRV_DATA + 0x400);
	assert_int_equal(virtq_pop(&d.q, &c), 0);
}

static void test_direct_then_table(void **state)
{
	(void)state;
	drv_desc(&d, 5, DRV_DATA, 16, R | N, 6);
	drv_desc(&d, 6, TABLE, 2 * 16, I | W, 0); /* WRITE on the indirect one: ignored */
	ent(0, DRV_DATA + 0x20, 8, R | N, 1);
	ent(1, DRV_DATA + 0x400, 1, W, 0);
	drv_avail(&d, 5);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_int_equal(c.head, 5);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_out, 2);
	assert_int_equal(c.out_bytes, 24);
	assert_int_equal(c.in_bytes, 1);
}

static void test_largest_table(void **state)
{
	(void)state;
	/* VIRTQ_MAX_SIZE entries on a queue of 8: a table is not bounded by the ring. */
	for (uint16_t j = 0; j < VIRTQ_MAX_SIZE; j++)
		ent(j, DRV_DATA + 0x10000 + 512ull * j, 512, W | (j + 1 < VIRTQ_MAX_SIZE ? N : 0),
		    (uint16_t)(j + 1));
	assert_int_equal(pop_table(VIRTQ_MAX_SIZE * 16, 0), 1);
	assert_int_equal(c.n, VIRTQ_MAX_SIZE);
	assert_int_equal(c.in_bytes, VIRTQ_MAX_SIZE * 512);
	/* One entry more is refused. */
	ent(VIRTQ_MAX_SIZE - 1, DRV_DATA, 512, W | N, VIRTQ_MAX_SIZE);
	ent(VIRTQ_MAX_SIZE, DRV_DATA, 512, W, 0);
	assert_int_equal(pop_table((VIRTQ_MAX_SIZE + 1) * 16, 0), -ERR_FORMAT);
	assert_int_equal(c.head, 0); /* returned empty by the device */
	assert_int_equal(c.n, 0);
}

static void test_buffer_limit_across_direct_and_table(void **state)
{
	(void)state;
	/* 1 direct buffer + VIRTQ_MAX_SIZE table buffers: one too many. */
	drv_desc(&d, 0, DRV_DATA, 16, R | N, 1);
	drv_desc(&d, 1, TABLE, VIRTQ_MAX_SIZE * 16, I, 0);
	for (uint16_t j = 0; j < VIRTQ_MAX_SIZE; j++)
		ent(j, DRV_DATA + 0x10000, 16, W | (j + 1 < VIRTQ_MAX_SIZE ? N : 0),
		    (uint16_t)(j + 1));
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
}

static void test_not_negotiated(void **state)
{
	(void)state;
	d.q.indirect = false;
	ent(0, DRV_DATA, 16, R, 0);
	assert_int_equal(pop_table(16, 0), -ERR_FORMAT);
}

static void test_bad_table_descriptors(void **state)
{
	(void)state;
	ent(0, DRV_DATA, 16, R, 0);
	ent(1, DRV_DATA, 16, R, 0);
	assert_int_equal(pop_table(16, N), -ERR_FORMAT); /* INDIRECT with NEXT */
	assert_int_equal(pop_table(0, 0), -ERR_FORMAT);	 /* empty */
	assert_int_equal(pop_table(20, 0), -ERR_FORMAT); /* not a multiple of 16 */
	/* Outside RAM, and straddling the end of low RAM. */
	drv_desc(&d, 0, 0xfee00000, 32, I, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FAULT);
	drv_desc(&d, 0, DRV_LO_SIZE - 16, 32, I, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FAULT);
	/* A length that would wrap the address space. */
	drv_desc(&d, 0, 0xfffffffffffffff0ull, 0xfffffff0u, I, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
	/* After all that the ring still works. */
	assert_int_equal(pop_table(16, 0), 1);
	assert_int_equal(c.n, 1);
}

static void test_bad_table_entries(void **state)
{
	(void)state;
	/* Nested table. */
	ent(0, TABLE, 16, I, 0);
	assert_int_equal(pop_table(16, 0), -ERR_FORMAT);
	/* Loop 0 -> 1 -> 0, and a self-loop. */
	ent(0, DRV_DATA, 16, R | N, 1);
	ent(1, DRV_DATA, 16, R | N, 0);
	assert_int_equal(pop_table(2 * 16, 0), -ERR_FORMAT);
	ent(0, DRV_DATA, 16, R | N, 0);
	assert_int_equal(pop_table(16, 0), -ERR_FORMAT);
	/* next beyond the table (inside the ring's size, still refused). */
	ent(0, DRV_DATA, 16, R | N, 2);
	ent(1, DRV_DATA, 16, R, 0);
	ent(2, DRV_DATA, 16, R, 0);
	assert_int_equal(pop_table(2 * 16, 0), -ERR_INVAL);
	/* A buffer outside RAM. */
	ent(0, DRV_DATA, 16, R | N, 1);
	ent(1, 0xfee00000, 16, W, 0);
	assert_int_equal(pop_table(2 * 16, 0), -ERR_FAULT);
	/* Readable after writable inside the table, and across direct -> table. */
	ent(0, DRV_DATA, 16, W | N, 1);
	ent(1, DRV_DATA, 16, R, 0);
	assert_int_equal(pop_table(2 * 16, 0), -ERR_FORMAT);
	drv_desc(&d, 3, DRV_DATA, 16, W | N, 4);
	drv_desc(&d, 4, TABLE, 16, I, 0);
	ent(0, DRV_DATA, 16, R, 0);
	drv_avail(&d, 3);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
	assert_int_equal(c.head, 3);
	/* Over the chain byte limit. */
	ent(0, DRV_DATA, 16, W | N, 1);
	ent(1, DRV_DATA, VIRTQ_MAX_CHAIN_BYTES, W, 0);
	assert_int_equal(pop_table(2 * 16, 0), -ERR_FORMAT);
}

/* --- The transport sets q->indirect from the negotiated features. --- */

static uint64_t feats(void *dev)
{
	(void)dev;
	return 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC;
}

static const struct virtio_dev_ops ops = {
    .name = "t", .device_id = 2, .num_queues = 1, .queue_max = 8, .features = feats};

static void wr(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	virtio_mmio_access(t, off, (uint8_t *)&v, 4, true);
}

static void start(struct virtio_mmio *t, bool with_indirect)
{
	virtio_mmio_init(t, &ops, NULL, &d.mem, NULL, NULL);
	wr(t, VIRTIO_MMIO_STATUS, 3);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES, with_indirect ? 1u << VIRTIO_F_INDIRECT_DESC : 0);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	wr(t, VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DRV_DESC);
	wr(t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)DRV_AVAIL);
	wr(t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)DRV_USED);
	wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void test_transport_negotiation(void **state)
{
	(void)state;
	struct virtio_mmio t;
	start(&t, true);
	assert_true(virtio_mmio_queue(&t, 0)->ready);
	assert_true(virtio_mmio_queue(&t, 0)->indirect);
	wr(&t, VIRTIO_MMIO_STATUS, 0);
	assert_false(virtio_mmio_queue(&t, 0)->indirect); /* reset clears it */
	virtio_mmio_destroy(&t);
	start(&t, false);
	assert_true(virtio_mmio_queue(&t, 0)->ready);
	assert_false(virtio_mmio_queue(&t, 0)->indirect);
	virtio_mmio_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_table_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_direct_then_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_largest_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_limit_across_direct_and_table, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_not_negotiated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_table_descriptors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_table_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transport_negotiation, setup, teardown),
	};
	return cmocka_run_group_tests_name("vmm_virtq_indirect", tests, NULL, NULL);
}
