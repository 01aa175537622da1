/*
 * KVM VM creation and memory slots; see vm.h.
 *
 * Trust boundary: /dev/kvm is the host kernel; its answers (API version,
 * mmap size) are checked before use. The guest never reaches this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "err.h"
#include "vm.h"

static int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {.slot = slot,
						.guest_phys_addr = gpa,
						.memory_size = size,
						.userspace_addr = (uint64_t)(uintptr_t)host};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return err_set(ERR_NOMEM, "KVM_SET_USER_MEMORY_REGION (slot %u, %llu MiB): %s",
			       slot, (unsigned long long)(size >> 20), strerror(errno));
	return 0;
}

/*
 * The interrupt routing of a PC, as the MADT describes it (vmm/acpi/tables.c): the
 * in-kernel PIT raises KVM line 0, which is ISA IRQ 0 on the 8259 but GSI 2 on the
 * I/O APIC (the MADT's override); every other line i is 8259 input i (below 16,
 * line 2 being the cascade) and I/O APIC pin i. KVM's default table routes line 0 to
 * pin 0, so without this a guest that follows the override never sees the PIT.
 */
static int vm_set_routing(struct vm *vm)
{
	int r = 0;
	for (unsigned line = 0; line < 16 && r == 0; line++) {
		if (line != 2)
			r = gsi_routes_add_irqchip(
			    &vm->routes, line,
			    line < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, line & 7);
	}
	for (unsigned line = 0; line < IOAPIC_PINS && r == 0; line++) {
		if (line != 2)
			r = gsi_routes_add_irqchip(&vm->routes, line, KVM_IRQCHIP_IOAPIC,
						   line == 0 ? 2 : line);
	}
	return r < 0 ? r : gsi_routes_commit(&vm->routes);
}

/* KVM's irqchip and PIT, with the PC's routing. */
static int vm_create_kernel_irqchip(struct vm *vm)
{
	int r;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return err_set(ERR_NOSYS, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	gsi_routes_init(&vm->routes, vm->vm_fd, IOAPIC_PINS); /* MSIs from GSI 24 */
	vm->routes_ready = true;
	if ((r = vm_set_routing(vm)) < 0)
		return r;
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return err_set(ERR_NOSYS, "KVM_CREATE_PIT2: %s", strerror(errno));
	return 0;
}

/*
 * The I/O APIC model's outputs: pin p is GSI p. A route KVM refuses leaves the
 * old one in force; the guest's next write of the entry tries again, and
 * nothing else can be done from a vCPU's MMIO exit.
 */
static void vm_ioapic_route(void *ctx, unsigned pin, const struct ioapic_msi *msi)
{
	struct vm *vm = ctx;
	if (msi)
		(void)gsi_routes_set_msi(&vm->routes, pin, msi->address, msi->data);
	else
		(void)gsi_routes_clear(&vm->routes, pin);
}

/* KVM_IRQ_LINE with level 1 on an MSI route sends the message once. */
static void vm_ioapic_deliver(void *ctx, unsigned pin)
{
	struct vm *vm = ctx;
	struct kvm_irq_level l = {.irq = pin, .level = 1};
	(void)ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

static const struct ioapic_ops vm_ioapic_ops = {.route = vm_ioapic_route,
						.deliver = vm_ioapic_deliver};

/* Local APICs in KVM, GSIs 0..IOAPIC_PINS-1 reserved for orbvm's I/O APIC. */
static int vm_create_split_irqchip(struct vm *vm)
{
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP, .args = {IOAPIC_PINS}};
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		return err_set(ERR_NOSYS,
			       "--irqchip split: this KVM has no KVM_CAP_SPLIT_IRQCHIP (use "
			       "--irqchip kernel)");
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return err_set(ERR_NOSYS, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s",
			       strerror(errno));
	gsi_routes_init(&vm->routes, vm->vm_fd, IOAPIC_PINS);
	vm->routes_ready = true;
	ioapic_init(&vm->ioapic, &vm_ioapic_ops, vm);
	/* KVM starts a split VM with an empty table; make that explicit. */
	return gsi_routes_commit(&vm->routes);
}

static int vm_open_kvm(struct vm *vm)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			return err_set(ERR_NOENT,
				       "no /dev/kvm: KVM is not available on this machine");
		if (errno == EACCES || errno == EPERM)
			return err_set(
			    ERR_PERM,
			    "no permission to open /dev/kvm (join the 'kvm' group or run as root)");
		return err_set(ERR_NOENT, "cannot open /dev/kvm: %s", strerror(errno));
	}
	int v = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		return err_set(ERR_NOSYS, "/dev/kvm has API version %d, orbvm needs %d", v,
			       KVM_API_VERSION);
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run))
		return err_set(ERR_NOSYS, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	return 0;
}

int vm_create(struct vm *vm, uint64_t ram, enum vm_irqchip irqchip)
{
	int r;
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	if ((r = vm_open_kvm(vm)) < 0)
		goto fail;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		r = err_set(ERR_NOSYS, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	/* Needed for real mode on Intel; placed in the hole, below the BIOS area. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0) {
		r = err_set(ERR_NOSYS, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		goto fail;
	}
	uint64_t idmap = VM_IDENTITY_MAP_ADDR;
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) {
		r = err_set(ERR_NOSYS, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
		goto fail;
	}
	if ((r = mem_alloc(&vm->mem, ram)) < 0)
		goto fail;
	if ((r = vm_set_slot(vm, 0, 0, vm->mem.lo_size, vm->mem.host)) < 0)
		goto fail;
	if (vm->mem.hi_size && (r = vm_set_slot(vm, 1, MEM_HIGH_START, vm->mem.hi_size,
						vm->mem.host + vm->mem.lo_size)) < 0)
		goto fail;
	if (irqchip == VM_IRQCHIP_KERNEL && (r = vm_create_kernel_irqchip(vm)) < 0)
		goto fail;
	if (irqchip == VM_IRQCHIP_SPLIT && (r = vm_create_split_irqchip(vm)) < 0)
		goto fail;
	vm->irqchip = irqchip;
	return 0;
fail:
	vm_destroy(vm);
	return r;
}

void vm_destroy(struct vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	mem_free(&vm->mem);
	if (vm->irqchip == VM_IRQCHIP_SPLIT)
		ioapic_destroy(&vm->ioapic);
	if (vm->routes_ready)
		gsi_routes_destroy(&vm->routes);
	vm->routes_ready = false;
	vm->irqchip = VM_IRQCHIP_NONE;
	vm->vm_fd = vm->kvm_fd = -1;
}

int vm_irq_line(struct vm *vm, unsigned irq, bool level)
{
	return vm_irq_source(vm, irq, 0, level);
}

int vm_irq_source(struct vm *vm, unsigned irq, unsigned source, bool level)
{
	if (vm->irqchip == VM_IRQCHIP_SPLIT) {
		ioapic_set_irq(&vm->ioapic, irq, source, level);
		return 0;
	}
	if (vm->irqchip != VM_IRQCHIP_KERNEL)
		return 0;
	struct kvm_irq_level l = {.irq = irq, .level = level ? 1 : 0};
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return err_set(ERR_NOSYS, "KVM_IRQ_LINE %u: %s", irq, strerror(errno));
	return 0;
}

int vm_irqfd(struct vm *vm, unsigned gsi, int fd, int resample_fd, bool detach)
{
	if (vm->irqchip != VM_IRQCHIP_KERNEL || vm->vm_fd < 0)
		return err_set(ERR_NOSYS, "KVM_IRQFD with resampling needs the kernel irqchip");
	struct kvm_irqfd f = {.fd = (uint32_t)fd, .gsi = gsi};
	if (detach) {
		f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	} else if (resample_fd >= 0) {
		f.flags = KVM_IRQFD_FLAG_RESAMPLE;
		f.resamplefd = (uint32_t)resample_fd;
	}
	if (ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0)
		return err_set(ERR_NOSYS, "KVM_IRQFD gsi %u: %s", gsi, strerror(errno));
	return 0;
}
