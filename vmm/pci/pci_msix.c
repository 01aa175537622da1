/*
 * MSI-X table, PBA and delivery; the rules and locking are in pci_msix.h.
 *
 * Trust boundary: table offsets, access sizes and every table value come
 * from the guest. An offset indexes e[] only after it was checked against
 * nvec; messages leave only for the interrupt address range.
 */
#include <string.h>

#include "err.h"
#include "pci/pci_msix.h"

int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nvec, unsigned bar,
		  uint32_t table_off, uint32_t pba_off, pci_msi_fn signal, void *signal_ctx)
{
	memset(m, 0, sizeof(*m));
	uint64_t tlen = (uint64_t)nvec * PCI_MSIX_ENTRY_SIZE, plen = ((nvec + 63) / 64) * 8ull;
	if (nvec < 1 || nvec > PCI_MSIX_MAX_VECTORS || bar >= PCI_NUM_BARS ||
	    d->bar[bar].kind == PCI_BAR_NONE || d->bar[bar].kind == PCI_BAR_IO ||
	    (table_off | pba_off) & 7 || table_off + tlen > d->bar[bar].size ||
	    pba_off + plen > d->bar[bar].size ||
	    (table_off < pba_off + plen && pba_off < table_off + tlen))
		return err_set(ERR_INVAL, "%s: bad MSI-X layout", d->name);
	int cap = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, 12);
	if (cap < 0)
		return cap;
	pthread_mutex_init(&m->lock, NULL);
	m->dev = d;
	m->cap = (unsigned)cap;
	m->nvec = nvec;
	m->bar = bar;
	m->table_off = table_off;
	m->pba_off = pba_off;
	m->signal = signal;
	m->signal_ctx = signal_ctx;
	for (unsigned i = 0; i < nvec; i++)
		m->e[i].ctrl = PCI_MSIX_VECTOR_MASKED;
	atomic_init(&m->sent, 0);
	atomic_init(&m->dropped, 0);
	pci_dev_put16(d, m->cap + 2, (uint16_t)(nvec - 1));
	d->wmask[m->cap + 3] = (PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL) >> 8;
	pci_dev_put32(d, m->cap + 4, table_off | bar);
	pci_dev_put32(d, m->cap + 8, pba_off | bar);
	d->hook = pci_msix_cfg_hook;
	d->hook_ctx = m;
	return 0;
}

void pci_msix_destroy(struct pci_msix *m)
{
	if (m->dev)
		pthread_mutex_destroy(&m->lock);
}

/* Caller holds m->lock. Sends v's message (or drops a wild one). */
static void send(struct pci_msix *m, unsigned v)
{
	const struct pci_msix_entry *e = &m->e[v];
	if (e->addr_hi != 0 || (e->addr_lo & PCI_MSIX_ADDR_RANGE_MASK) != PCI_MSIX_ADDR_RANGE ||
	    !m->signal || m->signal(m->signal_ctx, e->addr_lo, e->data) < 0) {
		atomic_fetch_add(&m->dropped, 1);
		return;
	}
	atomic_fetch_add(&m->sent, 1);
}

static bool is_pending(const struct pci_msix *m, unsigned v)
{
	return (m->pending[v / 64] >> (v % 64)) & 1;
}

/* Caller holds m->lock. Sends and clears every pending vector that may go now. */
static void flush_pending(struct pci_msix *m)
{
	if (!m->enabled || m->masked_all)
		return;
	for (unsigned v = 0; v < m->nvec; v++) {
		if (is_pending(m, v) && !(m->e[v].ctrl & PCI_MSIX_VECTOR_MASKED)) {
			m->pending[v / 64] &= ~(1ull << (v % 64));
			send(m, v);
		}
	}
}

bool pci_msix_notify(struct pci_msix *m, unsigned v)
{
	if (v >= m->nvec)
		return false;
	pthread_mutex_lock(&m->lock);
	bool on = m->enabled;
	if (on) {
		if (m->masked_all || (m->e[v].ctrl & PCI_MSIX_VECTOR_MASKED))
			m->pending[v / 64] |= 1ull << (v % 64);
		else
			send(m, v);
	}
	pthread_mutex_unlock(&m->lock);
	return on;
}

bool pci_msix_enabled(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	bool on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

void pci_msix_cfg_hook(void *ctx, struct pci_dev *d, uint32_t off, uint32_t len)
{
	struct pci_msix *m = ctx;
	if (off + len <= m->cap + 2 || off >= m->cap + 4)
		return; /* not Message Control */
	uint16_t ctl = (uint16_t)(d->cfg[m->cap + 2] | d->cfg[m->cap + 3] << 8);
	pthread_mutex_lock(&m->lock);
	m->enabled = (ctl & PCI_MSIX_CTRL_ENABLE) != 0;
	m->masked_all = (ctl & PCI_MSIX_CTRL_MASKALL) != 0;
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

/* Caller holds m->lock. Dword `dw` (0..3) of entry v. */
static uint32_t *entry_word(struct pci_msix *m, unsigned v, unsigned dw)
{
	struct pci_msix_entry *e = &m->e[v];
	uint32_t *w[4] = {&e->addr_lo, &e->addr_hi, &e->data, &e->ctrl};
	return w[dw];
}

/* Caller holds m->lock. One aligned dword of the table at byte offset t. */
static void table_dword(struct pci_msix *m, uint64_t t, uint8_t *p, bool is_write)
{
	unsigned v = (unsigned)(t / PCI_MSIX_ENTRY_SIZE), dw = (unsigned)(t % 16) / 4;
	uint32_t *w = entry_word(m, v, dw);
	if (!is_write) {
		memcpy(p, w, 4);
		return;
	}
	uint32_t val;
	memcpy(&val, p, 4);
	if (dw == 3) {
		*w = val & PCI_MSIX_VECTOR_MASKED;
		flush_pending(m);
	} else {
		*w = val;
	}
}

bool pci_msix_bar_access(struct pci_msix *m, uint64_t off, uint8_t *data, uint32_t len,
			 bool is_write)
{
	uint64_t tlen = (uint64_t)m->nvec * PCI_MSIX_ENTRY_SIZE,
		 plen = ((m->nvec + 63) / 64) * 8ull;
	bool in_table = off >= m->table_off && off - m->table_off < tlen;
	bool in_pba = off >= m->pba_off && off - m->pba_off < plen;
	if (!in_table && !in_pba)
		return false;
	uint64_t base = in_table ? m->table_off : m->pba_off;
	uint64_t end = in_table ? tlen : plen;
	uint64_t t = off - base;
	if ((len != 4 && len != 8) || (t % len) || t + len > end) {
		if (!is_write)
			memset(data, 0xff, len);
		return true;
	}
	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; i < len; i += 4) {
		if (in_table) {
			table_dword(m, t + i, data + i, is_write);
		} else if (!is_write) {
			uint64_t word = m->pending[(t + i) / 8];
			uint32_t half = (uint32_t)(word >> (((t + i) % 8) * 8));
			memcpy(data + i, &half, 4);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return true;
}
