/*
 * Unit tests for orbvm's split-virtqueue walker (vmm/virtio/virtqueue.c)
 * over a fake guest memory: well-formed chains, the used ring, index
 * wrap-around, and malicious rings (addresses outside RAM, loops, over-long
 * chains, zero-length buffers, wrong directions, indices beyond the queue
 * size, indirect descriptors, corrupt available index).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <orbital/errors.h>

#include "virtio_driver.h"

#define R 0
#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT

static struct drv d;
static struct virtq_chain c;

static int setup(void **state)
{
	(void)state;
	drv_init(&d, 8);
	assert_int_equal(virtq_enable(&d.q, &d.mem), 0);
	memset(&c, 0x5a, sizeof(c));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drv_free(&d);
	return 0;
}

static void test_well_formed_chain(void **state)
{
	(void)state;
	drv_desc(&d, 3, DRV_DATA, 16, R | N, 5);
	drv_desc(&d, 5, DRV_DATA + 0x100, 512, W | N, 1);
	drv_desc(&d, 1, DRV_DATA + 0x400, 1, W, 0);
	drv_avail(&d, 3);

	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.out_bytes, 16);
	assert_int_equal(c.in_bytes, 513);
	assert_ptr_equal(c.iov[0].host, d.mem.host + DRV_DATA);
	assert_ptr_equal(c.iov[1].host, d.mem.host + DRV_DATA + 0x100);
	assert_int_equal(c.iov[2].gpa, DRV_DATA + 0x400);
	assert_int_equal(c.iov[2].len, 1);
	/* Consumed: the ring is empty now. */
	assert_int_equal(virtq_pop(&d.q, &c), 0);
}

static void test_high_ram_buffer(void **state)
{
	(void)state;
	drv_desc(&d, 0, MEM_HIGH_START + DRV_HI_SIZE - 64, 64, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_ptr_equal(c.iov[0].host, d.mem.host + DRV_LO_SIZE + DRV_HI_SIZE - 64);
}

static void test_push_used(void **state)
{
	(void)state;
	assert_int_equal(drv_used_idx(&d), 0);
	virtq_push(&d.q, 6, 1234);
	virtq_push(&d.q, 2, 0);
	assert_int_equal(drv_used_idx(&d), 2);
	assert_int_equal(drv_used(&d, 0).id, 6);
	assert_int_equal(drv_used(&d, 0).len, 1234);
	assert_int_equal(drv_used(&d, 1).id, 2);
	assert_int_equal(drv_used(&d, 1).len, 0);
}

static void test_index_wrap_around(void **state)
{
	(void)state;
	/* Both sides start just below 2^16, as after a long uptime. */
	d.q.last_avail = 0xfffe;
	d.q.used_idx = 0xffff;
	drv_set_avail_idx(&d, 0xfffe);
	for (uint16_t i = 0; i < 3; i++) {
		drv_desc(&d, i, DRV_DATA + 0x100 * i, 8, W, 0);
		drv_avail(&d, i);
	}
	assert_int_equal(d.avail_idx, 1);
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(virtq_pop(&d.q, &c), 1);
		assert_int_equal(c.head, i);
		virtq_push(&d.q, c.head, 8);
	}
	assert_int_equal(virtq_pop(&d.q, &c), 0);
	assert_int_equal(drv_used_idx(&d), 2);	 /* 0xffff + 3 */
	assert_int_equal(drv_used(&d, 7).id, 0); /* slot 0xffff % 8 */
	assert_int_equal(drv_used(&d, 0).id, 1);
	assert_int_equal(drv_used(&d, 1).id, 2);
}

static void test_avail_idx_too_far_ahead(void **state)
{
	(void)state;
	drv_set_avail_idx(&d, 9); /* 9 new entries in a ring of 8 */
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_RANGE);
	assert_int_equal(c.head, VIRTQ_NO_HEAD);
	assert_int_equal(d.q.last_avail, 0); /* nothing consumed */
	drv_set_avail_idx(&d, 0xffff);	     /* "negative" distance */
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_RANGE);
}

static void test_head_beyond_queue_size(void **state)
{
	(void)state;
	drv_avail(&d, 8);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_INVAL);
	assert_int_equal(c.head, VIRTQ_NO_HEAD);
	drv_avail(&d, 0xffff);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_INVAL);
	/* Both were consumed; a good one after them still works. */
	drv_desc(&d, 0, DRV_DATA, 4, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
}

static void test_next_beyond_queue_size(void **state)
{
	(void)state;
	drv_desc(&d, 2, DRV_DATA, 16, R | N, 8);
	drv_avail(&d, 2);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_INVAL);
	assert_int_equal(c.head, 2);
	assert_int_equal(c.n, 0);
}

static void test_loops(void **state)
{
	(void)state;
	drv_desc(&d, 4, DRV_DATA, 16, R | N, 4); /* points at itself */
	drv_avail(&d, 4);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
	assert_int_equal(c.head, 4);

	drv_desc(&d, 0, DRV_DATA, 16, R | N, 1);
	drv_desc(&d, 1, DRV_DATA, 16, R | N, 2);
	drv_desc(&d, 2, DRV_DATA, 16, R | N, 0);
	drv_avail(&d, 1);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
}

static void test_longest_chain_is_queue_size(void **state)
{
	(void)state;
	for (uint16_t i = 0; i < 8; i++)
		drv_desc(&d, i, DRV_DATA + 0x10 * i, 16, R | (i < 7 ? N : 0), i + 1);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_int_equal(c.n, 8);
	assert_int_equal(c.out_bytes, 128);
}

static void test_too_many_bytes(void **state)
{
	(void)state;
	/* Each length alone is absurd for this RAM; the byte cap comes first. */
	drv_desc(&d, 0, DRV_DATA, 0xffffffff, R | N, 1);
	drv_desc(&d, 1, DRV_DATA, 0xffffffff, R, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
	assert_int_equal(c.n, 0);
}

static void test_addresses_outside_ram(void **state)
{
	(void)state;
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
	    {DRV_LO_SIZE, 1},			   /* just past low RAM */
	    {DRV_LO_SIZE - 8, 16},		   /* straddles its end */
	    {0x80000000ull, 4},			   /* in the hole */
	    {MEM_HIGH_START - 4, 8},		   /* straddles into high RAM */
	    {MEM_HIGH_START + DRV_HI_SIZE - 8, 9}, /* past the end of high RAM */
	    {0xfffffffffffffff0ull, 0x20},	   /* wraps around 2^64 */
	    {0xffffffffffffffffull, 1},
	};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		drv_desc(&d, 0, DRV_DATA, 16, R | N, 1);
		drv_desc(&d, 1, bad[k].addr, bad[k].len, W, 0);
		drv_avail(&d, 0);
		assert_int_equal(virtq_pop(&d.q, &c), -ERR_FAULT);
		assert_int_equal(c.head, 0);
		assert_int_equal(c.n, 0);
	}
}

static void test_zero_length_buffers(void **state)
{
	(void)state;
	/* A zero-length buffer's address is never looked at. */
	drv_desc(&d, 0, DRV_DATA, 16, R | N, 1);
	drv_desc(&d, 1, 0xdead00000000ull, 0, R | N, 2);
	drv_desc(&d, 2, DRV_DATA + 0x100, 1, W, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.in_bytes, 1);

	/* A chain of only zero-length buffers is empty but valid. */
	drv_desc(&d, 3, 0, 0, W, 0);
	drv_avail(&d, 3);
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_int_equal(c.n, 0);

	/* It still counts for the direction order. */
	drv_desc(&d, 4, 0, 0, W | N, 5);
	drv_desc(&d, 5, DRV_DATA, 16, R, 0);
	drv_avail(&d, 4);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	drv_desc(&d, 0, DRV_DATA, 16, R | N, 1);
	drv_desc(&d, 1, DRV_DATA + 0x100, 16, W | N, 2);
	drv_desc(&d, 2, DRV_DATA + 0x200, 16, R, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
	assert_int_equal(c.head, 0);
}

static void test_indirect_refused(void **state)
{
	(void)state;
	drv_desc(&d, 0, DRV_DATA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), -ERR_FORMAT);
}

static void test_not_ready_queue_is_idle(void **state)
{
	(void)state;
	drv_desc(&d, 0, DRV_DATA, 4, W, 0);
	drv_avail(&d, 0);
	d.q.ready = false;
	assert_int_equal(virtq_pop(&d.q, &c), 0);
	virtq_push(&d.q, 0, 4);
	assert_int_equal(drv_used_idx(&d), 0);
}

static void test_enable_checks(void **state)
{
	(void)state;
	struct virtq q;
	static const uint16_t bad_sizes[] = {0, 3, 6, 512};
	for (unsigned k = 0; k < 4; k++) {
		q = d.q;
		q.size = bad_sizes[k];
		assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
		assert_false(q.ready);
	}
	q = d.q;
	q.desc_gpa += 8; /* descriptors need 16-byte alignment */
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
	q = d.q;
	q.avail_gpa += 1;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
	q = d.q;
	q.used_gpa += 2;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
	/* The used ring of 256 entries would run past low RAM. */
	q = d.q;
	q.size = 256;
	q.used_gpa = DRV_LO_SIZE - 1024;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_FAULT);
	assert_false(q.ready);
	q = d.q;
	q.desc_gpa = 0xc0000000ull;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_FAULT);
	/* The used ring may not overlap the descriptors or the available ring. */
	q = d.q;
	q.used_gpa = DRV_DESC + 16 * 8 - 4;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
	q = d.q;
	q.used_gpa = DRV_AVAIL + 4;
	assert_int_equal(virtq_enable(&q, &d.mem), -ERR_INVAL);
	q = d.q;
	q.used_gpa = DRV_AVAIL + 6 + 2 * 8 + 2; /* right after it (4-aligned): fine */
	assert_int_equal(virtq_enable(&q, &d.mem), 0);
	/* A ring in high RAM is fine. */
	q = d.q;
	q.desc_gpa = MEM_HIGH_START;
	assert_int_equal(virtq_enable(&q, &d.mem), 0);
	assert_true(q.ready);
}

static void test_has_pending(void **state)
{
	(void)state;
	assert_false(virtq_has_pending(&d.q));
	drv_desc(&d, 0, DRV_DATA, 4, W, 0);
	drv_avail(&d, 0);
	assert_true(virtq_has_pending(&d.q));
	assert_int_equal(virtq_pop(&d.q, &c), 1);
	assert_false(virtq_has_pending(&d.q));
	drv_set_avail_idx(&d, 100); /* corrupt: not "pending" */
	assert_false(virtq_has_pending(&d.q));
}

static void test_no_interrupt_flag(void **state)
{
	(void)state;
	assert_true(virtq_should_interrupt(&d.q));
	drv_set_avail_flags(&d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_should_interrupt(&d.q));
	drv_set_avail_flags(&d, 0);
	assert_true(virtq_should_interrupt(&d.q));
}

static void test_chain_copy(void **state)
{
	(void)state;
	drv_desc(&d, 0, DRV_DATA, 3, R | N, 1);
	drv_desc(&d, 1, DRV_DATA + 0x100, 5, R | N, 2);
	drv_desc(&d, 2, DRV_DATA + 0x200, 2, W | N, 3);
	drv_desc(&d, 3, DRV_DATA + 0x300, 4, W, 0);
	memcpy(drv_ptr(&d, DRV_DATA, 3), "abc", 3);
	memcpy(drv_ptr(&d, DRV_DATA + 0x100, 5), "defgh", 5);
	drv_avail(&d, 0);
	assert_int_equal(virtq_pop(&d.q, &c), 1);

	char buf[8] = {0};
	assert_int_equal(virtq_chain_read(&c, 1, buf, 6), 0);
	assert_memory_equal(buf, "bcdefg", 6);
	assert_int_equal(virtq_chain_read(&c, 7, buf, 2), -ERR_RANGE);
	assert_int_equal(virtq_chain_read(&c, 9, buf, 0), -ERR_RANGE);
	assert_int_equal(virtq_chain_read(&c, 8, buf, 0), 0);

	assert_int_equal(virtq_chain_write(&c, 1, "XYZ", 3), 0);
	assert_memory_equal(drv_ptr(&d, DRV_DATA + 0x200, 2), "\0X", 2);
	assert_memory_equal(drv_ptr(&d, DRV_DATA + 0x300, 3), "YZ\0", 3);
	assert_int_equal(virtq_chain_write(&c, 5, "Q", 2), -ERR_RANGE);
	assert_int_equal(virtq_chain_write(&c, 0, "Q", 0xffffffffffffffffull), -ERR_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_well_formed_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_high_ram_buffer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push_used, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_index_wrap_around, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_avail_idx_too_far_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_beyond_queue_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_next_beyond_queue_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_longest_chain_is_queue_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_bytes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_addresses_outside_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_length_buffers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readable_after_writable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_ready_queue_is_idle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enable_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_has_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_copy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
