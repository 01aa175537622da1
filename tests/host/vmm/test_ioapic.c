/*
 * Unit tests for orbvm's I/O APIC model (vmm/irq/ioapic.c), without KVM:
 * the model's outputs (routes and deliveries) go to recorders here, and the
 * guest's side is driven through ioapic_mmio() exactly as MMIO exits would.
 *
 * Covered: reset state and the ID/version/arbitration registers; the
 * redirection table's writable and read-only bits; the message each entry
 * becomes (fixed, lowest priority, logical, NMI, INIT) and the route calls
 * (only on change, not on masking); edge pins (one delivery per rising edge,
 * edges lost while masked, polarity); level pins (remote IRR, no second
 * delivery before the EOI, re-delivery at the EOI while asserted, none after
 * the line fell, delivery at unmask, EOI of other vectors, switching to edge
 * clears remote IRR); a line shared by two sources (the OR); and hostile
 * input: IOREGSEL beyond the table, odd-sized and misaligned accesses, wild
 * vectors, delivery modes and destinations, bad pins and sources, and two
 * threads storming a pin while a third reads registers; and the vCPU exit
 * dispatch handing KVM_EXIT_IOAPIC_EOI to the model (an error without one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include <orbital/errors.h>

#include "irq/ioapic.h"
#include "vcpu.h"

#define LEVEL IOAPIC_LEVEL
#define MASK  IOAPIC_MASKED
#define RIRR  IOAPIC_REMOTE_IRR

static struct ioapic io;
static unsigned deliveries[IOAPIC_PINS], routes[IOAPIC_PINS];
static bool routed[IOAPIC_PINS];
static struct ioapic_msi last_msi[IOAPIC_PINS];

static void rec_route(void *ctx, unsigned pin, const struct ioapic_msi *msi)
{
	(void)ctx;
	routes[pin]++;
	routed[pin] = msi != NULL;
	if (msi)
		last_msi[pin] = *msi;
}

static void rec_deliver(void *ctx, unsigned pin)
{
	(void)ctx;
	assert_true(routed[pin]); /* never a delivery without a route */
	deliveries[pin]++;
}

static const struct ioapic_ops rec_ops = {.route = rec_route, .deliver = rec_deliver};

static int setup(void **state)
{
	(void)state;
	memset(deliveries, 0, sizeof(deliveries));
	memset(routes, 0, sizeof(routes));
	memset(routed, 0, sizeof(routed));
	ioapic_init(&io, &rec_ops, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ioapic_destroy(&io);
	return 0;
}

static void mmio_write(uint64_t off, uint32_t v, uint32_t len)
{
	uint8_t d[8] = {0};
	memcpy(d, &v, 4);
	ioapic_mmio(&io, off, d, len, true);
}

static uint64_t mmio_read(uint64_t off, uint32_t len)
{
	uint8_t d[8];
	memset(d, 0xcc, sizeof(d));
	ioapic_mmio(&io, off, d, len, false);
	uint64_t v = 0;
	memcpy(&v, d, len);
	return v;
}

static void reg_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC_REG_SEL, reg, 4);
	mmio_write(IOAPIC_REG_WIN, v, 4);
}

static uint32_t reg_read(uint32_t reg)
{
	mmio_write(IOAPIC_REG_SEL, reg, 4);
	return (uint32_t)mmio_read(IOAPIC_REG_WIN, 4);
}

/* Writes pin's entry: high half (destination) first, as Linux does. */
static void set_entry(unsigned pin, uint64_t e)
{
	reg_write(IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
	reg_write(IOAPIC_REG_REDIR + 2 * pin, (uint32_t)e);
}

static void test_reset_and_id(void **state)
{
	(void)state;
	assert_int_equal(reg_read(IOAPIC_REG_VER), 0x00170011);
	assert_int_equal(reg_read(IOAPIC_REG_ID), 0);
	for (unsigned p = 0; p < IOAPIC_PINS; p++) {
		assert_int_equal(reg_read(IOAPIC_REG_REDIR + 2 * p), MASK);
		assert_int_equal(reg_read(IOAPIC_REG_REDIR + 2 * p + 1), 0);
	}
	reg_write(IOAPIC_REG_ID, 0xff0000ffu); /* only bits 27:24 stick */
	assert_int_equal(reg_read(IOAPIC_REG_ID), 0x0f000000);
	assert_int_equal(reg_read(IOAPIC_REG_ARB), 0x0f000000);
	reg_write(IOAPIC_REG_VER, 0); /* read-only */
	assert_int_equal(reg_read(IOAPIC_REG_VER), 0x00170011);
	mmio_write(IOAPIC_REG_SEL, 0x1234, 4);
	assert_int_equal(mmio_read(IOAPIC_REG_SEL, 4), 0x34); /* IOREGSEL keeps 8 bits */
}

static void test_entry_bits(void **state)
{
	(void)state;
	/* Every bit set: read-only and reserved bits stay clear. */
	reg_write(IOAPIC_REG_REDIR + 1, 0xffffffffu);
	reg_write(IOAPIC_REG_REDIR, 0xffffffffu);
	assert_int_equal(reg_read(IOAPIC_REG_REDIR + 1), 0xff000000u);
	assert_int_equal(reg_read(IOAPIC_REG_REDIR), 0x1afff);
	assert_int_equal(ioapic_entry(&io, 0), 0xff0000000001afffull);
	assert_int_equal(ioapic_entry(&io, IOAPIC_PINS), 0);
}

static void test_messages(void **state)
{
	(void)state;
	struct ioapic_msi m;
	assert_true(ioapic_entry_msi(0x03000000000000a1ull, &m)); /* fixed, physical 3 */
	assert_int_equal(m.address, 0xfee03000u);
	assert_int_equal(m.data, 0x40a1);
	assert_true(
	    ioapic_entry_msi(0x0500000000000900ull | 0x30 | LEVEL, &m)); /* lowest, logical */
	assert_int_equal(m.address, 0xfee0500cu);
	assert_int_equal(m.data, 0xc130);
	assert_true(ioapic_entry_msi(0x400 | LEVEL, &m)); /* NMI: always edge */
	assert_int_equal(m.data, 0x4400);
	assert_true(ioapic_entry_msi(0x500, &m)); /* INIT */
	assert_int_equal(m.data, 0x4500);
	assert_false(ioapic_entry_msi(0x0f, &m));	  /* vector below 16 */
	assert_false(ioapic_entry_msi(0x200 | 0x40, &m)); /* SMI */
	assert_false(ioapic_entry_msi(0x300 | 0x40, &m)); /* reserved */
	assert_false(ioapic_entry_msi(0x600 | 0x40, &m)); /* reserved */
	assert_false(ioapic_entry_msi(0x700 | 0x40, &m)); /* ExtINT */
}

static void test_routes_on_change(void **state)
{
	(void)state;
	set_entry(3, 0x40 | MASK);
	assert_int_equal(routes[3], 1); /* masked entries are routed too */
	assert_true(routed[3]);
	set_entry(3, 0x40); /* unmask: the message is the same */
	assert_int_equal(routes[3], 1);
	set_entry(3, 0x41);
	assert_int_equal(routes[3], 2);
	assert_int_equal(last_msi[3].data, 0x4041);
	set_entry(3, 0x05); /* a vector below 16: the route goes */
	assert_int_equal(routes[3], 3);
	assert_false(routed[3]);
	ioapic_set_irq(&io, 3, 0, true);
	assert_int_equal(deliveries[3], 0);
	assert_int_equal(io.dropped, 1);
}

static void test_edge(void **state)
{
	(void)state;
	set_entry(4, 0x34);
	ioapic_set_irq(&io, 4, 0, true);
	ioapic_set_irq(&io, 4, 0, true); /* no new edge */
	assert_int_equal(deliveries[4], 1);
	assert_int_equal(ioapic_entry(&io, 4) & RIRR, 0);
	ioapic_set_irq(&io, 4, 0, false);
	ioapic_set_irq(&io, 4, 0, true);
	assert_int_equal(deliveries[4], 2);
	ioapic_eoi(&io, 0x34); /* nothing to do for an edge pin */
	assert_int_equal(deliveries[4], 2);
	/* Masked: the edge is lost, and unmasking does not bring it back. */
	ioapic_set_irq(&io, 4, 0, false);
	set_entry(4, 0x34 | MASK);
	ioapic_set_irq(&io, 4, 0, true);
	set_entry(4, 0x34);
	assert_int_equal(deliveries[4], 2);
	/* Active low: the falling line is the edge. */
	set_entry(4, 0x34 | IOAPIC_POLARITY_LOW);
	ioapic_set_irq(&io, 4, 0, false);
	assert_int_equal(deliveries[4], 3);
}

static void test_level(void **state)
{
	(void)state;
	set_entry(9, 0x59 | LEVEL);
	ioapic_set_irq(&io, 9, 0, true);
	assert_int_equal(deliveries[9], 1);
	assert_true(ioapic_entry(&io, 9) & RIRR);
	ioapic_set_irq(&io, 9, 0, true); /* in service: nothing more */
	assert_int_equal(deliveries[9], 1);
	ioapic_eoi(&io, 0x60); /* another vector */
	assert_true(ioapic_entry(&io, 9) & RIRR);
	ioapic_eoi(&io, 0x59); /* still asserted: delivered again */
	assert_int_equal(deliveries[9], 2);
	assert_true(ioapic_entry(&io, 9) & RIRR);
	ioapic_set_irq(&io, 9, 0, false);
	ioapic_eoi(&io, 0x59);
	assert_int_equal(deliveries[9], 2);
	assert_false(ioapic_entry(&io, 9) & RIRR);
	/* Asserted while masked: delivered at the unmask. */
	set_entry(9, 0x59 | LEVEL | MASK);
	ioapic_set_irq(&io, 9, 0, true);
	assert_int_equal(deliveries[9], 2);
	set_entry(9, 0x59 | LEVEL);
	assert_int_equal(deliveries[9], 3);
	/* Remote IRR is read-only, and switching to edge clears it. */
	reg_write(IOAPIC_REG_REDIR + 18, 0x59 | LEVEL); /* no RIRR bit written */
	assert_true(ioapic_entry(&io, 9) & RIRR);
	set_entry(9, 0x59);
	assert_false(ioapic_entry(&io, 9) & RIRR);
}

static void test_level_nmi_is_edge(void **state)
{
	(void)state;
	set_entry(5, 0x400 | LEVEL);
	ioapic_set_irq(&io, 5, 0, true);
	ioapic_set_irq(&io, 5, 0, true);
	assert_int_equal(deliveries[5], 1);
	assert_false(ioapic_entry(&io, 5) & RIRR);
}

static void test_shared_line(void **state)
{
	(void)state;
	int a = ioapic_source_alloc(&io, 16), b = ioapic_source_alloc(&io, 16);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	set_entry(16, 0x70 | LEVEL);
	ioapic_set_irq(&io, 16, (unsigned)a, true);
	ioapic_set_irq(&io, 16, (unsigned)b, true);
	assert_int_equal(deliveries[16], 1);
	ioapic_set_irq(&io, 16, (unsigned)a, false); /* b still holds the line */
	ioapic_eoi(&io, 0x70);
	assert_int_equal(deliveries[16], 2);
	ioapic_set_irq(&io, 16, (unsigned)b, false);
	ioapic_eoi(&io, 0x70);
	assert_int_equal(deliveries[16], 2);
	assert_false(ioapic_entry(&io, 16) & RIRR);
	/* Edge on a shared line: the OR rises once. */
	set_entry(16, 0x70);
	ioapic_set_irq(&io, 16, (unsigned)a, true);
	ioapic_set_irq(&io, 16, (unsigned)b, true);
	assert_int_equal(deliveries[16], 3);
	/* Sources run out after 31 devices; bad pins are refused. */
	for (int i = 3; i < IOAPIC_MAX_SOURCES; i++)
		assert_int_equal(ioapic_source_alloc(&io, 16), i);
	assert_int_equal(ioapic_source_alloc(&io, 16), -ERR_NOSPACE);
	assert_int_equal(ioapic_source_alloc(&io, IOAPIC_PINS), -ERR_INVAL);
}

static void test_hostile_registers(void **state)
{
	(void)state;
	set_entry(1, 0x31);
	/* Beyond the table and between registers: 0, writes ignored. */
	for (uint32_t reg = 0x03; reg < 0x100; reg++) {
		if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
			continue;
		reg_write(reg, 0xffffffffu);
		assert_int_equal(reg_read(reg), 0);
	}
	assert_int_equal(ioapic_entry(&io, 1), 0x31);
	/* Odd sizes and offsets: reads show the register bytes, writes are ignored. */
	mmio_write(IOAPIC_REG_SEL, IOAPIC_REG_VER, 4);
	assert_int_equal(mmio_read(IOAPIC_REG_WIN, 2), 0x0011);
	assert_int_equal(mmio_read(IOAPIC_REG_WIN + 2, 1), 0x17);
	assert_int_equal(mmio_read(IOAPIC_REG_WIN + 1, 8), 0x1700);
	assert_int_equal(mmio_read(IOAPIC_REG_SEL + 4, 4), 0);
	assert_int_equal(mmio_read(0xfc, 4), 0);
	unsigned long long before = io.ignored_writes;
	mmio_write(IOAPIC_REG_SEL, IOAPIC_REG_REDIR + 2, 4);
	mmio_write(IOAPIC_REG_WIN, 0x10000, 2);
	mmio_write(IOAPIC_REG_WIN + 1, 0x10000, 1);
	mmio_write(IOAPIC_REG_WIN + 2, 0x10000, 4);
	mmio_write(IOAPIC_REG_WIN, 0x10000, 8);
	mmio_write(IOAPIC_REG_SEL + 1, 0x10, 1);
	mmio_write(0x40, 0x31, 4); /* the EOI register of version 0x20: absent */
	assert_int_equal(io.ignored_writes, before + 6);
	assert_int_equal(ioapic_entry(&io, 1), 0x31);
	mmio_write(IOAPIC_REG_SEL, IOAPIC_REG_VER, 1); /* a byte to IOREGSEL works */
	assert_int_equal(mmio_read(IOAPIC_REG_WIN, 4), 0x00170011);
}

static void test_hostile_entries(void **state)
{
	(void)state;
	/* Every delivery mode with every kind of vector and a wild destination. */
	for (unsigned mode = 0; mode < 8; mode++) {
		for (unsigned vec = 0; vec < 256; vec += 15) {
			uint64_t e = 0xff00000000000000ull | mode << 8 | vec | LEVEL;
			set_entry(2, e);
			ioapic_set_irq(&io, 2, 0, true);
			ioapic_eoi(&io, vec);
			ioapic_set_irq(&io, 2, 0, false);
			ioapic_eoi(&io, vec);
			struct ioapic_msi m;
			assert_int_equal(routed[2], ioapic_entry_msi(e, &m));
		}
	}
	assert_true(io.dropped > 0);
	/* Bad pins and sources are ignored. */
	unsigned long long d = io.delivered;
	ioapic_set_irq(&io, IOAPIC_PINS, 0, true);
	ioapic_set_irq(&io, 1000, 0, true);
	ioapic_set_irq(&io, 2, IOAPIC_MAX_SOURCES, true);
	ioapic_eoi(&io, 0x1000);
	assert_int_equal(io.delivered, d);
}

/* Storm: two threads toggle an edge and a level pin as fast as they can
 * while this one EOIs and reads registers; everything finishes and the
 * counts are consistent. */
static void *toggler(void *arg)
{
	unsigned pin = (unsigned)(uintptr_t)arg;
	for (int i = 0; i < 20000; i++)
		ioapic_set_irq(&io, pin, 0, !(i & 1));
	ioapic_set_irq(&io, pin, 0, false);
	return NULL;
}

static void test_storm(void **state)
{
	(void)state;
	set_entry(6, 0x46);
	set_entry(7, 0x47 | LEVEL);
	pthread_t t[2];
	pthread_create(&t[0], NULL, toggler, (void *)(uintptr_t)6);
	pthread_create(&t[1], NULL, toggler, (void *)(uintptr_t)7);
	for (int i = 0; i < 20000; i++) {
		ioapic_eoi(&io, 0x47);
		assert_int_equal(reg_read(IOAPIC_REG_VER), 0x00170011);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	assert_int_equal(deliveries[6], 10000); /* one per rising edge */
	assert_true(deliveries[7] >= 1 && deliveries[7] <= 10000 + 20000);
	ioapic_eoi(&io, 0x47); /* the line ended low: remote IRR clears for good */
	assert_false(ioapic_entry(&io, 7) & RIRR);
}

static void test_eoi_exit(void **state)
{
	(void)state;
	struct bus bus;
	struct vmm_stop stop = {0};
	bus_init(&bus);
	struct vcpu_exit_ctx ctx = {.bus = &bus, .stop = &stop, .ioapic = &io};
	static struct kvm_run run;
	set_entry(11, 0x5b | LEVEL);
	ioapic_set_irq(&io, 11, 0, true);
	run.exit_reason = KVM_EXIT_IOAPIC_EOI;
	run.eoi.vector = 0x5b;
	assert_int_equal(vcpu_handle_exit(&ctx, &run, sizeof(run)), 0);
	assert_int_equal(deliveries[11], 2); /* still asserted: delivered again */
	ctx.ioapic = NULL;
	assert_int_equal(vcpu_handle_exit(&ctx, &run, sizeof(run)), -ERR_NOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reset_and_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entry_bits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_routes_on_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_nmi_is_edge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_storm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eoi_exit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
