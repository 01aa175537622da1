/*
 * libFuzzer target: orbvm's PCI host bridge, device model and MSI-X
 * (vmm/pci/) with the bus's movable ranges (vmm/bus.c), driven through the
 * bus exactly as a guest's port and MMIO exits reach them.
 *
 * Set-up: the host bridge, device A in slot 2 (BAR0 4 KiB memory with MSI-X:
 * 8 vectors, table at 0, PBA at 0x800; BAR1 64 bytes of I/O; BAR2+3 64 KiB
 * of 64-bit memory; INTA) and device B in slot 6 (BAR0 8 KiB memory, BAR5
 * 16 bytes of I/O; INTB), and a fixed I/O device at 0xC400 (as a
 * --debug-exit port in the I/O window could be).
 *
 * Input: operations of 8 bytes each: u8 kind, u8 length code (1 << (code & 3)
 * bytes; bits 7..2 pick a place for kind 3), u16 selector, u32 value (the
 * data written). Kinds (mod 8): access 0xCF8 + (selector & 3); access
 * 0xCFC + (selector & 3); access ECAM at (value & 0x1fffff) (past the
 * one-bus window too); access memory ((code >> 2) % 3: in the 32-bit or the
 * 64-bit window at (code >> 4) MiB + selector, or at selector * 64 KiB
 * anywhere below 4 GiB);
 * access an I/O port; raise an MSI-X vector of A (selector, may be out of
 * range); set A's or B's INTx level; write a BAR's or the command register
 * of a random device through 0xCF8/0xCFC. Bit 7 of kind makes an access a
 * read. Checked after every operation: the IDs never change; every placed
 * BAR lies inside its window, overlaps no other placed BAR and no fixed
 * device, and the bus's movable table holds exactly the placements; the
 * MSI-X vector controls hold only the mask bit; every message sent targets
 * 0xFEExxxxx with upper address 0; each INTx GSI is high exactly when a
 * device on it asserts INTx with INTx-disable clear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "pci/pci_host.h"
#include "pci/pci_msix.h"

static struct bus bus;
static struct pci_host host;
static struct pci_dev da, db;
static struct pci_msix msix;
static bool gsi_high[4];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void sink_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	(void)ctx;
	(void)off;
	if (!is_write)
		memset(data, 0x3c, len);
}

static void msix_bar_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	check(off < 4096 && len <= 4096 - off);
	if (!pci_msix_bar_access(ctx, off, data, len, is_write) && !is_write)
		memset(data, 0, len);
}

static void set_gsi(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	check(gsi >= PCI_INTX_GSI_BASE && gsi < PCI_INTX_GSI_BASE + 4);
	check(gsi_high[gsi - PCI_INTX_GSI_BASE] != level); /* only changes are reported */
	gsi_high[gsi - PCI_INTX_GSI_BASE] = level;
}

static int signal_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)data;
	check((addr >> 32) == 0 && (addr & 0xfff00000u) == 0xfee00000u);
	return 0;
}

static void setup(void)
{
	bus_init(&bus);
	memset(gsi_high, 0, sizeof(gsi_high));
	pci_host_init(&host, &bus, 256ull << 20, set_gsi, NULL);
	pci_dev_init(&da, "A", 0x1af4, 0x1041, 0x010000, 1, 1);
	pci_dev_set_bar(&da, 0, PCI_BAR_MEM32, 4096, false, msix_bar_io, &msix);
	pci_dev_set_bar(&da, 1, PCI_BAR_IO, 64, false, sink_io, NULL);
	pci_dev_set_bar(&da, 2, PCI_BAR_MEM64, 65536, true, sink_io, NULL);
	check(pci_msix_init(&msix, &da, 8, 0, 0, 0x800, signal_msi, NULL) == 0);
	pci_dev_init(&db, "B", 0x1af4, 0x1042, 0x020000, 1, 2);
	pci_dev_set_bar(&db, 0, PCI_BAR_MEM32, 8192, false, sink_io, NULL);
	pci_dev_set_bar(&db, 5, PCI_BAR_IO, 16, false, sink_io, NULL);
	check(pci_host_attach(&host) == 0);
	check(bus_register(&bus, BUS_PIO, 0xc400, 4, sink_io, NULL, "fixed") == 0);
	check(pci_host_add(&host, 2, &da) == 0);
	check(pci_host_add(&host, 6, &db) == 0);
}

static bool in_window(const struct pci_bar *b, uint64_t base)
{
	if (b->kind == PCI_BAR_IO)
		return base >= PCI_IO_BASE && base + b->size <= PCI_IO_END;
	if (base >= PCI_MEM32_BASE && base + b->size <= PCI_MEM32_BASE + PCI_MEM32_SIZE)
		return true;
	return b->kind == PCI_BAR_MEM64 && base >= host.mem64_base &&
	       base + b->size <= host.mem64_base + PCI_MEM64_SIZE;
}

static void check_bars(void)
{
	const struct pci_bar *all[12];
	unsigned n = 0;
	struct pci_dev *devs[2] = {&da, &db};
	for (int d = 0; d < 2; d++) {
		for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &devs[d]->bar[i];
			if (b->kind == PCI_BAR_NONE)
				continue;
			enum bus_space sp = b->kind == PCI_BAR_IO ? BUS_PIO : BUS_MMIO;
			const struct bus_movable *m = &bus.movable[sp][b->bus_id];
			check(atomic_load(&m->len) == b->mapped_len);
			if (!b->mapped_len)
				continue;
			check(atomic_load(&m->base) == b->mapped_base);
			check(b->mapped_len == b->size && in_window(b, b->mapped_base));
			check(!bus_overlaps_fixed(&bus, sp, b->mapped_base, b->mapped_len));
			check(pci_dev_bar_enabled(devs[d], i));
			all[n++] = b;
		}
	}
	for (unsigned x = 0; x < n; x++)
		for (unsigned y = x + 1; y < n; y++)
			check((all[x]->kind == PCI_BAR_IO) != (all[y]->kind == PCI_BAR_IO) ||
			      all[x]->mapped_base >= all[y]->mapped_base + all[y]->mapped_len ||
			      all[y]->mapped_base >= all[x]->mapped_base + all[x]->mapped_len);
}

static void check_state(void)
{
	check(pci_dev_cfg_read(&da, 0, 4) == 0x10411af4);
	check(pci_dev_cfg_read(&db, 0, 4) == 0x10421af4);
	check(pci_dev_cfg_read(&host.bridge, 0, 4) == 0x00081b36);
	check_bars();
	for (unsigned v = 0; v < 8; v++)
		check(msix.e[v].ctrl <= 1);
	bool want[4] = {false};
	struct pci_dev *devs[2] = {&da, &db};
	for (int d = 0; d < 2; d++) {
		bool on = atomic_load(&devs[d]->intx_level) &&
			  !(pci_dev_command(devs[d]) & PCI_COMMAND_INTX_DISABLE);
		if (on)
			want[pci_host_intx_gsi(devs[d]->slot, devs[d]->cfg[PCI_INTERRUPT_PIN]) -
			     PCI_INTX_GSI_BASE] = true;
	}
	check(memcmp(want, gsi_high, sizeof(want)) == 0);
	check(atomic_load(&bus.seq[0]) % 2 == 0 && atomic_load(&bus.seq[1]) % 2 == 0);
}

static void cfg_write(unsigned dev, unsigned reg, uint32_t v)
{
	uint32_t a = 0x80000000u | dev << 11 | (reg & 0xfc);
	bus_pio(&bus, 0xcf8, (uint8_t *)&a, 4, true);
	bus_pio(&bus, 0xcfc, (uint8_t *)&v, 4, true);
}

static void run_op(const uint8_t *op)
{
	uint8_t kind = op[0];
	uint32_t len = 1u << (op[1] & 3), v;
	uint16_t sel = (uint16_t)(op[2] | op[3] << 8);
	memcpy(&v, op + 4, 4);
	bool rd = kind & 0x80;
	uint8_t buf[8];
	memcpy(buf, op + 4, 4);
	memcpy(buf + 4, op, 4);
	uint64_t windows[2] = {PCI_MEM32_BASE, host.mem64_base};
	switch (kind & 7) {
	case 0:
		bus_pio(&bus, (uint16_t)(0xcf8 + (sel & 3)), buf, len, !rd);
		break;
	case 1:
		bus_pio(&bus, (uint16_t)(0xcfc + (sel & 3)), buf, len, !rd);
		break;
	case 2:
		bus_mmio(&bus, PCI_ECAM_BASE + (v & 0x1fffff), buf, len, !rd);
		break;
	case 3: /* the 32-bit window, the 64-bit window, or any 64 KiB step below 4 GiB */
		if ((op[1] >> 2) % 3 == 2)
			bus_mmio(&bus, (uint64_t)sel << 16, buf, len, !rd);
		else
			bus_mmio(&bus,
				 windows[(op[1] >> 2) % 3] + ((uint64_t)(op[1] >> 4) << 20) + sel,
				 buf, len, !rd);
		break;
	case 4:
		bus_pio(&bus, (uint16_t)v, buf, len, !rd);
		break;
	case 5:
		pci_msix_notify(&msix, sel % 16);
		break;
	case 6:
		pci_dev_set_intx(sel & 1 ? &db : &da, v & 1);
		break;
	default: {
		static const unsigned regs[] = {0x04, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24};
		cfg_write(sel & 1 ? 6 : 2, regs[(sel >> 1) % 7], v);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	for (size_t i = 0; i + 8 <= size && i < 8 * 4096; i += 8) {
		run_op(data + i);
		check_state();
	}
	pci_msix_destroy(&msix);
	pci_host_destroy(&host);
	return 0;
}
