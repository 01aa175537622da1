/*
 * Unit tests for orbvm's MSI-X (vmm/pci/pci_msix.c) on a test device behind
 * the host bridge, as a guest drives it: the capability, the table and PBA
 * through the BAR, per-vector masking and the function mask (a masked vector
 * sets its pending bit, unmasking sends it), enable, wild addresses, vectors
 * and access sizes that must neither crash nor send.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "err.h"
#include "pci/pci_msix.h"
#include "pci_fixture.h"

#define NVEC  5
#define BAR_A 0xc0010000u /* where the test places the MSI-X BAR */

static struct pci_msix msix;
static struct pci_dev mdev;
static uint64_t sent_addr[64];
static uint32_t sent_data[64];
static unsigned nsent;
static int fail_signal;

static int signal_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	if (fail_signal)
		return -ERR_NOSYS;
	if (nsent < 64) {
		sent_addr[nsent] = addr;
		sent_data[nsent] = data;
	}
	nsent++;
	return 0;
}

static void msix_bar_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	if (!pci_msix_bar_access(ctx, off, data, len, is_write) && !is_write)
		memset(data, 0, len);
}

static int setup(void **state)
{
	(void)state;
	nsent = 0;
	fail_signal = 0;
	fix_setup_dev();
	pci_dev_init(&mdev, "msix", 0x1af4, 0x1041, 0xff0000, 1, 1);
	assert_int_equal(
	    pci_dev_set_bar(&mdev, 1, PCI_BAR_MEM32, 0x4000, false, msix_bar_io, &msix), 0);
	assert_int_equal(pci_msix_init(&msix, &mdev, NVEC, 1, 0x2000, 0x3000, signal_msi, NULL), 0);
	assert_int_equal(fix_attach(), 0);
	assert_int_equal(pci_host_add(&host, 5, &mdev), 0);
	ecam_write(5, PCI_BAR0 + 4, 4, BAR_A);
	ecam_write(5, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pci_msix_destroy(&msix);
	pci_host_destroy(&host);
	return 0;
}

static void tw(unsigned v, unsigned dw, uint32_t val)
{
	bus_mmio(&bus, BAR_A + 0x2000 + 16 * v + 4 * dw, (uint8_t *)&val, 4, true);
}

static uint32_t tr(unsigned v, unsigned dw)
{
	uint32_t val = 0;
	bus_mmio(&bus, BAR_A + 0x2000 + 16 * v + 4 * dw, (uint8_t *)&val, 4, false);
	return val;
}

static uint32_t pba(void)
{
	uint32_t val = 0;
	bus_mmio(&bus, BAR_A + 0x3000, (uint8_t *)&val, 4, false);
	return val;
}

static void msix_ctrl(uint16_t bits)
{
	ecam_write(5, msix.cap + 2, 2, bits);
}

static void program(unsigned v, uint32_t addr, uint32_t data)
{
	tw(v, 0, addr);
	tw(v, 1, 0);
	tw(v, 2, data);
}

static void test_capability(void **state)
{
	(void)state;
	unsigned cap = ecam_read(5, PCI_CAP_PTR, 1);
	assert_int_equal(cap, msix.cap);
	assert_int_equal(ecam_read(5, cap, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(ecam_read(5, cap + 2, 2), NVEC - 1);
	assert_int_equal(ecam_read(5, cap + 4, 4), 0x2000 | 1);
	assert_int_equal(ecam_read(5, cap + 8, 4), 0x3000 | 1);
	/* Table size, offsets and BIRs are read-only. */
	ecam_write(5, cap + 2, 2, 0x3fff);
	ecam_write(5, cap + 4, 4, 0xffffffff);
	assert_int_equal(ecam_read(5, cap + 2, 2), NVEC - 1);
	assert_int_equal(ecam_read(5, cap + 4, 4), 0x2000 | 1);
	/* Every vector starts masked; only bit 0 of Vector Control is kept. */
	for (unsigned v = 0; v < NVEC; v++)
		assert_int_equal(tr(v, 3), 1);
	tw(2, 3, 0xfffffffe);
	assert_int_equal(tr(2, 3), 0);
	program(2, 0xfee00000, 0x4041);
	assert_int_equal(tr(2, 0), 0xfee00000);
	assert_int_equal(tr(2, 2), 0x4041);
}

static void test_disabled_sends_nothing(void **state)
{
	(void)state;
	program(0, 0xfee00000, 0x30);
	tw(0, 3, 0);
	assert_false(pci_msix_notify(&msix, 0));
	assert_int_equal(nsent, 0);
	assert_int_equal(pba(), 0);
	msix_ctrl(PCI_MSIX_CTRL_ENABLE);
	assert_true(pci_msix_enabled(&msix));
	assert_true(pci_msix_notify(&msix, 0));
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_addr[0], 0xfee00000);
	assert_int_equal(sent_data[0], 0x30);
}

static void test_vector_mask_pends_and_unmask_sends(void **state)
{
	(void)state;
	msix_ctrl(PCI_MSIX_CTRL_ENABLE);
	program(3, 0xfee01000, 0x41);
	assert_true(pci_msix_notify(&msix, 3)); /* masked since reset */
	assert_int_equal(nsent, 0);
	assert_int_equal(pba(), 1u << 3);
	assert_true(pci_msix_notify(&msix, 3)); /* still one pending bit */
	tw(3, 3, 0);				/* unmask: sent once, bit cleared */
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_data[0], 0x41);
	assert_int_equal(pba(), 0);
	pci_msix_notify(&msix, 3);
	assert_int_equal(nsent, 2);
	/* PBA writes are ignored. */
	uint32_t v = 0xffffffff;
	bus_mmio(&bus, BAR_A + 0x3000, (uint8_t *)&v, 4, true);
	assert_int_equal(pba(), 0);
}

static void test_function_mask(void **state)
{
	(void)state;
	msix_ctrl(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	for (unsigned v = 0; v < NVEC; v++) {
		program(v, 0xfee00000, 0x50 + v);
		tw(v, 3, 0);
	}
	pci_msix_notify(&msix, 1);
	pci_msix_notify(&msix, 4);
	assert_int_equal(nsent, 0);
	assert_int_equal(pba(), (1u << 1) | (1u << 4));
	tw(4, 3, 1); /* vector 4 masked on its own too */
	msix_ctrl(PCI_MSIX_CTRL_ENABLE);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_data[0], 0x51);
	assert_int_equal(pba(), 1u << 4);
	tw(4, 3, 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent_data[1], 0x54);
	/* Pending across disable: kept, sent when enabled again. */
	msix_ctrl(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	pci_msix_notify(&msix, 0);
	msix_ctrl(0);
	assert_int_equal(pba(), 1);
	msix_ctrl(PCI_MSIX_CTRL_ENABLE);
	assert_int_equal(nsent, 3);
	assert_int_equal(pba(), 0);
}

static void test_wild_values(void **state)
{
	(void)state;
	msix_ctrl(PCI_MSIX_CTRL_ENABLE);
	/* Addresses outside the interrupt range are dropped and counted. */
	program(0, 0x00001000, 0x30);
	tw(0, 3, 0);
	pci_msix_notify(&msix, 0);
	program(1, 0xfee00000, 0x31);
	tw(1, 1, 1); /* upper address non-zero */
	tw(1, 3, 0);
	pci_msix_notify(&msix, 1);
	assert_int_equal(nsent, 0);
	assert_int_equal(atomic_load(&msix.dropped), 2);
	/* Any data goes to KVM to judge; a refused message is dropped. */
	program(2, 0xfeeffffc, 0xffffffff);
	tw(2, 3, 0);
	pci_msix_notify(&msix, 2);
	assert_int_equal(nsent, 1);
	fail_signal = 1;
	pci_msix_notify(&msix, 2);
	assert_int_equal(atomic_load(&msix.dropped), 3);
	/* Vectors beyond the table. */
	assert_false(pci_msix_notify(&msix, NVEC));
	assert_false(pci_msix_notify(&msix, 100000));
}

static void test_odd_table_accesses(void **state)
{
	(void)state;
	program(0, 0xfee00000, 0x77);
	uint64_t q = 0;
	/* Byte, word and misaligned accesses: all ones, writes dropped. */
	uint8_t b = 0x12;
	bus_mmio(&bus, BAR_A + 0x2000, &b, 1, true);
	bus_mmio(&bus, BAR_A + 0x2000, &b, 1, false);
	assert_int_equal(b, 0xff);
	uint32_t d = 0x99;
	bus_mmio(&bus, BAR_A + 0x2002, (uint8_t *)&d, 4, true);
	bus_mmio(&bus, BAR_A + 0x2002, (uint8_t *)&d, 4, false);
	assert_int_equal(d, 0xffffffff);
	bus_mmio(&bus, BAR_A + 0x2004, (uint8_t *)&q, 8, false);
	assert_true(q == UINT64_MAX);
	assert_int_equal(tr(0, 0), 0xfee00000);
	/* Aligned 8-byte accesses: two dwords. */
	q = 0x00000000fee0100cull;
	bus_mmio(&bus, BAR_A + 0x2000 + 16, (uint8_t *)&q, 8, true);
	assert_int_equal(tr(1, 0), 0xfee0100c);
	q = 0;
	bus_mmio(&bus, BAR_A + 0x2000 + 16 + 8, (uint8_t *)&q, 8, false);
	assert_true(q == (1ull << 32)); /* data 0, Vector Control masked */
	/* Past the table's last entry and the PBA's end: the device's own space. */
	d = 0;
	bus_mmio(&bus, BAR_A + 0x2000 + 16 * NVEC, (uint8_t *)&d, 4, false);
	assert_int_equal(d, 0);
	bus_mmio(&bus, BAR_A + 0x3008, (uint8_t *)&d, 4, false);
	assert_int_equal(d, 0);
	/* Random writes over the whole BAR leave the table sane. */
	srand(3);
	for (int i = 0; i < 20000; i++) {
		uint64_t v = (uint64_t)rand() << 32 | (unsigned)rand();
		uint32_t len = 1u << (rand() % 4);
		bus_mmio(&bus, BAR_A + (unsigned)rand() % 0x4000, (uint8_t *)&v, len, rand() % 2);
		if (rand() % 16 == 0)
			pci_msix_notify(&msix, (unsigned)rand() % 8);
		if (rand() % 64 == 0)
			msix_ctrl((uint16_t)rand());
	}
	for (unsigned v = 0; v < NVEC; v++)
		assert_true(tr(v, 3) <= 1);
	assert_int_equal(ecam_read(5, msix.cap + 2, 2) & 0x7ff, NVEC - 1);
}

static void test_init_errors(void **state)
{
	(void)state;
	static struct pci_dev d;
	static struct pci_msix m;
	pci_dev_init(&d, "bad", 1, 2, 0, 0, 0);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_MEM32, 0x1000, false, msix_bar_io, &m), 0);
	assert_int_equal(pci_dev_set_bar(&d, 1, PCI_BAR_IO, 0x100, false, msix_bar_io, &m), 0);
	assert_int_equal(pci_msix_init(&m, &d, 0, 0, 0, 0x800, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 65, 0, 0, 0x800, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 1, 0, 0x80, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 2, 0, 0x800, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 0, 0x4, 0x800, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 0, 0, 0x38, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 0, 0xff8, 0x0, signal_msi, NULL), -ERR_INVAL);
	assert_int_equal(pci_msix_init(&m, &d, 4, 0, 0, 0x40, signal_msi, NULL), 0);
	pci_msix_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_capability, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disabled_sends_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vector_mask_pends_and_unmask_sends, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_function_mask, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wild_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_table_accesses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
