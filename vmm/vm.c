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
	enum { NR = 15 + 23 }; /* 8259 lines 0-15 but 2, I/O APIC pins 0-23 but 2 */
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[NR];
	} t;
	memset(&t, 0, sizeof(t));
	unsigned n = 0;
	for (unsigned line = 0; line < 16; line++) {
		if (line == 2)
			continue;
		t.e[n].gsi = line;
		t.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		t.e[n].u.irqchip.irqchip =
		    line < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
		t.e[n++].u.irqchip.pin = line & 7;
	}
	for (unsigned line = 0; line < 24; line++) {
		if (line == 2)
			continue;
		t.e[n].gsi = line;
		t.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		t.e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		t.e[n++].u.irqchip.pin = line == 0 ? 2 : line;
	}
	t.hdr.nr = n;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, &t) < 0)
		return err_set(ERR_NOSYS, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
	return 0;
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

int vm_create(struct vm *vm, uint64_t ram, bool irqchip)
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
	if (irqchip) {
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
			r = err_set(ERR_NOSYS, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
			goto fail;
		}
		if ((r = vm_set_routing(vm)) < 0)
			goto fail;
		struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			r = err_set(ERR_NOSYS, "KVM_CREATE_PIT2: %s", strerror(errno));
			goto fail;
		}
		vm->irqchip = true;
	}
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
	vm->vm_fd = vm->kvm_fd = -1;
}

int vm_irq_line(struct vm *vm, unsigned irq, bool level)
{
	if (!vm->irqchip)
		return 0;
	struct kvm_irq_level l = {.irq = irq, .level = level ? 1 : 0};
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return err_set(ERR_NOSYS, "KVM_IRQ_LINE %u: %s", irq, strerror(errno));
	return 0;
}

int vm_irqfd(struct vm *vm, unsigned gsi, int fd, int resample_fd, bool detach)
{
	if (!vm->irqchip || vm->vm_fd < 0)
		return err_set(ERR_NOSYS, "KVM_IRQFD needs the in-kernel irqchip");
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
