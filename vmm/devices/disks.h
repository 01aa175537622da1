/*
 * The --disk devices: for each configured disk a file backend
 * (virtio/blk_file.h), a virtio-blk device (virtio/blk.h) and its virtio-mmio
 * transport (virtio/mmio.h), registered on the bus at a fixed window with its
 * own interrupt line, and described to the guest in the DSDT.
 *
 * Guest-visible layout (docs/orbvm.md), disk i = 0..CONFIG_MAX_DISKS-1 in
 * command-line order (Linux names them vda, vdb, ... in probe order):
 *   MMIO window  DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE, VIRTIO_MMIO_SIZE bytes,
 *                inside the 32-bit hole [MEM_HOLE_START, 4 GiB) that the e820
 *                map leaves free, far below the I/O APIC (0xfec00000);
 *   interrupt    GSI DISKS_GSI_BASE + i on the in-kernel I/O APIC, level
 *                triggered, active high, high while the transport's
 *                InterruptStatus is non-zero (irq_line.h: a resampling
 *                KVM_IRQFD, else KVM_IRQ_LINE). GSIs 16..19 are I/O APIC pins above
 *                the ISA range, so no legacy (edge) default or MADT override
 *                applies to them, and they are clear of COM1 (4) and the PIT.
 *
 * Order: disks_open() before /dev/kvm is touched (so a bad file fails fast),
 * disks_acpi() for the tables, disks_attach() once the VM and bus exist,
 * disks_close() at the end (before the VM and its memory go away: it joins
 * the I/O threads).
 *
 * Notifications: by default each disk gets an eventfd registered with
 * KVM_IOEVENTFD on its QueueNotify register (4-byte writes, no datamatch, so
 * any queue index), and an I/O thread of its own that blocks on it and runs
 * virtio_mmio_kick_all(): KVM completes the guest's write without an exit to
 * orbvm, and the request batch runs on the I/O thread. If the eventfd, the
 * registration or the thread cannot be had (or with --disk ...,notify=exit),
 * the QueueNotify write exits to orbvm and the batch runs on the vCPU thread
 * (virtio_mmio_access). virtio/mmio.h's gate serializes the two paths and
 * device reset.
 *
 * Interrupts: a disk with an I/O thread also gets a resampling irqfd
 * (irq_line.h): its thread polls the ioeventfd and the resamplefd, so raising
 * the GSI is an eventfd write and the guest's EOI re-asserts it from the I/O
 * thread while InterruptStatus is still non-zero. Without an I/O thread
 * (notify=exit, or setup failed) or if KVM refuses the irqfd, the line is
 * driven with KVM_IRQ_LINE from whichever thread changes InterruptStatus.
 *
 * Data: unless --disk ...,io=sync, each disk has an io_uring
 * (virtio/blk_uring.h) that runs a notification's requests as one batch,
 * in parallel; if io_uring cannot be set up, orbvm prints one line on stderr
 * and the disk uses preadv/pwritev (virtio/blk_file.h), one request at a time.
 */
#ifndef ORBVM_DEVICES_DISKS_H
#define ORBVM_DEVICES_DISKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "acpi/acpi.h"
#include "bus.h"
#include "config.h"
#include "irq_line.h"
#include "virtio/blk.h"
#include "virtio/blk_file.h"
#include "virtio/blk_uring.h"
#include "virtio/mmio.h"
#include "vm.h"

#define DISKS_MMIO_BASE	  0xd0000000u
#define DISKS_MMIO_STRIDE 0x1000u
#define DISKS_GSI_BASE	  16u

_Static_assert(CONFIG_MAX_DISKS <= ACPI_MAX_MMIO_DEVS, "every disk has a DSDT entry");
_Static_assert(DISKS_GSI_BASE + CONFIG_MAX_DISKS <= 24, "the I/O APIC has 24 pins");

struct disk {
	struct blk_file file;
	struct blk_backend be;
	struct blk_dev dev;
	struct virtio_mmio transport;
	struct vm *vm; /* for the ioeventfd */
	unsigned gsi;
	struct irq_line irq;
	struct blk_uring uring; /* used when be.batch is set */
	char name[8];		/* "vda", ... for the bus table */
	bool notify_exit;	/* --disk ...,notify=exit */
	bool io_sync;		/* --disk ...,io=sync */
	int notify_fd;		/* the ioeventfd, -1 on the MMIO-exit path */
	bool thread_started;
	atomic_bool stop; /* set by disks_close before it wakes the thread */
	pthread_t thread;
};

struct disks {
	unsigned n;	     /* opened backends */
	unsigned n_attached; /* transports initialized */
	struct disk d[CONFIG_MAX_DISKS];
};

/* Opens every configured disk file; returns 0 or a negative error with a message. */
int disks_open(struct disks *ds, const struct config *cfg);

/* Fills out[0..ds->n-1] with the devices' DSDT entries; returns ds->n. */
unsigned disks_acpi(const struct disks *ds, struct acpi_mmio_dev *out);

/*
 * Creates the devices and registers their windows on b, sets up each disk's
 * io_uring (falling back to preadv/pwritev with a line on stderr), then its
 * ioeventfd, irqfd and I/O thread (falling back to MMIO exits and
 * KVM_IRQ_LINE, silently, if KVM or the system refuses); returns 0 or an error.
 */
int disks_attach(struct disks *ds, struct vm *vm, struct bus *b);

/* Whether disk i takes its notifications through an ioeventfd. */
bool disks_uses_ioeventfd(const struct disks *ds, unsigned i);
/* Whether disk i raises its interrupt through a resampling irqfd. */
bool disks_uses_irqfd(const struct disks *ds, unsigned i);
/* Whether disk i runs its requests through io_uring. */
bool disks_uses_uring(const struct disks *ds, unsigned i);

/* Stops and joins the I/O threads, closes the files (and transports). */
void disks_close(struct disks *ds);

#endif
