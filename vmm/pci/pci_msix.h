/*
 * MSI-X for a PCI function (PCI Local Bus 3.0 section 6.8.2): the
 * capability in configuration space, the vector table and the pending-bit
 * array (PBA) inside one of the device's BARs, masking and delivery.
 *
 * What it owns: the capability's Message Control (enable, function mask),
 * the table entries, the pending bits. What it does not: the BAR (the device
 * declares it and calls pci_msix_bar_access() for offsets there) and the
 * delivery mechanism (a `signal` callback; orbvm's is KVM_SIGNAL_MSI,
 * pci_kvm.h).
 *
 * Rules (the guest's view):
 *  - every vector starts masked (Vector Control bit 0); only that bit of
 *    Vector Control is writable, the rest reads 0;
 *  - table accesses: 4 bytes at a 4-byte boundary, or 8 bytes at an 8-byte
 *    boundary (two dwords); any other size or alignment reads all ones and
 *    writes nothing; the PBA is read-only with the same access rules;
 *  - pci_msix_notify(v): with MSI-X disabled nothing happens (false: the
 *    device may use INTx); with the function or vector masked, v's pending
 *    bit is set; otherwise the message is sent. Clearing a mask (the vector's
 *    bit, or the function mask) sends every pending, now unmasked vector and
 *    clears its bit; setting enable with pending vectors does the same.
 *  - a message is sent only to the interrupt address range: upper address 0
 *    and lower address 0xFEExxxxx. Any other address is dropped and counted
 *    (`dropped`); the data is the guest's, KVM judges it (a wild vector or
 *    delivery mode interrupts only the guest's own vCPUs, if any).
 *
 * Locking: `lock` guards the table, the PBA and the enable/mask copies. It is
 * taken on vCPU threads (table accesses), on device threads (notify) and
 * from the configuration hook with the host's lock held (host lock, then
 * this one). `signal` is called with it held and must not call back in.
 */
#ifndef ORBVM_PCI_MSIX_H
#define ORBVM_PCI_MSIX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci/pci_dev.h"

#define PCI_CAP_ID_MSIX		 0x11
#define PCI_MSIX_MAX_VECTORS	 64
#define PCI_MSIX_ENTRY_SIZE	 16
#define PCI_MSIX_CTRL_ENABLE	 0x8000
#define PCI_MSIX_CTRL_MASKALL	 0x4000
#define PCI_MSIX_VECTOR_MASKED	 1
#define PCI_MSIX_ADDR_RANGE	 0xfee00000u
#define PCI_MSIX_ADDR_RANGE_MASK 0xfff00000u

/* Sends one message; returns 0 or a negative error (then counted as dropped). */
typedef int (*pci_msi_fn)(void *ctx, uint64_t addr, uint32_t data);

struct pci_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct pci_msix {
	pthread_mutex_t lock;
	struct pci_dev *dev; /* constant after init */
	unsigned cap;	     /* the capability's offset in dev's configuration space */
	unsigned nvec;
	unsigned bar;
	uint32_t table_off, pba_off; /* inside the BAR */
	pci_msi_fn signal;
	void *signal_ctx;
	/* Guarded by lock. */
	bool enabled, masked_all;
	struct pci_msix_entry e[PCI_MSIX_MAX_VECTORS];
	uint64_t pending[PCI_MSIX_MAX_VECTORS / 64];
	atomic_ullong sent, dropped;
};

/*
 * Adds the capability to d for `nvec` vectors (1..PCI_MSIX_MAX_VECTORS) with
 * the table at table_off and the PBA at pba_off of BAR `bar`, which d must
 * already have (both 8-aligned, inside it and apart). Installs d's
 * configuration hook. Returns 0 or -ERR_INVAL / -ERR_NOSPACE.
 */
int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nvec, unsigned bar,
		  uint32_t table_off, uint32_t pba_off, pci_msi_fn signal, void *signal_ctx);
void pci_msix_destroy(struct pci_msix *m);

/*
 * An access at `off` inside the MSI-X BAR: handles it and returns true when
 * it falls in the table or the PBA, else false (the device's own register).
 */
bool pci_msix_bar_access(struct pci_msix *m, uint64_t off, uint8_t *data, uint32_t len,
			 bool is_write);

/* The device raises vector v; see the rules above. Any thread. */
bool pci_msix_notify(struct pci_msix *m, unsigned v);

/* Whether the guest has enabled MSI-X (the device then does not use INTx). */
bool pci_msix_enabled(struct pci_msix *m);

/* The configuration hook (pci_cfg_hook_fn): ctx is the struct pci_msix. */
void pci_msix_cfg_hook(void *ctx, struct pci_dev *d, uint32_t off, uint32_t len);

#endif
