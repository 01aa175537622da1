/*
 * Unit tests for the bus's movable ranges (vmm/bus.c), which PCI BARs use:
 * adding, moving and switching off a range, fixed devices winning over a
 * movable range at the same address, straddling accesses, bad ids, and a
 * concurrent test: threads dispatching while another thread moves a range
 * back and forth between two places of different sizes never see a torn
 * place (a base from one with the length of the other) and never block a
 * fixed device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "bus.h"
#include "err.h"

static struct bus bus;
static atomic_int hits[4];
static atomic_ullong bad_offsets;

static void dev_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	int i = (int)(intptr_t)ctx;
	atomic_fetch_add(&hits[i], 1);
	if (off >= 0x1000)
		atomic_fetch_add(&bad_offsets, 1);
	if (!is_write)
		memset(data, 0x40 + i, len);
}

static int setup(void **state)
{
	(void)state;
	bus_init(&bus);
	for (int i = 0; i < 4; i++)
		atomic_store(&hits[i], 0);
	atomic_store(&bad_offsets, 0);
	return 0;
}

static bool rd(enum bus_space sp, uint64_t addr, uint8_t *b)
{
	return bus_access(&bus, sp, addr, b, 4, false);
}

static void test_move_and_switch_off(void **state)
{
	(void)state;
	uint8_t b[4];
	int id = bus_add_movable(&bus, BUS_MMIO, dev_io, (void *)1, "bar");
	assert_int_equal(id, 0);
	assert_false(rd(BUS_MMIO, 0, b)); /* decodes nothing when added */
	assert_true(bus_move(&bus, BUS_MMIO, id, 0xc0000000, 0x1000));
	assert_true(rd(BUS_MMIO, 0xc0000ffc, b));
	assert_int_equal(b[0], 0x41);
	assert_false(rd(BUS_MMIO, 0xc0000ffe, b)); /* straddles the end */
	assert_true(bus_move(&bus, BUS_MMIO, id, 0xc0100000, 0x1000));
	assert_false(rd(BUS_MMIO, 0xc0000000, b));
	assert_true(rd(BUS_MMIO, 0xc0100000, b));
	assert_true(bus_move(&bus, BUS_MMIO, id, 0xc0100000, 0));
	assert_false(rd(BUS_MMIO, 0xc0100000, b));
	/* A place that wraps past 2^64 decodes nothing. */
	assert_true(bus_move(&bus, BUS_MMIO, id, UINT64_MAX - 0xff, 0x1000));
	assert_false(rd(BUS_MMIO, UINT64_MAX - 0xff, b));
	/* Bad ids; the other space has no such slot. */
	assert_false(bus_move(&bus, BUS_MMIO, 1, 0, 0x1000));
	assert_false(bus_move(&bus, BUS_MMIO, -1, 0, 0x1000));
	assert_false(bus_move(&bus, BUS_PIO, id, 0, 0x10));
	assert_int_equal(bus_add_movable(&bus, BUS_PIO, NULL, NULL, "x"), -ERR_INVAL);
}

static void test_fixed_wins_and_overlap_query(void **state)
{
	(void)state;
	uint8_t b[4];
	assert_int_equal(bus_register(&bus, BUS_PIO, 0xc010, 4, dev_io, (void *)2, "fixed"), 0);
	int id = bus_add_movable(&bus, BUS_PIO, dev_io, (void *)1, "bar");
	assert_true(bus_move(&bus, BUS_PIO, id, 0xc000, 0x20));
	assert_true(rd(BUS_PIO, 0xc010, b));
	assert_int_equal(b[0], 0x42);
	assert_true(rd(BUS_PIO, 0xc000, b));
	assert_int_equal(b[0], 0x41);
	assert_true(bus_overlaps_fixed(&bus, BUS_PIO, 0xc000, 0x20));
	assert_true(bus_overlaps_fixed(&bus, BUS_PIO, 0xc013, 1));
	assert_false(bus_overlaps_fixed(&bus, BUS_PIO, 0xc014, 0x10));
	assert_false(bus_overlaps_fixed(&bus, BUS_PIO, 0xc000, 0x10));
	assert_false(bus_overlaps_fixed(&bus, BUS_PIO, 0xc010, 0));
	assert_true(bus_overlaps_fixed(&bus, BUS_PIO, UINT64_MAX, 2));
	/* The table is bounded. */
	for (int i = 1; i < BUS_MAX_MOVABLE; i++)
		assert_int_equal(bus_add_movable(&bus, BUS_PIO, dev_io, NULL, "more"), i);
	assert_int_equal(bus_add_movable(&bus, BUS_PIO, dev_io, NULL, "full"), -ERR_NOSPACE);
}

static atomic_bool stop;
static atomic_ullong torn, reads_done;

static void *reader(void *arg)
{
	(void)arg;
	uint8_t b[4];
	while (!atomic_load(&stop)) {
		/* Claimed only by a torn place (base of P2 with the length of P1). */
		if (rd(BUS_MMIO, 0x20800, b))
			atomic_fetch_add(&torn, 1);
		rd(BUS_MMIO, 0x10080, b);
		/* The fixed device answers every time. */
		if (!rd(BUS_PIO, 0x60, b) || b[0] != 0x43)
			atomic_fetch_add(&torn, 1ull << 32);
		atomic_fetch_add(&reads_done, 1);
	}
	return NULL;
}

static void test_concurrent_moves(void **state)
{
	(void)state;
	assert_int_equal(bus_register(&bus, BUS_PIO, 0x60, 4, dev_io, (void *)3, "kbd"), 0);
	int id = bus_add_movable(&bus, BUS_MMIO, dev_io, (void *)1, "bar");
	atomic_store(&stop, false);
	atomic_store(&torn, 0);
	atomic_store(&reads_done, 0);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
	for (int i = 0; i < 200000 || atomic_load(&reads_done) < 1000; i++) {
		if (i % 2)
			bus_move(&bus, BUS_MMIO, id, 0x10000, 0x1000); /* P1 */
		else
			bus_move(&bus, BUS_MMIO, id, 0x20000, 0x100); /* P2 */
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&torn), 0);
	assert_int_equal(atomic_load(&bad_offsets), 0);
	assert_true(atomic_load(&hits[3]) > 0);
	assert_int_equal(atomic_load(&bus.seq[BUS_MMIO]) % 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_move_and_switch_off, setup),
	    cmocka_unit_test_setup(test_fixed_wins_and_overlap_query, setup),
	    cmocka_unit_test_setup(test_concurrent_moves, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
