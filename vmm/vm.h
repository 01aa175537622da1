/*
 * The KVM virtual machine: /dev/kvm, the VM file descriptor, guest RAM in
 * one or two memory slots (mem.h) and, for Linux guests, the in-kernel
 * interrupt controllers (8259 PICs, I/O APIC, local APICs) and PIT.
 *
 * vm_create() makes the ioctls in the order KVM needs: API version check,
 * KVM_CREATE_VM, KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR (both in the
 * 3 GiB..4 GiB hole, below the BIOS area at 0xfffbc000), memory slots, then
 * KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2; vCPUs are created afterwards.
 */
#ifndef ORBVM_VM_H
#define ORBVM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

#define VM_IDENTITY_MAP_ADDR 0xfffbc000ull
#define VM_TSS_ADDR	     0xfffbd000ull

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_mem mem;
	bool irqchip; /* in-kernel PIC/IOAPIC/LAPIC and PIT created */
	int run_size; /* KVM_GET_VCPU_MMAP_SIZE */
};

/*
 * Opens /dev/kvm and creates a VM with `ram` bytes; with `irqchip`, also the
 * in-kernel irqchip and PIT. Returns 0 or a negative error with a message;
 * on failure nothing is left open.
 */
int vm_create(struct vm *vm, uint64_t ram, bool irqchip);
void vm_destroy(struct vm *vm);

/* Drives ISA interrupt line `irq` (KVM_IRQ_LINE); thread-safe. */
int vm_irq_line(struct vm *vm, unsigned irq, bool level);

/*
 * Attaches eventfd `fd` to `gsi` with KVM_IRQFD (a write to fd asserts the
 * GSI); with resample_fd >= 0 as a level-triggered resampling irqfd
 * (KVM_IRQFD_FLAG_RESAMPLE: KVM deasserts the GSI when the guest EOIs it and
 * then signals resample_fd). detach: removes fd's registration. Needs the
 * in-kernel irqchip; returns 0 or a negative error with a message.
 */
int vm_irqfd(struct vm *vm, unsigned gsi, int fd, int resample_fd, bool detach);

#endif
