/*
 * KVM_IRQ_LINE and KVM_SIGNAL_MSI for PCI devices; see pci_kvm.h.
 *
 * Trust boundary: the MSI address and data are the guest's (pci_msix.c has
 * already limited the address to the interrupt range); KVM validates the
 * rest and at worst refuses the message.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "err.h"
#include "pci/pci_kvm.h"
#include "vm.h"

void pci_kvm_set_gsi(void *ctx, unsigned gsi, bool level)
{
	vm_irq_line(ctx, gsi, level);
}

int pci_kvm_signal_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct vm *vm = ctx;
	if (!vm->irqchip)
		return -ERR_NOSYS;
	struct kvm_msi msi = {
	    .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data};
	/* 0: the guest blocked it (e.g. no vCPU matches); > 0: delivered. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return err_set(ERR_NOSYS, "KVM_SIGNAL_MSI: %s", strerror(errno));
	return 0;
}
