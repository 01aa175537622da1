/*
 * A device's level-triggered interrupt line, on KVM's in-kernel irqchip
 * driven through a resampling KVM_IRQFD when KVM gives one, else with
 * KVM_IRQ_LINE; on the split irqchip (vm.h) always through orbvm's I/O APIC
 * model as one source of its pin (several devices may share a pin: the line
 * is the OR of its sources, vmm/irq/ioapic.h).
 *
 * The device says what the line should be with irq_line_set(l, level)
 * (virtio-mmio: InterruptStatus != 0). The two ways to carry that to KVM:
 *
 *  - irqfd (irq_line_attach succeeded): `trigger_fd` is registered with
 *    KVM_IRQFD and KVM_IRQFD_FLAG_RESAMPLE on the GSI. A rising level writes
 *    trigger_fd, which asserts the GSI in the kernel without an ioctl. A
 *    falling level does nothing: KVM itself deasserts the GSI when the guest
 *    EOIs the interrupt (level-triggered I/O APIC pin) and then signals
 *    `resample_fd`. Whoever polls resample_fd calls irq_line_resample(),
 *    which drains it and writes trigger_fd again if the level is still high:
 *    so the line stays effectively asserted while the device wants it (the
 *    guest gets another interrupt after its EOI), exactly as a level line.
 *    No interrupt is lost: the level is stored before trigger_fd is written,
 *    and every deassertion by KVM is followed by a resample that reads the
 *    latest level. A level that fell before the guest's EOI (the guest's ACK,
 *    or a device reset) costs at most one spurious interrupt, which the
 *    guest's handler sees with InterruptStatus 0.
 *  - KVM_IRQ_LINE (no irqfd: no irqchip, KVM refused, or the device has no
 *    thread to poll resample_fd): irq_line_set() issues the ioctl on every
 *    change, asserting and deasserting the GSI from the calling thread.
 *  - split irqchip: irq_line_attach() fails (KVM has no resampling irqfd
 *    without its own I/O APIC), and irq_line_set() hands every change to
 *    ioapic_set_irq() for this line's source (vm_irq_source), which
 *    delivers, keeps remote IRR and re-delivers at the guest's EOI itself.
 *
 * For tests, irq_line_init_fds() takes two plain eventfds without KVM, so
 * the resample logic runs and can be observed on the host.
 *
 * Thread safety: irq_line_set() and irq_line_resample() may run on different
 * threads at once (the level is atomic; eventfd writes are atomic). Setup and
 * teardown run with no other user.
 */
#ifndef ORBVM_IRQ_LINE_H
#define ORBVM_IRQ_LINE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "vm.h"

struct irq_line {
	struct vm *vm; /* NULL: no interrupt controller (host tests) */
	unsigned gsi;
	unsigned source; /* split irqchip: its source on the pin (0 otherwise) */
	int trigger_fd;	 /* irqfd; -1 on the KVM_IRQ_LINE path */
	int resample_fd; /* its resamplefd; -1 likewise */
	bool registered; /* trigger_fd is attached to KVM (detach at destroy) */
	atomic_bool level;
};

/* The KVM_IRQ_LINE path on vm's `gsi` (vm may be NULL: the line goes nowhere);
 * with the split irqchip, a new source of I/O APIC pin `gsi`. */
void irq_line_init(struct irq_line *l, struct vm *vm, unsigned gsi);

/*
 * Switches l to a resampling irqfd: new eventfds, KVM_IRQFD with
 * KVM_IRQFD_FLAG_RESAMPLE. Returns 0, or a negative error (message set) with
 * l left on the KVM_IRQ_LINE path. Call before the line is first used.
 */
int irq_line_attach(struct irq_line *l);

/* Test path: the irqfd logic over trigger and resample eventfds, no KVM. */
void irq_line_init_fds(struct irq_line *l, int trigger_fd, int resample_fd);

/* Whether l uses an irqfd (a resample_fd to poll). */
bool irq_line_uses_irqfd(const struct irq_line *l);

/* The device's level changed (or not: a repeated level is harmless). */
void irq_line_set(struct irq_line *l, bool level);

/* resample_fd became readable: drain it, re-trigger if the level is high. */
void irq_line_resample(struct irq_line *l);

/* Detaches the irqfd and closes the eventfds (not those of init_fds). */
void irq_line_destroy(struct irq_line *l);

#endif
