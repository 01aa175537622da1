/*
 * PCI interrupts into KVM, until the split irqchip (whose module owns KVM's
 * GSI routing table) lands: an INTx GSI goes through vm_irq_line()
 * (KVM_IRQ_LINE on the in-kernel I/O APIC), an MSI-X message through
 * KVM_SIGNAL_MSI (no routing entry needed). Both do nothing harmful
 * without an irqchip: the line is ignored, the message is refused and the
 * caller counts it as dropped.
 *
 * Thread-safe (each is one ioctl on the VM's descriptor).
 */
#ifndef ORBVM_PCI_KVM_H
#define ORBVM_PCI_KVM_H

#include <stdbool.h>
#include <stdint.h>

/* set_gsi for pci_host_init(): ctx is the struct vm. */
void pci_kvm_set_gsi(void *ctx, unsigned gsi, bool level);

/* pci_msi_fn for pci_msix_init(): ctx is the struct vm. */
int pci_kvm_signal_msi(void *ctx, uint64_t addr, uint32_t data);

#endif
