/*
 * Unit tests for orbvm's PCI host bridge and device model (vmm/pci/pci_host.c,
 * pci_dev.c) through the bus, as a guest reaches them: configuration space
 * through 0xCF8/0xCFC and ECAM (IDs, byte and word accesses, the enable bit,
 * absent devices, read-only fields, odd sizes and misaligned accesses, the
 * extended space), BAR sizing and moving, decode switched by the command
 * register, and every hostile BAR placement (over RAM, ECAM, a fixed device,
 * another BAR, wrapping), INTx with INTx-disable and shared GSIs, the
 * capability list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>

#include "acpi/acpi.h"
#include "err.h"
#include "mem.h"
#include "pci_fixture.h"

static int setup(void **state)
{
	(void)state;
	fix_setup_dev();
	return fix_attach();
}

static int teardown(void **state)
{
	(void)state;
	pci_host_destroy(&host);
	return 0;
}

static bool mmio_claimed(uint64_t addr)
{
	uint8_t b[4];
	return bus_mmio(&bus, addr, b, 4, false);
}

static bool pio_claimed(uint16_t port)
{
	uint8_t b[4];
	return bus_pio(&bus, port, b, 4, false);
}

static void test_host_bridge_ids(void **state)
{
	(void)state;
	assert_int_equal(pio_read(0, 0, 4), 0x00081b36);
	assert_int_equal(ecam_read(0, 0, 4), 0x00081b36);
	assert_int_equal(pio_read(0, 8, 4) >> 8, 0x060000);
	assert_int_equal(pio_read(0, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(pio_read(TEST_SLOT, 0, 4), 0x12341af4);
	assert_int_equal(ecam_read(TEST_SLOT, PCI_INTERRUPT_PIN, 1), 1);
}

static void test_byte_and_word_accesses(void **state)
{
	(void)state;
	for (unsigned reg = 0; reg < 0x40; reg += 4) {
		uint32_t d = pio_read(TEST_SLOT, reg, 4);
		assert_int_equal(ecam_read(TEST_SLOT, reg, 4), d);
		for (unsigned b = 0; b < 4; b++) {
			assert_int_equal(pio_read(TEST_SLOT, reg + b, 1), (d >> (8 * b)) & 0xff);
			assert_int_equal(ecam_read(TEST_SLOT, reg + b, 1), (d >> (8 * b)) & 0xff);
		}
		for (unsigned b = 0; b < 3; b++) {
			assert_int_equal(pio_read(TEST_SLOT, reg + b, 2), (d >> (8 * b)) & 0xffff);
			assert_int_equal(ecam_read(TEST_SLOT, reg + b, 2), (d >> (8 * b)) & 0xffff);
		}
	}
}

static void test_enable_bit_and_cf8_latch(void **state)
{
	(void)state;
	uint32_t a = 0x7f000000u | 0x3c, v = 0; /* enable clear, reserved bits set */
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, 0xcf8, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0x3c); /* reserved bits read 0 */
	bus_pio(&bus, 0xcfc, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0xffffffff);
	v = 0x77;
	bus_pio(&bus, 0xcfc, (uint8_t *)&v, 1, true); /* ignored */
	assert_int_equal(pio_read(0, PCI_INTERRUPT_LINE, 1), 0);
	/* Byte and word accesses to 0xCF8 neither latch nor read the address. */
	a = 0x80000000u;
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	uint16_t w = 0x1234;
	bus_pio(&bus, 0xcf8, (uint8_t *)&w, 2, true);
	uint8_t byte = 0x12;
	bus_pio(&bus, 0xcf9, &byte, 1, true);
	bus_pio(&bus, 0xcf8, (uint8_t *)&w, 2, false);
	assert_int_equal(w, 0xffff);
	bus_pio(&bus, 0xcf8, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0x80000000u);
	/* A dword at 0xCFD straddles the data port: unclaimed, all ones. */
	assert_false(bus_pio(&bus, 0xcfd, (uint8_t *)&v, 4, false));
	assert_int_equal(v, 0xffffffff);
}

static void test_absent_devices_read_all_ones(void **state)
{
	(void)state;
	assert_int_equal(pio_read(1, 0, 4), 0xffffffff);
	assert_int_equal(pio_read(31, 0, 2), 0xffff);
	assert_int_equal(ecam_read(5, 0, 4), 0xffffffff);
	/* Function 1 of a present device, and bus 1 through 0xCF8. */
	uint32_t a = 0x80000100u, v;
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, 0xcfc, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0xffffffff);
	a = 0x80010000u;
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, 0xcfc, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0xffffffff);
	bus_mmio(&bus, ecam(0, 0, 3, 0), (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0xffffffff);
	/* Writes to absent devices go nowhere. */
	pio_write(1, 0x3c, 1, 0x11);
	ecam_write(2, 0x3c, 4, 0x11);
	assert_int_equal(pio_read(1, 0x3c, 1), 0xff);
}

static void test_ecam_odd_accesses(void **state)
{
	(void)state;
	uint64_t v = 0;
	/* Crossing a dword, and 8 bytes: all ones, writes dropped. */
	bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0x3e), (uint8_t *)&v, 4, false);
	assert_int_equal((uint32_t)v, 0xffffffff);
	bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0x3b), (uint8_t *)&v, 2, false);
	assert_int_equal((uint16_t)v, 0xffff);
	bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0x38), (uint8_t *)&v, 8, false);
	assert_true(v == UINT64_MAX);
	v = 0x5555555555555555ull;
	bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0x38), (uint8_t *)&v, 8, true);
	bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0x3b), (uint8_t *)&v, 2, true);
	assert_int_equal(ecam_read(TEST_SLOT, 0x3c, 1), 0);
	/* The extended space (256..4095) reads 0 and keeps nothing. */
	ecam_write(TEST_SLOT, 0x100, 4, 0xdeadbeef);
	assert_int_equal(ecam_read(TEST_SLOT, 0x100, 4), 0);
	assert_int_equal(ecam_read(TEST_SLOT, 0xffc, 4), 0);
	/* Past the one-bus window: not ECAM at all (an unclaimed MMIO read is 0). */
	uint32_t w = 1;
	assert_false(bus_mmio(&bus, ecam(1, 0, 0, 0), (uint8_t *)&w, 4, false));
}

static void test_read_only_fields(void **state)
{
	(void)state;
	uint32_t before[16];
	for (unsigned i = 0; i < 16; i++)
		before[i] = pio_read(TEST_SLOT, 4 * i, 4);
	pio_write(TEST_SLOT, 0, 4, 0xffffffff);	     /* IDs */
	ecam_write(TEST_SLOT, 8, 4, 0xffffffff);     /* class, revision */
	pio_write(TEST_SLOT, PCI_STATUS, 2, 0xffff); /* status */
	ecam_write(TEST_SLOT, PCI_HEADER_TYPE, 1, 0x80);
	pio_write(TEST_SLOT, PCI_INTERRUPT_PIN, 1, 4);
	pio_write(TEST_SLOT, PCI_CAP_PTR, 1, 0x40);
	pio_write(TEST_SLOT, PCI_ROM_ADDRESS, 4, 0xffffffff);
	assert_int_equal(pio_read(TEST_SLOT, 0, 4), before[0]);
	assert_int_equal(pio_read(TEST_SLOT, 8, 4), before[2]);
	assert_int_equal(pio_read(TEST_SLOT, PCI_STATUS, 2), before[1] >> 16);
	assert_int_equal(pio_read(TEST_SLOT, 0x0c, 4) & 0x00ff0000, before[3] & 0x00ff0000);
	assert_int_equal(pio_read(TEST_SLOT, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(pio_read(TEST_SLOT, PCI_CAP_PTR, 1), 0);
	assert_int_equal(pio_read(TEST_SLOT, PCI_ROM_ADDRESS, 4), 0);
	/* Past the header, with no capability list: every byte reads 0 and stays 0. */
	for (unsigned reg = 0x40; reg < 0x100; reg += 4) {
		pio_write(TEST_SLOT, reg, 4, 0xffffffff);
		ecam_write(TEST_SLOT, reg + 1, 2, 0xffff);
		assert_int_equal(ecam_read(TEST_SLOT, reg, 4), 0);
	}
	/* The command register keeps only its writable bits. */
	pio_write(TEST_SLOT, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pio_read(TEST_SLOT, PCI_COMMAND, 2), PCI_COMMAND_WMASK);
}

static void test_bar_sizing(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 6; i++)
		pio_write(TEST_SLOT, PCI_BAR0 + 4 * i, 4, 0xffffffff);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0, 4), 0xfffff000);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0 + 4, 4), 0x0000ffe1);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0 + 8, 4), 0xffff000c);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0 + 12, 4), 0xffffffff);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0 + 16, 4), 0);
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0 + 20, 4), 0);
	/* Sized with decode off: nothing appeared anywhere. */
	assert_int_equal(bus.movable[BUS_MMIO][0].len, 0);
	/* Byte writes to a BAR keep the low bits' type. */
	ecam_write(TEST_SLOT, PCI_BAR0, 1, 0xff);
	assert_int_equal(ecam_read(TEST_SLOT, PCI_BAR0, 4), 0xfffff000);
}

static void test_bar_decode_and_move(void **state)
{
	(void)state;
	pio_write(TEST_SLOT, PCI_BAR0, 4, 0xc0001000);
	pio_write(TEST_SLOT, PCI_BAR0 + 4, 4, 0xc100);
	assert_false(mmio_claimed(0xc0001000)); /* decode off */
	assert_false(pio_claimed(0xc100));
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mmio_claimed(0xc0001010));
	assert_int_equal(rec[0].reads, 1);
	assert_int_equal(rec[0].last_off, 0x10);
	assert_false(pio_claimed(0xc100)); /* I/O decode still off */
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	uint8_t b = 1;
	assert_true(bus_pio(&bus, 0xc11f, &b, 1, true));
	assert_int_equal(rec[1].writes, 1);
	assert_int_equal(rec[1].last_off, 0x1f);
	/* Move BAR0: the old place decodes nothing, the new one does. */
	ecam_write(TEST_SLOT, PCI_BAR0, 4, 0xc0200000);
	assert_false(mmio_claimed(0xc0001000));
	assert_true(mmio_claimed(0xc0200ffc));
	assert_false(mmio_claimed(0xc0201000));
	/* An access straddling the BAR's end is unclaimed. */
	assert_false(mmio_claimed(0xc0200ffe));
	/* Memory decode off: gone, the value kept. */
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_false(mmio_claimed(0xc0200000));
	assert_int_equal(pio_read(TEST_SLOT, PCI_BAR0, 4), 0xc0200000);
	/* A 64-bit BAR in the 64-bit window. */
	uint64_t hi = host.mem64_base + 0x10000;
	pio_write(TEST_SLOT, PCI_BAR0 + 8, 4, (uint32_t)hi);
	pio_write(TEST_SLOT, PCI_BAR0 + 12, 4, (uint32_t)(hi >> 32));
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mmio_claimed(hi + 0xfff0));
	assert_int_equal(rec[2].last_off, 0xfff0);
	assert_true(host.mem64_base >= (1ull << 32));
}

/* BAR0 at `addr` with memory decode on: whether an access there reaches it
 * (whatever else may answer there). */
static bool bar0_at(uint32_t addr)
{
	pio_write(TEST_SLOT, PCI_BAR0, 4, addr);
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	int before = rec[0].reads;
	mmio_claimed(addr);
	return rec[0].reads != before;
}

static void test_hostile_bar_places(void **state)
{
	(void)state;
	assert_false(bar0_at(0x00100000));		  /* over RAM */
	assert_false(bar0_at(0));			  /* address 0 */
	assert_false(bar0_at((uint32_t)PCI_ECAM_BASE));	  /* over ECAM */
	assert_int_equal(ecam_read(0, 0, 4), 0x00081b36); /* which still works */
	assert_false(bar0_at(0xfec00000));		  /* the I/O APIC */
	assert_false(bar0_at(0xfee00000));		  /* the local APIC */
	assert_false(bar0_at(0xd0000000));		  /* virtio-mmio windows */
	assert_true(bar0_at(0xcffff000));		  /* the window's last page */
	/* 64-bit BAR: wrapping past 2^64, or over high RAM. */
	pio_write(TEST_SLOT, PCI_BAR0 + 8, 4, 0xffff0000);
	pio_write(TEST_SLOT, PCI_BAR0 + 12, 4, 0xffffffff);
	assert_false(mmio_claimed(0xffffffffffff0000ull));
	pio_write(TEST_SLOT, PCI_BAR0 + 8, 4, 0);
	pio_write(TEST_SLOT, PCI_BAR0 + 12, 4, 1);
	assert_false(mmio_claimed(0x100000000ull));
	/* I/O: below the window (ISA, 0xCF8) and over a fixed device inside it. */
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO);
	pio_write(TEST_SLOT, PCI_BAR0 + 4, 4, 0x0ce0);
	pio_claimed(0xce0);
	assert_int_equal(rec[1].reads, 0);
	assert_int_equal(bus_register(&bus, BUS_PIO, 0xc208, 4, rec_io, &rec[5], "exit"), 0);
	pio_write(TEST_SLOT, PCI_BAR0 + 4, 4, 0xc200);
	assert_true(pio_claimed(0xc208));
	assert_int_equal(rec[5].reads, 1); /* the fixed device, not the BAR */
	assert_false(pio_claimed(0xc200));
	pio_write(TEST_SLOT, PCI_BAR0 + 4, 4, 0xc220);
	assert_true(pio_claimed(0xc220));
	assert_int_equal(rec[1].reads, 1);
}

static void test_overlapping_bars_decode_nothing(void **state)
{
	(void)state;
	static struct pci_dev other;
	static struct rec_bar orec;
	pci_dev_init(&other, "other", 0x1af4, 0x1, 0xff0000, 0, 0);
	assert_int_equal(pci_dev_set_bar(&other, 0, PCI_BAR_MEM32, 0x2000, false, rec_io, &orec),
			 0);
	assert_int_equal(pci_host_add(&host, 9, &other), 0);
	pio_write(TEST_SLOT, PCI_BAR0, 4, 0xc0001000);
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ecam_write(9, PCI_BAR0, 4, 0xc0000000);
	assert_true(mmio_claimed(0xc0001000)); /* other is still off */
	assert_int_equal(rec[0].reads, 1);
	ecam_write(9, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(mmio_claimed(0xc0001000)); /* both overlap: neither decodes */
	assert_false(mmio_claimed(0xc0000000));
	/* Two BARs of one device over each other: the same. */
	ecam_write(9, PCI_BAR0, 4, 0xc0100000);
	assert_true(mmio_claimed(0xc0001000));
	assert_true(mmio_claimed(0xc0100000));
	pio_write(TEST_SLOT, PCI_BAR0 + 8, 4, 0xc0000000);
	pio_write(TEST_SLOT, PCI_BAR0 + 12, 4, 0);
	assert_false(mmio_claimed(0xc0001000));
	assert_false(mmio_claimed(0xc0000000));
	/* Moved apart: both decode again. */
	pio_write(TEST_SLOT, PCI_BAR0 + 8, 4, 0xc0010000);
	assert_true(mmio_claimed(0xc0001000));
	assert_true(mmio_claimed(0xc0010000));
	assert_int_equal(orec.reads, 1);
}

static void test_intx(void **state)
{
	(void)state;
	unsigned gsi = pci_host_intx_gsi(TEST_SLOT, 1);
	assert_int_equal(gsi, 23);
	assert_int_equal(pci_host_intx_gsi(1, 1), 21);
	assert_int_equal(pci_host_intx_gsi(4, 4), 23);
	pci_dev_set_intx(&tdev, true);
	assert_int_equal(gsi_level[gsi], 1);
	assert_true(pio_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_dev_set_intx(&tdev, true); /* repeated: no new call */
	assert_int_equal(gsi_calls, 1);
	pio_write(TEST_SLOT, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(gsi_level[gsi], 0);
	assert_true(pio_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pio_write(TEST_SLOT, PCI_COMMAND, 2, 0);
	assert_int_equal(gsi_level[gsi], 1);
	/* A second device on the same GSI (slot 7, INTA): the line is their OR. */
	static struct pci_dev d7;
	pci_dev_init(&d7, "d7", 0x1af4, 2, 0xff0000, 0, 1);
	assert_int_equal(pci_host_add(&host, 7, &d7), 0);
	assert_int_equal(pci_host_intx_gsi(7, 1), gsi);
	pci_dev_set_intx(&d7, true);
	pci_dev_set_intx(&tdev, false);
	assert_int_equal(gsi_level[gsi], 1);
	pci_dev_set_intx(&d7, false);
	assert_int_equal(gsi_level[gsi], 0);
	assert_false(pio_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
}

static void test_capability_list(void **state)
{
	(void)state;
	static struct pci_dev d;
	pci_dev_init(&d, "caps", 0x1af4, 3, 0xff0000, 0, 0);
	assert_int_equal(pci_dev_add_cap(&d, 0x09, 5), 0x40);
	assert_int_equal(pci_dev_add_cap(&d, 0x10, 60), 0x48);
	assert_int_equal(pci_host_add(&host, 4, &d), 0);
	assert_true(pio_read(4, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	unsigned p = pio_read(4, PCI_CAP_PTR, 1), n = 0;
	uint8_t ids[2];
	while (p && n < 48) {
		ids[n < 2 ? n : 1] = (uint8_t)ecam_read(4, p, 1);
		p = ecam_read(4, p + 1, 1);
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 0x09);
	assert_int_equal(ids[1], 0x10);
	/* Filling the space, then no room; the list stays walkable. */
	int r;
	unsigned added = 0;
	while ((r = pci_dev_add_cap(&d, 0x20, 16)) > 0)
		added++;
	assert_int_equal(r, -ERR_NOSPACE);
	assert_true(added > 0);
	assert_int_equal(pci_dev_add_cap(&d, 0x20, 1), -ERR_NOSPACE);
}

static void test_setup_errors(void **state)
{
	(void)state;
	static struct pci_dev d;
	pci_dev_init(&d, "bad", 1, 2, 0, 0, 9);
	assert_int_equal(d.cfg[PCI_INTERRUPT_PIN], 0);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_MEM32, 24, false, rec_io, NULL),
			 -ERR_INVAL);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_MEM32, 8, false, rec_io, NULL), -ERR_INVAL);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_IO, 512, false, rec_io, NULL), -ERR_INVAL);
	assert_int_equal(pci_dev_set_bar(&d, 5, PCI_BAR_MEM64, 4096, false, rec_io, NULL),
			 -ERR_INVAL);
	assert_int_equal(pci_dev_set_bar(&d, 6, PCI_BAR_MEM32, 4096, false, rec_io, NULL),
			 -ERR_INVAL);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_MEM64, 4096, false, rec_io, NULL), 0);
	assert_int_equal(pci_dev_set_bar(&d, 1, PCI_BAR_MEM32, 4096, false, rec_io, NULL),
			 -ERR_INVAL);
	assert_int_equal(pci_host_add(&host, 0, &d), -ERR_INVAL);
	assert_int_equal(pci_host_add(&host, 32, &d), -ERR_INVAL);
	assert_int_equal(pci_host_add(&host, TEST_SLOT, &d), -ERR_EXIST);
}

/* Random configuration writes of every size at every offset, through both
 * mechanisms: the IDs survive and nothing reaches outside (ASan). */
static void test_random_config_writes(void **state)
{
	(void)state;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		unsigned reg = (unsigned)rand() % 0x1000, len = 1u << (rand() % 3);
		uint32_t v = (uint32_t)rand() * 2654435761u;
		unsigned dev = rand() % 2 ? TEST_SLOT : (unsigned)rand() % 32;
		if (rand() % 2)
			ecam_write(dev, reg, len, v);
		else if (reg < 0x100 && (reg & 3) + len <= 4)
			pio_write(dev, reg, len, v);
		if (rand() % 64 == 0) {
			uint8_t b[8];
			bus_mmio(&bus, 0xc0000000ull + (unsigned)rand() % 0x100000, b, 4, false);
		}
	}
	assert_int_equal(pio_read(TEST_SLOT, 0, 4), 0x12341af4);
	assert_int_equal(ecam_read(0, 0, 4), 0x00081b36);
	assert_int_equal(pio_read(TEST_SLOT, PCI_INTERRUPT_PIN, 1), 1);
}

static atomic_bool hammer_stop;
static atomic_ullong hammer_hits, hammer_bad;

static void counting_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	(void)ctx;
	atomic_fetch_add(&hammer_hits, 1);
	if (off >= 4096 || len > 4096 - off)
		atomic_fetch_add(&hammer_bad, 1);
	if (!is_write)
		memset(data, 0x11, len);
}

/* A vCPU: accesses both places BAR0 moves between, and ECAM, until told to stop. */
static void *hammer(void *arg)
{
	(void)arg;
	while (!atomic_load(&hammer_stop)) {
		uint8_t b[4];
		bus_mmio(&bus, 0xc0001ffc, b, 4, false);
		bus_mmio(&bus, 0xc0200010, b, 4, true);
		uint32_t ids = 0;
		bus_mmio(&bus, ecam(0, TEST_SLOT, 0, 0), (uint8_t *)&ids, 4, false);
		if (ids != 0x12341af4)
			atomic_fetch_add(&hammer_bad, 1);
	}
	return NULL;
}

/* The guest moves BAR0 and toggles its decode (through 0xCF8/0xCFC) while
 * three vCPU threads access it and ECAM: every access reaches the BAR with
 * an offset inside it or is unclaimed, and ECAM always answers. */
static void test_bar_moves_under_access(void **state)
{
	(void)state;
	static struct pci_dev d;
	pci_dev_init(&d, "moving", 0x1af4, 0x1234, 0xff0000, 0, 0);
	assert_int_equal(pci_dev_set_bar(&d, 0, PCI_BAR_MEM32, 4096, false, counting_io, NULL), 0);
	/* Replace the fixture's device in its slot before any "vCPU" runs. */
	host.slot[TEST_SLOT] = NULL;
	assert_int_equal(pci_host_add(&host, TEST_SLOT, &d), 0);
	atomic_store(&hammer_stop, false);
	atomic_store(&hammer_hits, 0);
	atomic_store(&hammer_bad, 0);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 20000 || atomic_load(&hammer_hits) < 100; i++) {
		pio_write(TEST_SLOT, PCI_BAR0, 4, i % 2 ? 0xc0001000 : 0xc0200000);
		pio_write(TEST_SLOT, PCI_COMMAND, 2, i % 3 ? PCI_COMMAND_MEMORY : 0);
	}
	atomic_store(&hammer_stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&hammer_bad), 0);
	assert_true(atomic_load(&hammer_hits) >= 100);
}

/* The windows the ACPI tables describe, and the 64-bit one above any RAM. */
static void test_acpi_description(void **state)
{
	(void)state;
	struct acpi_pci a;
	pci_host_acpi(&host, &a);
	assert_int_equal(a.ecam_base, 0xe0000000);
	assert_int_equal(a.bus_end, 0);
	assert_int_equal(a.io_min, 0xc000);
	assert_int_equal(a.io_max, 0xffff);
	assert_int_equal(a.mem32_min, 0xc0000000);
	assert_int_equal(a.mem32_max, 0xcfffffff);
	assert_int_equal(a.mem64_min, 32ull << 30);
	assert_int_equal(a.mem64_max, (64ull << 30) - 1);
	assert_int_equal(a.gsi_base, 20);
	/* 40 GiB of RAM end at 4 + 37 GiB: the window moves to 64 GiB. */
	static struct pci_host big;
	pci_host_init(&big, &bus, 40ull << 30, NULL, NULL);
	pci_host_acpi(&big, &a);
	assert_int_equal(a.mem64_min, 64ull << 30);
	pci_host_destroy(&big);
	/* 256 GiB (orbvm's most): still below 512 GiB (39 physical address bits). */
	pci_host_init(&big, &bus, 256ull << 30, NULL, NULL);
	pci_host_acpi(&big, &a);
	assert_true(a.mem64_min >= (4ull << 30) + (253ull << 30));
	assert_true(a.mem64_max < (512ull << 30));
	pci_host_destroy(&big);
	/* The ECAM window and the 32-bit window are apart from each other and from RAM. */
	assert_true(PCI_MEM32_BASE >= MEM_HOLE_START);
	assert_true(PCI_MEM32_BASE + PCI_MEM32_SIZE <= 0xd0000000ull);
	assert_true(PCI_ECAM_BASE + PCI_ECAM_SIZE <= 0xfec00000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_host_bridge_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_and_word_accesses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enable_bit_and_cf8_latch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_absent_devices_read_all_ones, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ecam_odd_accesses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bar_decode_and_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_bar_places, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlapping_bars_decode_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_capability_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setup_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_config_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acpi_description, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bar_moves_under_access, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
