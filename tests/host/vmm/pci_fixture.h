/*
 * What the PCI host tests share: a bus with the host bridge attached and a
 * test device in slot 3 (BAR0: 4 KiB of 32-bit memory, BAR1: 32 bytes of I/O,
 * BAR2+3: 64 KiB of 64-bit prefetchable memory, INTA) whose BAR accesses are
 * recorded, and helpers that reach configuration space as a guest does,
 * through ports 0xCF8/0xCFC or through ECAM.
 */
#ifndef PCI_FIXTURE_H
#define PCI_FIXTURE_H

#include <string.h>

#include "bus.h"
#include "pci/pci_host.h"

#define TEST_SLOT 3

struct rec_bar {
	int reads, writes;
	uint64_t last_off;
};

static struct bus bus;
static struct pci_host host;
static struct pci_dev tdev;
static struct rec_bar rec[PCI_NUM_BARS];
static unsigned gsi_level[24];
static int gsi_calls;

static inline void rec_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct rec_bar *r = ctx;
	r->last_off = off;
	if (is_write) {
		r->writes++;
	} else {
		r->reads++;
		memset(data, 0xa5, len);
	}
}

static inline void fix_set_gsi(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	if (gsi < 24)
		gsi_level[gsi] = level;
	gsi_calls++;
}

static inline void fix_setup_dev(void)
{
	memset(rec, 0, sizeof(rec));
	memset(gsi_level, 0, sizeof(gsi_level));
	gsi_calls = 0;
	bus_init(&bus);
	pci_host_init(&host, &bus, 256ull << 20, fix_set_gsi, NULL);
	pci_dev_init(&tdev, "test", 0x1af4, 0x1234, 0xff0000, 1, 1);
	pci_dev_set_bar(&tdev, 0, PCI_BAR_MEM32, 4096, false, rec_io, &rec[0]);
	pci_dev_set_bar(&tdev, 1, PCI_BAR_IO, 32, false, rec_io, &rec[1]);
	pci_dev_set_bar(&tdev, 2, PCI_BAR_MEM64, 65536, true, rec_io, &rec[2]);
}

static inline int fix_attach(void)
{
	int r = pci_host_attach(&host);
	return r < 0 ? r : pci_host_add(&host, TEST_SLOT, &tdev);
}

static inline uint32_t cfg_addr(unsigned dev, unsigned reg)
{
	return 0x80000000u | dev << 11 | (reg & 0xfc);
}

/* Reads len bytes at reg of device dev (function 0) through 0xCF8/0xCFC. */
static inline uint32_t pio_read(unsigned dev, unsigned reg, uint32_t len)
{
	uint32_t a = cfg_addr(dev, reg), v = 0;
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, (uint16_t)(0xcfc + (reg & 3)), (uint8_t *)&v, len, false);
	return v;
}

static inline void pio_write(unsigned dev, unsigned reg, uint32_t len, uint32_t v)
{
	uint32_t a = cfg_addr(dev, reg);
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, (uint16_t)(0xcfc + (reg & 3)), (uint8_t *)&v, len, true);
}

static inline uint64_t ecam(unsigned bus_nr, unsigned dev, unsigned fn, unsigned reg)
{
	return PCI_ECAM_BASE + ((uint64_t)bus_nr << 20) + (dev << 15) + (fn << 12) + reg;
}

static inline uint32_t ecam_read(unsigned dev, unsigned reg, uint32_t len)
{
	uint32_t v = 0;
	bus_mmio(&bus, ecam(0, dev, 0, reg), (uint8_t *)&v, len, false);
	return v;
}

static inline void ecam_write(unsigned dev, unsigned reg, uint32_t len, uint32_t v)
{
	bus_mmio(&bus, ecam(0, dev, 0, reg), (uint8_t *)&v, len, true);
}

#endif
