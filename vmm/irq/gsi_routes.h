/*
 * KVM's GSI routing table: the one owner of KVM_SET_GSI_ROUTING in orbvm.
 *
 * KVM replaces its whole table at each KVM_SET_GSI_ROUTING, so every route
 * of the VM lives here and each change pushes the full table. Users:
 *  - kernel irqchip (vm.c): the 8259 and in-kernel I/O APIC pins of each
 *    ISA line and GSI (gsi_routes_add_irqchip, then gsi_routes_commit);
 *  - split irqchip (vm.c for vmm/irq/ioapic.c): GSI p < reserved is I/O APIC
 *    pin p, an MSI route mirroring its redirection entry
 *    (gsi_routes_set_msi). KVM scans exactly these GSIs (the
 *    KVM_CAP_SPLIT_IRQCHIP reserved pins) for level-triggered messages to
 *    build each vCPU's EOI-exit bitmap, which is what makes the guest's EOI
 *    of such a vector exit with KVM_EXIT_IOAPIC_EOI;
 *  - MSI and MSI-X of devices (PCI, later): gsi_routes_alloc() hands out a
 *    GSI >= reserved, gsi_routes_set_msi() points it at a message, an
 *    irqfd or KVM_IRQ_LINE on that GSI raises it, gsi_routes_free() gives it
 *    back.
 *
 * Invariants: at most one MSI route per GSI; irqchip routes (several per
 * GSI) only from gsi_routes_add_irqchip; `n` entries in `e`, in no
 * particular order. A failed KVM_SET_GSI_ROUTING leaves KVM's previous table
 * in force and ours changed: the error is returned and the next commit
 * tries again.
 *
 * Locking: `lock` guards the table and is taken by every call; callers may
 * hold the ioapic lock (lock order: ioapic -> gsi_routes). With vm_fd < 0
 * (host tests) nothing reaches KVM: commits are only counted.
 */
#ifndef ORBVM_IRQ_GSI_ROUTES_H
#define ORBVM_IRQ_GSI_ROUTES_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define GSI_ROUTES_MAX 256 /* entries; GSIs are below this too */

struct gsi_routes {
	pthread_mutex_t lock; /* guards everything below after init */
	int vm_fd;	      /* -1: no KVM (tests) */
	unsigned reserved;    /* GSIs 0..reserved-1: I/O APIC pins, not allocatable */
	unsigned n;
	struct kvm_irq_routing_entry e[GSI_ROUTES_MAX];
	uint64_t allocated[GSI_ROUTES_MAX / 64]; /* GSIs handed out by gsi_routes_alloc */
	unsigned long long commits;		 /* tables pushed (or counted) */
};

/* An empty table (KVM's is left as it is until the first commit). */
void gsi_routes_init(struct gsi_routes *r, int vm_fd, unsigned reserved);
void gsi_routes_destroy(struct gsi_routes *r);

/* Adds an irqchip route (KVM_IRQCHIP_PIC_MASTER/_SLAVE/_IOAPIC, pin); no commit. */
int gsi_routes_add_irqchip(struct gsi_routes *r, unsigned gsi, unsigned chip, unsigned pin);

/*
 * Makes gsi's only route the MSI (address, data) and commits if anything
 * changed. Returns 1 if the table changed, 0 if not, or a negative error.
 */
int gsi_routes_set_msi(struct gsi_routes *r, unsigned gsi, uint64_t address, uint32_t data);

/* Removes every route of gsi and commits if there was one (0, or an error). */
int gsi_routes_clear(struct gsi_routes *r, unsigned gsi);

/* A free GSI >= reserved for a device's MSI, or -ERR_NOSPACE. */
int gsi_routes_alloc(struct gsi_routes *r);

/* Clears gsi's routes and gives it back (a GSI not allocated is left alone). */
int gsi_routes_free(struct gsi_routes *r, unsigned gsi);

/* Pushes the table to KVM; returns 0 or a negative error with a message. */
int gsi_routes_commit(struct gsi_routes *r);

/* The MSI route of gsi, for tests and diagnostics; false if it has none. */
bool gsi_routes_get_msi(struct gsi_routes *r, unsigned gsi, uint64_t *address, uint32_t *data);

#endif
