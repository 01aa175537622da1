/*
 * The PCI host bridge: configuration mechanism 1, ECAM, BAR placement and
 * INTx; the rules and the locking are in pci_host.h.
 *
 * Trust boundary: the CF8 address, ECAM offsets, access lengths and every
 * value written come from the guest. The device, function and register are
 * decoded with masks before anything is indexed, and an access reaches a
 * device's configuration space only inside one dword of a present device.
 */
#include <string.h>

#include "acpi/acpi.h"
#include "err.h"
#include "mem.h"
#include "pci/pci_host.h"

#define CF8_ENABLE 0x80000000u
#define CF8_MASK   0x80fffffcu /* enable, bus, device, function, dword register */

void pci_host_init(struct pci_host *h, struct bus *b, uint64_t ram,
		   void (*set_gsi)(void *ctx, unsigned gsi, bool level), void *gsi_ctx)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->intx_lock, NULL);
	h->bus = b;
	h->set_gsi = set_gsi;
	h->gsi_ctx = gsi_ctx;
	uint64_t lo, hi;
	mem_layout(ram, &lo, &hi);
	uint64_t end = MEM_HIGH_START + hi;
	h->mem64_base = (end + PCI_MEM64_SIZE - 1) & ~(PCI_MEM64_SIZE - 1);
	pci_dev_init(&h->bridge, "host bridge", PCI_HOST_VENDOR, PCI_HOST_DEVICE, 0x060000, 0, 0);
	h->bridge.host = h;
	h->slot[0] = &h->bridge;
}

void pci_host_destroy(struct pci_host *h)
{
	pthread_mutex_destroy(&h->intx_lock);
	pthread_mutex_destroy(&h->lock);
}

int pci_host_attach(struct pci_host *h)
{
	int r;
	if ((r = bus_register(h->bus, BUS_PIO, PCI_CONFIG_ADDRESS, 4, pci_host_cf8_io, h,
			      "pci config address")) < 0 ||
	    (r = bus_register(h->bus, BUS_PIO, PCI_CONFIG_DATA, 4, pci_host_cfc_io, h,
			      "pci config data")) < 0)
		return r;
	return bus_register(h->bus, BUS_MMIO, PCI_ECAM_BASE, PCI_ECAM_SIZE, pci_host_ecam_io, h,
			    "pci ecam");
}

int pci_host_add(struct pci_host *h, unsigned slot, struct pci_dev *d)
{
	if (slot == 0 || slot >= PCI_MAX_SLOTS)
		return err_set(ERR_INVAL, "%s: no PCI slot %u", d->name, slot);
	if (h->slot[slot])
		return err_set(ERR_EXIST, "%s: PCI slot %u is taken", d->name, slot);
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		if (b->kind == PCI_BAR_NONE)
			continue;
		int id = bus_add_movable(h->bus, b->kind == PCI_BAR_IO ? BUS_PIO : BUS_MMIO, b->fn,
					 b->ctx, d->name);
		if (id < 0)
			return id;
		b->bus_id = id;
	}
	d->host = h;
	d->slot = slot;
	h->slot[slot] = d;
	return 0;
}

unsigned pci_host_intx_gsi(unsigned slot, unsigned pin)
{
	return PCI_INTX_GSI_BASE + (slot + pin - 1) % 4;
}

/* Re-evaluates d's INTx output and drives its GSI on a change of the shared count. */
static void intx_update(struct pci_host *h, struct pci_dev *d)
{
	unsigned pin = d->cfg[PCI_INTERRUPT_PIN]; /* read-only after set-up */
	if (pin < 1 || pin > 4)
		return;
	pthread_mutex_lock(&h->intx_lock);
	bool want = atomic_load(&d->intx_level) && !atomic_load(&d->intx_disabled);
	if (want != d->intx_asserted) {
		d->intx_asserted = want;
		unsigned gsi = pci_host_intx_gsi(d->slot, pin);
		unsigned *n = &h->gsi_count[gsi - PCI_INTX_GSI_BASE];
		*n = want ? *n + 1 : *n - 1;
		if (h->set_gsi && *n == (want ? 1u : 0u))
			h->set_gsi(h->gsi_ctx, gsi, want);
	}
	pthread_mutex_unlock(&h->intx_lock);
}

void pci_dev_set_intx(struct pci_dev *d, bool level)
{
	atomic_store(&d->intx_level, level);
	if (d->host)
		intx_update(d->host, d);
}

/* Where BAR b of d would decode by rules 1 and 2 of pci_host.h (len 0: nowhere). */
static void bar_candidate(const struct pci_host *h, const struct pci_dev *d, unsigned i,
			  uint64_t *base, uint64_t *len)
{
	const struct pci_bar *b = &d->bar[i];
	uint64_t a = pci_dev_bar_addr(d, i);
	*base = a;
	*len = 0;
	if (!pci_dev_bar_enabled(d, i) || a + b->size < a)
		return;
	bool ok;
	if (b->kind == PCI_BAR_IO)
		ok = a >= PCI_IO_BASE && a + b->size <= PCI_IO_END;
	else
		ok = (a >= PCI_MEM32_BASE && a + b->size <= PCI_MEM32_BASE + PCI_MEM32_SIZE) ||
		     (b->kind == PCI_BAR_MEM64 && a >= h->mem64_base &&
		      a + b->size <= h->mem64_base + PCI_MEM64_SIZE);
	enum bus_space sp = b->kind == PCI_BAR_IO ? BUS_PIO : BUS_MMIO;
	if (ok && !bus_overlaps_fixed(h->bus, sp, a, b->size))
		*len = b->size;
}

struct bar_place {
	struct pci_dev *d;
	unsigned i;
	uint64_t base, len;
};

/* Caller holds h->lock. Places every BAR by the rules of pci_host.h. */
static void place_bars(struct pci_host *h)
{
	struct bar_place p[PCI_MAX_SLOTS * PCI_NUM_BARS];
	unsigned n = 0;
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = h->slot[s];
		for (unsigned i = 0; d && i < PCI_NUM_BARS; i++) {
			if (d->bar[i].kind == PCI_BAR_NONE || d->bar[i].bus_id < 0)
				continue;
			p[n] = (struct bar_place){.d = d, .i = i};
			bar_candidate(h, d, i, &p[n].base, &p[n].len);
			n++;
		}
	}
	bool clash[PCI_MAX_SLOTS * PCI_NUM_BARS] = {false};
	for (unsigned a = 0; a < n; a++) {
		for (unsigned b = a + 1; b < n; b++) {
			if (!p[a].len || !p[b].len ||
			    (p[a].d->bar[p[a].i].kind == PCI_BAR_IO) !=
				(p[b].d->bar[p[b].i].kind == PCI_BAR_IO))
				continue;
			if (p[a].base < p[b].base + p[b].len && p[b].base < p[a].base + p[a].len)
				clash[a] = clash[b] = true;
		}
	}
	for (unsigned k = 0; k < n; k++) {
		struct pci_bar *b = &p[k].d->bar[p[k].i];
		uint64_t len = clash[k] ? 0 : p[k].len;
		uint64_t base = len ? p[k].base : 0;
		if (base == b->mapped_base && len == b->mapped_len)
			continue;
		bus_move(h->bus, b->kind == PCI_BAR_IO ? BUS_PIO : BUS_MMIO, b->bus_id, base, len);
		b->mapped_base = base;
		b->mapped_len = len;
	}
}

/* Caller holds h->lock. The device at bus/device/function, or NULL. */
static struct pci_dev *host_find(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn)
{
	if (bus != 0 || fn != 0 || dev >= PCI_MAX_SLOTS)
		return NULL;
	return h->slot[dev];
}

/* Caller holds h->lock. One access inside one dword of register `reg`. */
static void host_cfg(struct pci_host *h, struct pci_dev *d, uint32_t reg, uint8_t *data,
		     uint32_t len, bool is_write)
{
	if (!is_write) {
		uint32_t v = d ? pci_dev_cfg_read(d, reg, len) : 0xffffffffu;
		for (uint32_t i = 0; i < len; i++)
			data[i] = (uint8_t)(v >> (8 * i));
		return;
	}
	if (!d)
		return;
	uint32_t v = 0;
	for (uint32_t i = 0; i < len; i++)
		v |= (uint32_t)data[i] << (8 * i);
	if (pci_dev_cfg_write(d, reg, len, v)) {
		atomic_store(&d->intx_disabled,
			     (pci_dev_command(d) & PCI_COMMAND_INTX_DISABLE) != 0);
		intx_update(h, d);
		place_bars(h);
	}
}

void pci_host_cf8_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_host *h = ctx;
	if (off != 0 || len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (is_write)
		h->cf8 =
		    (data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24) & CF8_MASK;
	else
		memcpy(data, &h->cf8, 4);
	pthread_mutex_unlock(&h->lock);
}

void pci_host_cfc_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_host *h = ctx;
	if (off >= 4 || len > 4 - off) { /* the bus never sends these */
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&h->lock);
	uint32_t a = h->cf8;
	if (!(a & CF8_ENABLE)) {
		if (!is_write)
			memset(data, 0xff, len);
	} else {
		struct pci_dev *d = host_find(h, (a >> 16) & 0xff, (a >> 11) & 31, (a >> 8) & 7);
		host_cfg(h, d, (a & 0xfc) + (uint32_t)off, data, len, is_write);
	}
	pthread_mutex_unlock(&h->lock);
}

void pci_host_ecam_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_host *h = ctx;
	uint32_t reg = (uint32_t)(off & (PCI_ECAM_FUNC - 1));
	if (off >= PCI_ECAM_SIZE || len > 4 || (reg & 3) + len > 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&h->lock);
	struct pci_dev *d = host_find(h, (unsigned)(off >> 20), (off >> 15) & 31, (off >> 12) & 7);
	host_cfg(h, d, reg, data, len, is_write);
	pthread_mutex_unlock(&h->lock);
}

void pci_host_acpi(const struct pci_host *h, struct acpi_pci *out)
{
	*out = (struct acpi_pci){.ecam_base = PCI_ECAM_BASE,
				 .bus_end = PCI_ECAM_BUSES - 1,
				 .io_min = PCI_IO_BASE,
				 .io_max = PCI_IO_END - 1,
				 .mem32_min = (uint32_t)PCI_MEM32_BASE,
				 .mem32_max = (uint32_t)(PCI_MEM32_BASE + PCI_MEM32_SIZE - 1),
				 .mem64_min = h->mem64_base,
				 .mem64_max = h->mem64_base + PCI_MEM64_SIZE - 1,
				 .gsi_base = PCI_INTX_GSI_BASE};
}
