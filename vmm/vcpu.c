/*
 * vCPU creation, the run loop and the exit dispatch; see vcpu.h.
 *
 * Trust boundary: struct kvm_run is shared with the host kernel and
 * describes guest actions. For KVM_EXIT_IO the data area (data_offset,
 * size * count) is checked to lie inside the mapping before any byte is
 * touched; MMIO lengths are checked against the 8-byte data field. Guest
 * values reach devices only through the bus.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "irq/ioapic.h"
#include "vcpu.h"
#include "vm.h"

#define RFLAGS_IF 0x200ull

static int vcpu_exit_io(struct vcpu_exit_ctx *ctx, struct kvm_run *run, size_t run_size)
{
	uint64_t size = run->io.size, count = run->io.count, off = run->io.data_offset;
	if ((size != 1 && size != 2 && size != 4) || count == 0 || off > run_size ||
	    size * count > run_size - off)
		return err_set(ERR_FAULT, "KVM reported a malformed I/O exit (port 0x%x)",
			       run->io.port);
	uint8_t *data = (uint8_t *)run + off;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	for (uint64_t i = 0; i < count; i++)
		bus_pio(ctx->bus, run->io.port, data + i * size, (uint32_t)size, out);
	return 0;
}

int vcpu_handle_exit(struct vcpu_exit_ctx *ctx, struct kvm_run *run, size_t run_size)
{
	int r = 0;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		r = vcpu_exit_io(ctx, run, run_size);
		break;
	case KVM_EXIT_MMIO:
		if (run->mmio.len > sizeof(run->mmio.data))
			return err_set(ERR_FAULT, "KVM reported a malformed MMIO exit");
		bus_mmio(ctx->bus, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			 run->mmio.is_write);
		break;
	case KVM_EXIT_HLT:
		vmm_stop_request(ctx->stop,
				 ctx->hlt_ends_guest ? VMM_STATUS_POWEROFF : VMM_STATUS_HALT);
		break;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault: what a PC does is reset, so this is a reboot. */
		vmm_stop_request(ctx->stop, VMM_STATUS_REBOOT);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vmm_stop_request(ctx->stop, VMM_STATUS_POWEROFF);
		else if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vmm_stop_request(ctx->stop, VMM_STATUS_REBOOT);
		else
			return err_set(ERR_NOSYS, "unhandled KVM system event %u",
				       run->system_event.type);
		break;
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_IOAPIC_EOI:
		/* The guest EOIed a level-triggered vector (split irqchip only). */
		if (!ctx->ioapic)
			return err_set(ERR_NOSYS, "KVM reported an I/O APIC EOI without one");
		ioapic_eoi(ctx->ioapic, run->eoi.vector);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		return err_set(ERR_FAULT, "KVM could not enter the guest (hardware reason 0x%llx)",
			       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return err_set(ERR_FAULT, "KVM internal error (suberror %u) running the guest",
			       run->internal.suberror);
	default:
		return err_set(ERR_NOSYS, "unexpected KVM exit reason %u", run->exit_reason);
	}
	if (r < 0)
		return r;
	return vmm_stop_pending(ctx->stop, NULL) ? 1 : 0;
}

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned index, struct bus *bus,
		struct vmm_stop *stop)
{
	memset(v, 0, sizeof(*v));
	v->index = index;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0)
		return err_set(ERR_NOSYS, "KVM_CREATE_VCPU %u: %s", index, strerror(errno));
	v->run_size = (size_t)vm->run_size;
	void *p = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		close(v->fd);
		v->fd = -1;
		return err_set(ERR_NOMEM, "mmap of the vCPU run area: %s", strerror(e));
	}
	v->run = p;
	v->ctx =
	    (struct vcpu_exit_ctx){.bus = bus,
				   .stop = stop,
				   .ioapic = vm->irqchip == VM_IRQCHIP_SPLIT ? &vm->ioapic : NULL};
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

/* The run area of the vCPU the current thread runs; read by the handler. */
static _Thread_local struct kvm_run *volatile vcpu_kick_run;

static void vcpu_kick_handler(int sig)
{
	(void)sig;
	struct kvm_run *run = vcpu_kick_run;
	if (run)
		run->immediate_exit = 1;
}

int vcpu_signals_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return err_set(ERR_NOSYS, "sigaction: %s", strerror(errno));
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

/* Counts this vCPU in, or out of, the VM's idle vCPUs; the last one in stops it. */
static void vcpu_set_idle(struct vcpu *v, bool idle)
{
	if (!v->idle_set || v->idle == idle)
		return;
	v->idle = idle;
	if (!idle) {
		atomic_fetch_sub(&v->idle_set->count, 1);
		return;
	}
	if (atomic_fetch_add(&v->idle_set->count, 1) + 1 == v->idle_set->ncpus)
		vmm_stop_request(v->ctx.stop, VMM_STATUS_HALT);
}

/* After a kick: can this vCPU still run (see vcpu.h)? */
static void vcpu_check_halted(struct vcpu *v)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0) {
		v->halted_seen = 0;
	} else if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
		   mp.mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		v->halted_seen = 2; /* an AP not (yet) started by the guest */
	} else if (mp.mp_state != KVM_MP_STATE_HALTED || ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
		   (regs.rflags & RFLAGS_IF)) {
		v->halted_seen = 0;
	} else if (v->halted_seen < 2) {
		v->halted_seen++;
	}
	vcpu_set_idle(v, v->halted_seen >= 2);
}

/* Adds where the guest was to an exit error ("... at RIP 0x..."), for diagnosis. */
static int vcpu_error_at(struct vcpu *v, int r)
{
	struct kvm_regs regs;
	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return r;
	char why[400];
	snprintf(why, sizeof(why), "%s", err_msg());
	return err_set(-r, "%s at RIP 0x%llx", why, (unsigned long long)regs.rip);
}

/* A triple fault resets the machine; say where the guest was, on stderr, so a
 * guest kernel's developer can tell which instruction it died on. */
static void vcpu_report_shutdown(struct vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	/* KVM on AMD re-initialises the vCPU at a shutdown intercept, before this
	 * exit: its registers are then the reset state, and say so. */
	bool reset = regs.rip == 0xfff0 && sregs.cr3 == 0 && sregs.cs.base == 0xffff0000;
	fprintf(stderr,
		"orbvm: triple fault on vCPU %u: RIP 0x%llx RSP 0x%llx CR2 0x%llx CR3 0x%llx "
		"(the machine resets%s)\n",
		v->index, (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		(unsigned long long)sregs.cr2, (unsigned long long)sregs.cr3,
		reset ? "; KVM already reset this vCPU: where it died is lost" : "");
}

int vcpu_run(struct vcpu *v)
{
	enum vmm_status why;
	vcpu_kick_run = v->run;
	for (;;) {
		if (vmm_stop_pending(v->ctx.stop, &why))
			break;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN)
				return err_set(ERR_FAULT, "KVM_RUN: %s", strerror(errno));
			v->run->immediate_exit = 0;
			if (v->check_halt)
				vcpu_check_halted(v);
			continue;
		}
		if (v->idle)
			vcpu_set_idle(v, false); /* it ran: not idle after all */
		if (v->run->exit_reason == KVM_EXIT_SHUTDOWN)
			vcpu_report_shutdown(v);
		int r = vcpu_handle_exit(&v->ctx, v->run, v->run_size);
		if (r < 0)
			return vcpu_error_at(v, r);
	}
	vcpu_kick_run = NULL;
	return (int)why;
}
