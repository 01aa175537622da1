/*
 * A PCI function as the guest sees it through configuration space: the
 * type-0 header, the capability list and the BARs. Devices (the host
 * bridge, later virtio-pci) build one with pci_dev_init(), add capabilities
 * and BARs, and hand it to the host bridge (pci_host.h), which owns
 * configuration accesses, BAR placement on the bus and INTx routing.
 *
 * What it owns: the 256 bytes of configuration space, which bits of them
 * the guest may write (wmask), the BARs' sizes and handlers, the INTx level.
 * What it does not: where a BAR decodes (pci_host.c decides, after every
 * write to a BAR or the command register), interrupts to KVM (pci_host.c for
 * INTx, pci_msix.c for MSI-X).
 *
 * Configuration space rules (the guest's view):
 *  - a write changes only the bits in wmask, byte by byte: vendor/device
 *    IDs, class, header type, status, interrupt pin and capability headers
 *    are read-only; the command register takes I/O, memory, bus master,
 *    parity, SERR and INTx-disable (0x0547);
 *  - a BAR reads back its address with the size's low bits zero and its
 *    type bits (I/O: bit 0; memory: 64-bit type in bits 2:1, prefetchable
 *    bit 3); writing all ones and reading back gives the size mask;
 *    an unimplemented BAR and the expansion ROM read 0;
 *  - status bit 4 (capability list) is set once a capability exists, bit 3
 *    (interrupt status) follows the device's INTx level;
 *  - offsets 256..4095 (reachable through ECAM) read 0, writes ignored.
 *
 * Locking: the caller of pci_dev_cfg_read/write holds the host's lock
 * (pci_host.h), which guards cfg, wmask and the BARs' addresses; set-up
 * (init, add_cap, set_bar) runs before the device is on a host. The INTx
 * level is atomic (it changes on device threads).
 */
#ifndef ORBVM_PCI_DEV_H
#define ORBVM_PCI_DEV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define PCI_CFG_SIZE  256
#define PCI_ECAM_FUNC 4096 /* configuration space per function through ECAM */
#define PCI_NUM_BARS  6

/* Header offsets. */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_STATUS	   0x06
#define PCI_REVISION	   0x08
#define PCI_CLASS_PROG	   0x09
#define PCI_HEADER_TYPE	   0x0e
#define PCI_BAR0	   0x10
#define PCI_SUBSYS_VENDOR  0x2c
#define PCI_SUBSYS_ID	   0x2e
#define PCI_ROM_ADDRESS	   0x30
#define PCI_CAP_PTR	   0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d
#define PCI_CAP_START	   0x40

#define PCI_COMMAND_IO		 0x0001
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_COMMAND_WMASK	 0x0547
#define PCI_STATUS_INTERRUPT	 0x0008
#define PCI_STATUS_CAP_LIST	 0x0010

enum pci_bar_kind { PCI_BAR_NONE = 0, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind; /* PCI_BAR_NONE also for the upper half of a 64-bit BAR */
	uint64_t size;		/* a power of two: >= 4 (I/O), >= 16 (memory) */
	bool prefetch;
	bus_handler_fn fn; /* called with offsets inside the BAR */
	void *ctx;
	int bus_id; /* its movable slot on the host's bus (pci_host.c), -1 before */
	/* Where the host placed it on the bus (len 0: nowhere); host's lock. */
	uint64_t mapped_base, mapped_len;
};

struct pci_host;

struct pci_dev;

/* A device's hook for writes to its own capability or header bytes, called
 * after the generic write landed, with the host's lock held. */
typedef void (*pci_cfg_hook_fn)(void *ctx, struct pci_dev *d, uint32_t off, uint32_t len);

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	struct pci_bar bar[PCI_NUM_BARS];
	uint8_t cap_next; /* where the next capability goes */
	uint8_t cap_last; /* offset of the last capability (0: none) */
	pci_cfg_hook_fn hook;
	void *hook_ctx;
	atomic_bool intx_level;	   /* the device's INTx line, before INTx-disable */
	atomic_bool intx_disabled; /* the command register's INTx-disable bit, mirrored */
	bool intx_asserted;	   /* what the host counts on its GSI; host's intx_lock */
	struct pci_host *host;	   /* set by pci_host_add */
	unsigned slot;
	const char *name;
};

/*
 * A reset function: IDs, 24-bit class code (base << 16 | sub << 8 | prog-if),
 * revision, and interrupt pin (0: none, 1..4: INTA..INTD).
 */
void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint8_t irq_pin);

/*
 * Appends a capability of `len` bytes (>= 2: ID and next pointer, both
 * read-only) with ID `id` to the list; returns its offset (dword-aligned,
 * 0x40..0xFF) or -ERR_NOSPACE. The caller fills the body and its wmask.
 */
int pci_dev_add_cap(struct pci_dev *d, uint8_t id, unsigned len);

/*
 * Declares BAR i (a 64-bit BAR takes i and i + 1) of `size` bytes whose
 * accesses go to fn(ctx, offset in the BAR, ...). Returns 0 or -ERR_INVAL
 * (bad index, size not a power of two or too small, I/O over 256 bytes,
 * a 32-bit BAR over 1 GiB, slot taken).
 */
int pci_dev_set_bar(struct pci_dev *d, unsigned i, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch, bus_handler_fn fn, void *ctx);

/* The address BAR i is programmed with (0 for none); the caller holds the host's lock. */
uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned i);

/* Whether the command register lets BAR i decode; the caller holds the host's lock. */
bool pci_dev_bar_enabled(const struct pci_dev *d, unsigned i);

uint16_t pci_dev_command(const struct pci_dev *d);

/*
 * Configuration access at `off` (< PCI_ECAM_FUNC) of `len` 1, 2 or 4 bytes
 * that stay inside one dword (the host checks). Reads return the value;
 * writes return true when they touched the command register or a BAR, so
 * the host must re-place the BARs. The caller holds the host's lock.
 */
uint32_t pci_dev_cfg_read(const struct pci_dev *d, uint32_t off, uint32_t len);
bool pci_dev_cfg_write(struct pci_dev *d, uint32_t off, uint32_t len, uint32_t val);

/* Little-endian helpers for set-up code. */
void pci_dev_put16(struct pci_dev *d, uint32_t off, uint16_t v);
void pci_dev_put32(struct pci_dev *d, uint32_t off, uint32_t v);

#endif
