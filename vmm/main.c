/*
 * orbvm: a KVM virtual machine monitor. main() is the whole start-up order,
 * one step per line: parse the configuration, check and plan the guest's
 * inputs (before /dev/kvm is touched, so bad input fails fast everywhere),
 * create the VM, load the guest, attach the devices, set up the vCPUs, then
 * run each in its own thread while this thread runs the event loop
 * (terminal, signals; vcpus.h has the stop model), and finally tear
 * everything down and return the exit status (stop.h).
 *
 * Trust boundary: the files named on the command line are untrusted; their
 * sizes are checked here and their contents in boot/.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi/acpi.h"
#include "boot/boot_params.h"
#include "boot/bzimage.h"
#include "boot/kload.h"
#include "boot/layout.h"
#include "boot/realmode.h"
#include "bus.h"
#include "config.h"
#include "devices/acpi_pm.h"
#include "devices/debug_exit.h"
#include "devices/debug_port.h"
#include "devices/disks.h"
#include "devices/i8042.h"
#include "devices/rtc.h"
#include "devices/serial.h"
#include "devices/terminal.h"
#include "err.h"
#include "event_loop.h"
#include "irq_line.h"
#include "pci/pci_host.h"
#include "pci/pci_kvm.h"
#include "irq/ioapic.h"
#include "stop.h"
#include "vcpus.h"
#include "vm.h"
#include "x86/cpu_setup.h"

#ifndef ORBVM_VERSION
#define ORBVM_VERSION "0.1"
#endif

#define MAX_FILE_SIZE (1ull << 30)

/* Everything one VM is made of. */
struct machine {
	const struct config *cfg;
	/* Inputs, checked and planned before the VM exists. */
	uint8_t *image; /* kernel file or real-mode binary */
	size_t image_len;
	bool is_bzimage; /* else a PVH or Multiboot kernel (kl) */
	struct bzimage bz;
	struct kload kl;
	struct boot_layout layout;
	int initrd_fd;
	uint64_t initrd_size;
	/* The VM and its devices. */
	struct vm vm;
	struct bus bus;
	struct vmm_stop stop;
	struct serial uart;
	struct rtc rtc;
	struct i8042 i8042;
	struct irq_line i8042_irq[2]; /* IRQ 1 (keyboard), IRQ 12 (mouse) */
	struct acpi_pm pm;
	struct debug_port debug;
	struct debug_exit debug_exit;
	struct disks disks;
	struct pci_host pci; /* the PCI host bridge (bus 0) */
	struct vcpus vcpus;
	struct terminal term;
	struct event_loop loop;
};

/* Reads a whole file of at most MAX_FILE_SIZE bytes. */
static int read_file(const char *path, const char *what, uint8_t **buf, size_t *len)
{
	int r = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(ERR_NOENT, "cannot open %s '%s': %s", what, path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = err_set(ERR_INVAL, "%s '%s' is not a regular file", what, path);
		goto out;
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		r = err_set(ERR_RANGE, "%s '%s' is too large", what, path);
		goto out;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len ? *len : 1);
	if (!*buf) {
		r = err_set(ERR_NOMEM, "out of memory reading %s", what);
		goto out;
	}
	for (size_t done = 0; done < *len;) {
		ssize_t n = read(fd, *buf + done, *len - done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			r = err_set(ERR_INVAL, "cannot read %s '%s': %s", what, path,
				    n ? strerror(errno) : "file shrank while reading");
			free(*buf);
			*buf = NULL;
			goto out;
		}
		done += (size_t)n;
	}
out:
	close(fd);
	return r;
}

/* Prefixes the current error message with the kernel's path. */
static int machine_kernel_error(struct machine *m, int r)
{
	char why[400];
	snprintf(why, sizeof(why), "%s", err_msg());
	return err_set(-r, "%s: %s", m->cfg->kernel_path, why);
}

/* A PVH or Multiboot kernel, its modules and boot information: kload.c. */
static int machine_plan_kimage(struct machine *m)
{
	int r = kload_plan(&m->kl, m->image, m->image_len, m->cfg);
	if (r == KIMAGE_NOT_RECOGNISED) {
		bzimage_parse(m->image, m->image_len, &m->bz); /* for its "not a bzImage" */
		char why[300];
		snprintf(why, sizeof(why), "%s", err_msg());
		return err_set(ERR_FORMAT, "%s: %s; nor an ELF or Multiboot kernel",
			       m->cfg->kernel_path, why);
	}
	return r;
}

/* Kernel, command line and initrd: parse, size-check and place them. */
static int machine_plan_linux(struct machine *m)
{
	const struct config *c = m->cfg;
	int r = read_file(c->kernel_path, "kernel", &m->image, &m->image_len);
	if (r < 0)
		return r;
	m->is_bzimage = bzimage_signature(m->image, m->image_len);
	if (!m->is_bzimage)
		return machine_plan_kimage(m);
	if ((r = bzimage_parse(m->image, m->image_len, &m->bz)) < 0)
		return machine_kernel_error(m, r);
	if (c->num_modules)
		return err_set(ERR_INVAL,
			       "%s is a bzImage: --module needs a PVH or Multiboot kernel",
			       c->kernel_path);
	if (c->initrd_path) {
		m->initrd_fd = open(c->initrd_path, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (m->initrd_fd < 0)
			return err_set(ERR_NOENT, "cannot open initrd '%s': %s", c->initrd_path,
				       strerror(errno));
		if (fstat(m->initrd_fd, &st) < 0 || !S_ISREG(st.st_mode))
			return err_set(ERR_INVAL, "initrd '%s' is not a regular file",
				       c->initrd_path);
		m->initrd_size = (uint64_t)st.st_size;
		if (m->initrd_size == 0)
			return err_set(ERR_INVAL, "initrd '%s' is empty", c->initrd_path);
	}
	return boot_plan(&m->bz, c->mem_size, strlen(c->cmdline), m->initrd_size, &m->layout);
}

static int machine_plan_realmode(struct machine *m)
{
	int r = read_file(m->cfg->realmode_path, "real-mode binary", &m->image, &m->image_len);
	if (r < 0)
		return r;
	if (m->image_len == 0)
		return err_set(ERR_INVAL, "real-mode binary '%s' is empty", m->cfg->realmode_path);
	if (m->image_len > REALMODE_MAX_SIZE)
		return err_set(ERR_RANGE, "real-mode binary '%s' is %zu bytes; at most %u fit",
			       m->cfg->realmode_path, m->image_len, REALMODE_MAX_SIZE);
	return 0;
}

/* Reads the initrd straight into guest memory at its planned address. */
static int machine_load_initrd(struct machine *m)
{
	uint8_t *dst = mem_ptr(&m->vm.mem, m->layout.initrd_addr, m->initrd_size);
	if (!dst)
		return err_set(ERR_FAULT, "initrd does not fit in guest memory");
	for (uint64_t done = 0; done < m->initrd_size;) {
		ssize_t n = read(m->initrd_fd, dst + done, m->initrd_size - done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return err_set(ERR_INVAL, "cannot read initrd '%s': %s",
				       m->cfg->initrd_path,
				       n ? strerror(errno) : "file shrank while reading");
		}
		done += (uint64_t)n;
	}
	return 0;
}

/* The ACPI tables at ACPI_TABLES_ADDR (the RSDP is acpi->offset[ACPI_RSDP] in). */
static int machine_load_acpi(struct machine *m, struct acpi_blob *acpi)
{
	struct acpi_mmio_dev devs[CONFIG_MAX_DISKS];
	unsigned ndevs = disks_acpi(&m->disks, devs);
	struct acpi_pci pci;
	pci_host_acpi(&m->pci, &pci);
	int r = acpi_build_pci(acpi, ACPI_TABLES_ADDR, devs, ndevs, m->cfg->cpus, &pci);
	if (r < 0)
		return r;
	if (m->vm.irqchip == VM_IRQCHIP_SPLIT)
		acpi_madt_set_pcat_compat(acpi, false); /* no 8259s (docs/orbvm.md) */
	return mem_write(&m->vm.mem, ACPI_TABLES_ADDR, acpi->data, acpi->len);
}

/* A PVH or Multiboot kernel: ACPI tables, then everything kload.c places. */
static int machine_load_kimage(struct machine *m)
{
	static struct acpi_blob acpi;
	int r = machine_load_acpi(m, &acpi);
	if (r < 0)
		return r;
	return kload_load(&m->kl, &m->vm.mem, m->image, m->cfg,
			  ACPI_TABLES_ADDR + acpi.offset[ACPI_RSDP],
			  acpi.data + acpi.offset[ACPI_RSDP]);
}

/* Kernel code, command line, initrd, ACPI tables, zero page, page tables, GDT. */
static int machine_load_linux(struct machine *m)
{
	struct guest_mem *mem = &m->vm.mem;
	const struct boot_layout *l = &m->layout;
	int r;
	if (!m->is_bzimage)
		return machine_load_kimage(m);
	if ((r = mem_write(mem, l->kernel_addr, bzimage_pm_code(&m->bz), m->bz.pm_size)) < 0 ||
	    (r = mem_write(mem, l->cmdline_addr, m->cfg->cmdline, l->cmdline_len + 1)) < 0)
		return r;
	if (m->initrd_size && (r = machine_load_initrd(m)) < 0)
		return r;
	static struct acpi_blob acpi;
	if ((r = machine_load_acpi(m, &acpi)) < 0)
		return r;
	static struct boot_params bp;
	boot_params_build(&bp, &m->bz, l, m->cfg->mem_size,
			  ACPI_TABLES_ADDR + acpi.offset[ACPI_RSDP]);
	if ((r = mem_write(mem, BOOT_ZERO_PAGE, &bp, sizeof(bp))) < 0)
		return r;
	if ((r = cpu_setup_page_tables(mem)) < 0)
		return r;
	return cpu_setup_gdt(mem);
}

static void machine_uart_irq(void *ctx, bool level)
{
	struct machine *m = ctx;
	vm_irq_line(&m->vm, SERIAL_COM1_IRQ, level);
}

/* The i8042's IRQ 1 or 12 changed level (its lock held; irq_line_set takes none). */
static void machine_i8042_irq(void *ctx, unsigned irq, bool level)
{
	struct machine *m = ctx;
	irq_line_set(&m->i8042_irq[irq == I8042_AUX_IRQ], level);
}

/* Devices and their bus ranges (documented in docs/orbvm.md). */
static int machine_attach_devices(struct machine *m, uint64_t start_ns)
{
	struct bus *b = &m->bus;
	int r;
	bus_init(b);
	serial_init(&m->uart, terminal_output, &m->term, machine_uart_irq, m);
	m->uart.rx_room = event_loop_uart_room;
	m->uart.rx_room_ctx = &m->loop;
	rtc_init(&m->rtc);
	irq_line_init(&m->i8042_irq[0], &m->vm, I8042_KBD_IRQ);
	irq_line_init(&m->i8042_irq[1], &m->vm, I8042_AUX_IRQ);
	i8042_init(&m->i8042, &m->stop, machine_i8042_irq, m);
	acpi_pm_init(&m->pm, &m->stop);
	debug_port_init(&m->debug, start_ns);
	debug_exit_init(&m->debug_exit, &m->stop);
	if ((r = bus_register(b, BUS_PIO, SERIAL_COM1_BASE, 8, serial_io, &m->uart, "COM1")) < 0 ||
	    (r = bus_register(b, BUS_PIO, RTC_PORT, 2, rtc_io, &m->rtc, "rtc")) < 0 ||
	    (r = bus_register(b, BUS_PIO, I8042_DATA_PORT, 1, i8042_data_io, &m->i8042,
			      "i8042 data")) < 0 ||
	    (r = bus_register(b, BUS_PIO, I8042_COMMAND_PORT, 1, i8042_command_io, &m->i8042,
			      "i8042 command")) < 0 ||
	    (r = bus_register(b, BUS_PIO, ACPI_PM_SLEEP_CONTROL, 2, acpi_pm_io, &m->pm,
			      "acpi sleep")) < 0 ||
	    (r = bus_register(b, BUS_PIO, DEBUG_PORT, 1, debug_port_io, &m->debug,
			      "boot-time marker")) < 0)
		return r;
	if (m->vm.irqchip == VM_IRQCHIP_SPLIT &&
	    (r = bus_register(b, BUS_MMIO, IOAPIC_BASE, IOAPIC_WINDOW, ioapic_mmio, &m->vm.ioapic,
			      "I/O APIC")) < 0)
		return r;
	if (m->cfg->debug_exit &&
	    (r = bus_register(b, BUS_PIO, m->cfg->debug_exit_port, DEBUG_EXIT_PORTS, debug_exit_io,
			      &m->debug_exit, "--debug-exit")) < 0)
		return r;
	if ((r = pci_host_attach(&m->pci)) < 0)
		return r;
	return disks_attach(&m->disks, &m->vm, b);
}

/* vCPU 0: registers for the real-mode, PVH/Multiboot or 64-bit Linux entry. */
static int machine_setup_bsp(struct machine *m, struct vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set(ERR_NOSYS, "KVM_GET_SREGS: %s", strerror(errno));
	if (m->cfg->realmode_path) {
		realmode_cpu_state(&sregs, &regs);
		v->ctx.hlt_ends_guest = true;
	} else if (!m->is_bzimage) {
		kload_cpu_state(&m->kl, &sregs, &regs);
	} else {
		cpu_setup_long_mode_sregs(&sregs);
		memset(&regs, 0, sizeof(regs));
		regs.rip = m->layout.kernel_addr + BZ_64BIT_ENTRY;
		regs.rsi = BOOT_ZERO_PAGE;
		regs.rsp = BOOT_STACK_TOP;
		regs.rflags = 0x2;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set(ERR_NOSYS, "KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return err_set(ERR_NOSYS, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

/* The vCPUs: vCPU 0 at the entry point; for a kernel, every vCPU's CPUID,
 * MSRs, FPU and LAPIC (the APs then wait for the guest's INIT/SIPI). */
static int machine_setup_vcpus(struct machine *m)
{
	bool kernel = m->cfg->kernel_path != NULL;
	int r = vcpus_create(&m->vcpus, &m->vm, m->cfg->cpus, &m->bus, &m->stop, kernel);
	if (r < 0)
		return r;
	for (unsigned i = 0; kernel && i < m->cfg->cpus; i++) {
		if ((r = vcpus_setup_cpu(&m->vcpus, m->vm.kvm_fd, i)) < 0)
			return r;
	}
	return machine_setup_bsp(m, &m->vcpus.v[0]);
}

/* Runs the guest to its end; returns an exit status (stop.h) or a negative error. */
static int machine_run(struct machine *m)
{
	int r;
	if ((r = vcpu_signals_init()) < 0 || (r = event_loop_init(&m->loop)) < 0)
		return r;
	if ((r = terminal_init(&m->term, STDIN_FILENO, STDOUT_FILENO)) < 0)
		return r;
	if ((r = vcpus_start(&m->vcpus, &m->loop, m->cfg->pin)) < 0) {
		terminal_restore();
		return r;
	}
	int sig_status = event_loop_run(&m->loop, &m->term, &m->uart, &m->vcpus, &m->stop,
					m->cfg->kernel_path != NULL);
	r = vcpus_join(&m->vcpus);
	terminal_restore();
	if (r < 0)
		return r;
	return sig_status ? sig_status : r;
}

/* What is left when config_parse() says not to run: the usage error, the
 * usage text or the version. Returns the exit status. */
static int main_no_run(int action)
{
	if (action < 0) {
		fprintf(stderr, "orbvm: %s\n", err_msg());
		return VMM_STATUS_USAGE;
	}
	if (action == CONFIG_HELP)
		fputs(config_usage, stdout);
	else
		printf("orbvm %s\n", ORBVM_VERSION);
	return 0;
}

/* The VM's interrupt controllers: none for --real-mode, else --irqchip's. */
static enum vm_irqchip main_irqchip(const struct config *cfg)
{
	if (!cfg->kernel_path)
		return VM_IRQCHIP_NONE;
	return cfg->irqchip == CONFIG_IRQCHIP_SPLIT ? VM_IRQCHIP_SPLIT : VM_IRQCHIP_KERNEL;
}

/* No descriptor open yet: teardown closes only what was opened. */
static void machine_init(struct machine *m, const struct config *cfg)
{
	m->cfg = cfg;
	m->initrd_fd = -1;
	kload_init(&m->kl);
	m->vm.kvm_fd = m->vm.vm_fd = -1;
	vcpus_init(&m->vcpus);
	pci_host_init(&m->pci, &m->bus, cfg->mem_size, pci_kvm_set_gsi, &m->vm);
	m->loop.signal_fd = m->loop.done_fd = m->loop.room_fd = -1;
}

/* The guest's files checked and placed, its disks opened. */
static int machine_plan(struct machine *m)
{
	int r = m->cfg->kernel_path ? machine_plan_linux(m) : machine_plan_realmode(m);
	if (r >= 0)
		r = disks_open(&m->disks, m->cfg);
	return r;
}

/* Drops the host copies of the guest's files once they are in guest memory
 * (a bzImage is ~14 MiB, most of orbvm's own resident memory otherwise). */
static void machine_drop_inputs(struct machine *m)
{
	free(m->image);
	m->image = NULL;
	m->bz.image = NULL;
	if (m->initrd_fd >= 0) {
		close(m->initrd_fd);
		m->initrd_fd = -1;
	}
	kload_close(&m->kl);
}

/* The guest image in guest memory; the host copies are given back either way. */
static int machine_load(struct machine *m)
{
	int r = m->cfg->kernel_path ? machine_load_linux(m)
				    : realmode_load(&m->vm.mem, m->image, m->image_len);
	machine_drop_inputs(m);
	return r;
}

/* Prints the error (or the boot time asked for) and returns the exit status. */
static int machine_report(struct machine *m, int r)
{
	if (r < 0) {
		fprintf(stderr, "orbvm: %s\n", err_msg());
		return VMM_STATUS_ERROR;
	}
	if (m->cfg->boot_time)
		debug_port_report(&m->debug, stderr);
	return r;
}

static void machine_destroy(struct machine *m)
{
	disks_close(&m->disks); /* joins the I/O threads while guest RAM is mapped */
	vcpus_destroy(&m->vcpus);
	vm_destroy(&m->vm);
	pci_host_destroy(&m->pci);
	event_loop_destroy(&m->loop);
	machine_drop_inputs(m);
}

int main(int argc, char **argv)
{
	uint64_t start_ns = debug_port_now_ns();
	static struct machine m;
	struct config cfg;
	int r, status;

	/* 1. Configuration; --help, --version and usage errors end here. */
	r = config_parse(argc, argv, &cfg);
	if (r != CONFIG_RUN)
		return main_no_run(r);
	machine_init(&m, &cfg);
	/* 2. Inputs: read, validate and place them before touching /dev/kvm. */
	r = machine_plan(&m);
	/* 3. The VM: memory slots, and for kernels the irqchip (--irqchip). */
	if (r >= 0)
		r = vm_create(&m.vm, cfg.mem_size, main_irqchip(&cfg));
	/* 4. The guest image in memory. */
	if (r >= 0)
		r = machine_load(&m);
	/* 5. Devices on the bus. */
	if (r >= 0)
		r = machine_attach_devices(&m, start_ns);
	/* 6. The vCPUs (vCPU 0 at the entry point, the others waiting for INIT/SIPI). */
	if (r >= 0)
		r = machine_setup_vcpus(&m);
	/* 7. Run. */
	if (r >= 0)
		r = machine_run(&m);
	/* 8. Exit status, then tear down. */
	status = machine_report(&m, r);
	machine_destroy(&m);
	return status;
}
