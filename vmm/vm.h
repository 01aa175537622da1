/*
 * The KVM virtual machine: /dev/kvm, the VM file descriptor, guest RAM in
 * one or two memory slots (mem.h) and, for kernel guests, the interrupt
 * controllers in one of two set-ups (docs/orbvm.md, "Interrupt routing"):
 *  - VM_IRQCHIP_KERNEL: KVM's in-kernel irqchip (8259 PICs, I/O APIC, local
 *    APICs) and PIT, with the PC's routing of ISA lines and GSIs;
 *  - VM_IRQCHIP_SPLIT: only the local APICs in KVM (KVM_CAP_SPLIT_IRQCHIP
 *    with IOAPIC_PINS reserved routes); the I/O APIC is orbvm's
 *    (vmm/irq/ioapic.h, `ioapic`), each pin an MSI route on GSI = pin in
 *    `routes` (vmm/irq/gsi_routes.h) raised with KVM_IRQ_LINE; no PIC, no
 *    PIT (KVM_CREATE_PIT2 needs the in-kernel irqchip).
 * In both, `routes` is the one owner of KVM's GSI routing table.
 *
 * vm_create() makes the ioctls in the order KVM needs: API version check,
 * KVM_CREATE_VM, KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR (both in the
 * 3 GiB..4 GiB hole, below the BIOS area at 0xfffbc000), memory slots, then
 * KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2 or KVM_ENABLE_CAP(SPLIT_IRQCHIP);
 * vCPUs are created afterwards (KVM requires it for both).
 *
 * Lines (vm_irq_line, irq_line.h): KVM_IRQ_LINE on the GSI with the kernel
 * irqchip; ioapic_set_irq() on the pin with the split one, whose model ORs
 * the sources of a shared line.
 */
#ifndef ORBVM_VM_H
#define ORBVM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "irq/gsi_routes.h"
#include "irq/ioapic.h"
#include "mem.h"

#define VM_IDENTITY_MAP_ADDR 0xfffbc000ull
#define VM_TSS_ADDR	     0xfffbd000ull

enum vm_irqchip {
	VM_IRQCHIP_NONE = 0,   /* --real-mode: no interrupt controller */
	VM_IRQCHIP_KERNEL = 1, /* KVM's PICs, I/O APIC, LAPICs and PIT */
	VM_IRQCHIP_SPLIT = 2,  /* LAPICs in KVM, orbvm's I/O APIC */
};

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_mem mem;
	enum vm_irqchip irqchip;
	int run_size;		  /* KVM_GET_VCPU_MMAP_SIZE */
	bool routes_ready;	  /* `routes` initialised (destroy it) */
	struct gsi_routes routes; /* KVM's GSI routing table (irqchip != NONE) */
	struct ioapic ioapic;	  /* VM_IRQCHIP_SPLIT: the I/O APIC model */
};

/*
 * Opens /dev/kvm and creates a VM with `ram` bytes and the interrupt
 * controllers `irqchip` names (above). Returns 0 or a negative error with a
 * message; on failure nothing is left open.
 */
int vm_create(struct vm *vm, uint64_t ram, enum vm_irqchip irqchip);
void vm_destroy(struct vm *vm);

/* Drives ISA interrupt line / GSI `irq` (source 0 of a split pin); thread-safe. */
int vm_irq_line(struct vm *vm, unsigned irq, bool level);

/* The same for source `source` of the line (ioapic_source_alloc; the kernel
 * irqchip has one source per line for all of orbvm, so there it is ignored). */
int vm_irq_source(struct vm *vm, unsigned irq, unsigned source, bool level);

/*
 * Attaches eventfd `fd` to `gsi` with KVM_IRQFD (a write to fd asserts the
 * GSI); with resample_fd >= 0 as a level-triggered resampling irqfd
 * (KVM_IRQFD_FLAG_RESAMPLE: KVM deasserts the GSI when the guest EOIs it and
 * then signals resample_fd). detach: removes fd's registration. Needs the
 * kernel irqchip (KVM refuses a resampling irqfd with the split one, whose
 * lines go through orbvm's I/O APIC instead); returns 0 or a negative error
 * with a message.
 */
int vm_irqfd(struct vm *vm, unsigned gsi, int fd, int resample_fd, bool detach);

#endif
