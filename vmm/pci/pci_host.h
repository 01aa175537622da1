/*
 * The PCI host bridge: bus 0 of segment 0, its configuration space through
 * ports 0xCF8/0xCFC (configuration mechanism 1) and through ECAM, the place
 * of every BAR on the I/O bus, and INTx routing to I/O APIC inputs.
 *
 * Layout (documented in docs/orbvm.md; the DSDT and MCFG say the same,
 * through pci_host_acpi()):
 *   ECAM            PCI_ECAM_BASE, 1 MiB: bus 0 only
 *   I/O window      PCI_IO_BASE..0xFFFF for I/O BARs
 *   32-bit window   PCI_MEM32_BASE, PCI_MEM32_SIZE (below the virtio-mmio windows)
 *   64-bit window   PCI_MEM64_SIZE bytes at the first multiple of that size at or
 *                   above the end of RAM (32 GiB for up to 28 GiB of RAM)
 *   INTx            slot s, pin p (1..4: INTA..INTD) -> GSI PCI_INTX_GSI_BASE +
 *                   (s + p - 1) % 4: GSIs 20..23 (16..19 are the virtio-mmio
 *                   disks'), level-triggered, active high, through link
 *                   devices in the DSDT
 * Slot 0 is the host bridge itself (vendor 0x1B36, device 0x0008, class
 * 0x060000, no BARs, no interrupt).
 *
 * Configuration accesses (the guest's view):
 *  - port 0xCF8 takes 4-byte accesses only (others read all ones, writes are
 *    ignored); it keeps the enable bit (31), bus, device, function and the
 *    dword register (bits 23..2); the other bits read 0;
 *  - ports 0xCFC..0xCFF: 1, 2 or 4 bytes inside the dword, at offset
 *    (port & 3); with the enable bit clear they read all ones and writes do
 *    nothing;
 *  - ECAM: 1, 2 or 4 bytes inside one dword; an access that crosses a dword
 *    (or is 8 bytes) reads all ones and writes nothing;
 *  - an absent device, function 1..7, or a bus other than 0 reads all ones.
 *
 * BAR placement: after every write to a command register or BAR, every BAR
 * is placed again by these rules. A BAR decodes (is on the bus) only while
 *  1. its decode bit (I/O or memory space) is set in its command register;
 *  2. it lies wholly inside the window of its kind (a 64-bit BAR may use the
 *     32-bit window too) - so never over RAM, ECAM, the APICs or KVM's pages;
 *  3. it overlaps no fixed device on the bus (vmm/bus.h), such as a
 *     --debug-exit port placed in the I/O window;
 *  4. it overlaps no other BAR that passes 1-3: two overlapping BARs both
 *     decode nothing until one moves away.
 * A BAR that decodes nothing keeps its programmed value; accesses there are
 * unclaimed bus accesses (reads all ones for I/O, zeros for memory).
 *
 * Locking: `lock` guards the CF8 address, every device's configuration space
 * and the BARs' placement; it is taken on vCPU threads for configuration
 * accesses. bus_move() is called with it held (the bus's seq is innermost).
 * `intx_lock` guards the GSI counts and each device's intx_asserted; it may
 * be taken with `lock` held, never the other way round. BAR accesses
 * themselves take neither: they reach the device through the bus.
 */
#ifndef ORBVM_PCI_HOST_H
#define ORBVM_PCI_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "pci/pci_dev.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_ECAM_BASE	   0xe0000000ull
#define PCI_ECAM_BUSES	   1
#define PCI_ECAM_SIZE	   (PCI_ECAM_BUSES * 0x100000ull)
#define PCI_IO_BASE	   0xc000u
#define PCI_IO_END	   0x10000u
#define PCI_MEM32_BASE	   0xc0000000ull
#define PCI_MEM32_SIZE	   0x10000000ull
#define PCI_MEM64_SIZE	   (32ull << 30)
#define PCI_INTX_GSI_BASE  20u
#define PCI_MAX_SLOTS	   32

#define PCI_HOST_VENDOR 0x1b36
#define PCI_HOST_DEVICE 0x0008

struct acpi_pci;

struct pci_host {
	pthread_mutex_t lock;
	uint32_t cf8;			     /* guarded by lock */
	struct pci_dev *slot[PCI_MAX_SLOTS]; /* set before vCPUs run */
	struct bus *bus;
	uint64_t mem64_base;
	struct pci_dev bridge;
	/* INTx: guarded by intx_lock. */
	pthread_mutex_t intx_lock;
	unsigned gsi_count[4]; /* asserted devices per GSI PCI_INTX_GSI_BASE + i */
	void (*set_gsi)(void *ctx, unsigned gsi, bool level);
	void *gsi_ctx;
};

/*
 * Sets up the host bridge (in slot 0) for a VM with `ram` bytes of RAM on
 * bus b; set_gsi (may be NULL) drives an I/O APIC input.
 */
void pci_host_init(struct pci_host *h, struct bus *b, uint64_t ram,
		   void (*set_gsi)(void *ctx, unsigned gsi, bool level), void *gsi_ctx);
void pci_host_destroy(struct pci_host *h);

/* Registers 0xCF8, 0xCFC and the ECAM window as fixed bus devices. */
int pci_host_attach(struct pci_host *h);

/*
 * Puts device d in slot 1..31 (before any vCPU runs): a movable bus slot
 * per BAR, decoding nothing until the guest enables it. Returns 0,
 * -ERR_EXIST (slot taken), -ERR_INVAL or -ERR_NOSPACE.
 */
int pci_host_add(struct pci_host *h, unsigned slot, struct pci_dev *d);

/* The device's INTx line (any thread; a repeated level is harmless). */
void pci_dev_set_intx(struct pci_dev *d, bool level);

/* The GSI of pin (1..4) of a device in `slot`. */
unsigned pci_host_intx_gsi(unsigned slot, unsigned pin);

/* What the ACPI tables say about this host bridge. */
void pci_host_acpi(const struct pci_host *h, struct acpi_pci *out);

/* Bus handlers: ctx is the struct pci_host. */
void pci_host_cf8_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write);
void pci_host_cfc_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write);
void pci_host_ecam_io(void *ctx, uint64_t off, uint8_t *data, uint32_t len, bool is_write);

#endif
