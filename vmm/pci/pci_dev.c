/*
 * PCI configuration space of one function; the rules are in pci_dev.h.
 *
 * Trust boundary: offsets, lengths and values come from the guest through
 * the host bridge, which has checked that off < PCI_ECAM_FUNC and that the
 * access stays inside one dword; everything here still indexes cfg[] only
 * after comparing with PCI_CFG_SIZE.
 */
#include <string.h>

#include "err.h"
#include "pci/pci_dev.h"

void pci_dev_put16(struct pci_dev *d, uint32_t off, uint16_t v)
{
	d->cfg[off] = (uint8_t)v;
	d->cfg[off + 1] = (uint8_t)(v >> 8);
}

void pci_dev_put32(struct pci_dev *d, uint32_t off, uint32_t v)
{
	pci_dev_put16(d, off, (uint16_t)v);
	pci_dev_put16(d, off + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint8_t irq_pin)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	atomic_init(&d->intx_level, false);
	atomic_init(&d->intx_disabled, false);
	pci_dev_put16(d, PCI_VENDOR_ID, vendor);
	pci_dev_put16(d, PCI_DEVICE_ID, device);
	d->cfg[PCI_REVISION] = revision;
	d->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
	d->cfg[PCI_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
	d->cfg[PCI_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
	d->cfg[PCI_INTERRUPT_PIN] = irq_pin <= 4 ? irq_pin : 0;
	d->wmask[PCI_COMMAND] = (uint8_t)PCI_COMMAND_WMASK;
	d->wmask[PCI_COMMAND + 1] = (uint8_t)(PCI_COMMAND_WMASK >> 8);
	d->wmask[0x0c] = 0xff; /* cache line size */
	d->wmask[0x0d] = 0xff; /* latency timer */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	d->cap_next = PCI_CAP_START;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		d->bar[i].bus_id = -1;
}

int pci_dev_add_cap(struct pci_dev *d, uint8_t id, unsigned len)
{
	if (len < 2 || d->cap_next == 0 || len > PCI_CFG_SIZE - (unsigned)d->cap_next)
		return err_set(ERR_NOSPACE, "%s: no room for capability 0x%x", d->name, id);
	unsigned off = d->cap_next;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (d->cap_last)
		d->cfg[d->cap_last + 1] = (uint8_t)off;
	else
		d->cfg[PCI_CAP_PTR] = (uint8_t)off;
	d->cap_last = (uint8_t)off;
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	unsigned next = (off + len + 3) & ~3u;
	d->cap_next = next >= PCI_CFG_SIZE ? 0 : (uint8_t)next;
	return (int)off;
}

int pci_dev_set_bar(struct pci_dev *d, unsigned i, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch, bus_handler_fn fn, void *ctx)
{
	bool is64 = kind == PCI_BAR_MEM64;
	uint64_t min = kind == PCI_BAR_IO ? 4 : 16;
	if (i >= PCI_NUM_BARS || (is64 && i + 1 >= PCI_NUM_BARS) || kind == PCI_BAR_NONE || !fn ||
	    size < min || (size & (size - 1)) || (kind == PCI_BAR_IO && size > 256) ||
	    (kind == PCI_BAR_MEM32 && size > (1ull << 30)) || d->bar[i].kind != PCI_BAR_NONE ||
	    (is64 && d->bar[i + 1].kind != PCI_BAR_NONE) ||
	    (i > 0 && d->bar[i - 1].kind == PCI_BAR_MEM64))
		return err_set(ERR_INVAL, "%s: bad BAR %u", d->name, i);
	d->bar[i] = (struct pci_bar){
	    .kind = kind, .size = size, .prefetch = prefetch, .fn = fn, .ctx = ctx, .bus_id = -1};
	uint32_t flags = kind == PCI_BAR_IO ? 1u : (is64 ? 4u : 0u) | (prefetch ? 8u : 0u);
	uint32_t lowmask = kind == PCI_BAR_IO ? 3u : 15u;
	uint32_t wm = (uint32_t) ~(size - 1) & ~lowmask;
	if (kind == PCI_BAR_IO)
		wm &= 0xffff; /* 64 KiB of I/O space: the upper half reads 0 */
	unsigned off = PCI_BAR0 + 4 * i;
	pci_dev_put32(d, off, flags);
	for (unsigned b = 0; b < 4; b++)
		d->wmask[off + b] = (uint8_t)(wm >> (8 * b));
	if (is64) {
		uint32_t hi = (uint32_t)(~(size - 1) >> 32);
		for (unsigned b = 0; b < 4; b++)
			d->wmask[off + 4 + b] = (uint8_t)(hi >> (8 * b));
	}
	return 0;
}

uint16_t pci_dev_command(const struct pci_dev *d)
{
	return (uint16_t)(d->cfg[PCI_COMMAND] | d->cfg[PCI_COMMAND + 1] << 8);
}

uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned i)
{
	if (i >= PCI_NUM_BARS || d->bar[i].kind == PCI_BAR_NONE)
		return 0;
	uint32_t lo = get32(d->cfg + PCI_BAR0 + 4 * i);
	if (d->bar[i].kind == PCI_BAR_IO)
		return lo & ~3u;
	uint64_t a = lo & ~15u;
	if (d->bar[i].kind == PCI_BAR_MEM64)
		a |= (uint64_t)get32(d->cfg + PCI_BAR0 + 4 * (i + 1)) << 32;
	return a;
}

bool pci_dev_bar_enabled(const struct pci_dev *d, unsigned i)
{
	if (i >= PCI_NUM_BARS || d->bar[i].kind == PCI_BAR_NONE)
		return false;
	uint16_t want = d->bar[i].kind == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	return (pci_dev_command(d) & want) != 0;
}

uint32_t pci_dev_cfg_read(const struct pci_dev *d, uint32_t off, uint32_t len)
{
	uint32_t v = 0;
	for (uint32_t i = 0; i < len && i < 4; i++) {
		uint32_t o = off + i;
		uint8_t b = o < PCI_CFG_SIZE ? d->cfg[o] : 0;
		if (o == PCI_STATUS && atomic_load(&d->intx_level))
			b |= PCI_STATUS_INTERRUPT;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

bool pci_dev_cfg_write(struct pci_dev *d, uint32_t off, uint32_t len, uint32_t val)
{
	bool replace = false, touched_cap = false;
	for (uint32_t i = 0; i < len && i < 4; i++) {
		uint32_t o = off + i;
		if (o >= PCI_CFG_SIZE)
			break;
		uint8_t m = d->wmask[o];
		d->cfg[o] = (uint8_t)((d->cfg[o] & ~m) | ((val >> (8 * i)) & m));
		if ((o >= PCI_COMMAND && o < PCI_COMMAND + 2) ||
		    (o >= PCI_BAR0 && o < PCI_BAR0 + 24))
			replace = true;
		if (o >= PCI_CAP_START)
			touched_cap = true;
	}
	if ((touched_cap || replace) && d->hook)
		d->hook(d->hook_ctx, d, off, len);
	return replace;
}
