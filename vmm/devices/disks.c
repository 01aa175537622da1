/*
 * The --disk devices; see disks.h.
 *
 * Trust boundary: the disk files are untrusted data for the guest to read;
 * orbvm itself never interprets their contents. Everything the guest sends
 * (registers, rings, requests) is checked in virtio/.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "devices/disks.h"
#include "err.h"

int disks_open(struct disks *ds, const struct config *cfg)
{
	memset(ds, 0, sizeof(*ds));
	for (unsigned i = 0; i < cfg->num_disks; i++) {
		const struct config_disk *c = &cfg->disks[i];
		struct disk *d = &ds->d[i];
		int r = blk_file_open(&d->file, &d->be, c->path, c->read_only, c->unsafe);
		if (r < 0)
			return r;
		ds->n = i + 1;
		d->gsi = DISKS_GSI_BASE + i;
		d->notify_exit = c->notify_exit;
		d->io_sync = c->io_sync;
		d->notify_fd = -1;
		snprintf(d->name, sizeof(d->name), "vd%c", 'a' + i);
	}
	return 0;
}

unsigned disks_acpi(const struct disks *ds, struct acpi_mmio_dev *out)
{
	for (unsigned i = 0; i < ds->n; i++)
		out[i] = (struct acpi_mmio_dev){.base = DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE,
						.size = VIRTIO_MMIO_SIZE,
						.gsi = ds->d[i].gsi};
	return ds->n;
}

/* The transport's level callback: InterruptStatus != 0 drives the GSI high. */
static void disks_irq(void *ctx, bool level)
{
	struct disk *d = ctx;
	irq_line_set(&d->irq, level);
}

/*
 * A disk's I/O thread: one batch per wakeup of its ioeventfd; the guest's
 * EOIs of its interrupt (the resamplefd, when it has an irqfd).
 */
static void *disks_io_thread(void *arg)
{
	struct disk *d = arg;
	struct pollfd p[2] = {{.fd = d->notify_fd, .events = POLLIN},
			      {.fd = d->irq.resample_fd, .events = POLLIN}};
	nfds_t np = irq_line_uses_irqfd(&d->irq) ? 2 : 1;
	for (;;) {
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL; /* cannot happen with valid descriptors */
		}
		if (atomic_load(&d->stop))
			return NULL;
		if (np == 2 && (p[1].revents & POLLIN))
			irq_line_resample(&d->irq);
		if (p[0].revents & POLLIN) {
			uint64_t n;
			if (read(d->notify_fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
				virtio_mmio_kick_all(&d->transport);
		}
	}
}

/*
 * Switches disk d (window at base) to an ioeventfd and an I/O thread; on any
 * failure leaves it on the MMIO-exit path (notify_fd -1, no registration).
 */
static void disks_setup_ioeventfd(struct disk *d, uint64_t base)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	if (fd < 0)
		return;
	struct kvm_ioeventfd io = {
	    .addr = base + VIRTIO_MMIO_QUEUE_NOTIFY, .len = 4, .fd = fd, .flags = 0};
	if (d->vm->vm_fd < 0 || ioctl(d->vm->vm_fd, KVM_IOEVENTFD, &io) < 0) {
		close(fd);
		return;
	}
	d->notify_fd = fd;
	/* Its interrupt through an irqfd, whose resamplefd this thread polls;
	 * if KVM refuses, the line stays on KVM_IRQ_LINE. */
	(void)irq_line_attach(&d->irq);
	/* The thread takes no signals: the main thread's signalfd gets them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&d->thread, NULL, disks_io_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == 0) {
		char tname[16];
		snprintf(tname, sizeof(tname), "orbvm-io-%.4s", d->name);
		(void)pthread_setname_np(d->thread, tname);
		d->thread_started = true;
		return;
	}
	irq_line_destroy(&d->irq); /* back to KVM_IRQ_LINE */
	io.flags = KVM_IOEVENTFD_FLAG_DEASSIGN;
	(void)ioctl(d->vm->vm_fd, KVM_IOEVENTFD, &io);
	close(fd);
	d->notify_fd = -1;
}

bool disks_uses_ioeventfd(const struct disks *ds, unsigned i)
{
	return i < ds->n && ds->d[i].thread_started;
}

bool disks_uses_irqfd(const struct disks *ds, unsigned i)
{
	return i < ds->n_attached && irq_line_uses_irqfd(&ds->d[i].irq);
}

bool disks_uses_uring(const struct disks *ds, unsigned i)
{
	return i < ds->n_attached && ds->d[i].be.batch != NULL;
}

/* Gives disk d an io_uring for its requests, or says why it has none. */
static void disks_setup_uring(struct disk *d)
{
	if (d->io_sync)
		return;
	if (blk_uring_init(&d->uring, d->file.fd) < 0) {
		/* The one message orbvm prints while it runs normally: the disk
		 * works, only slower. */
		fprintf(stderr, "orbvm: %s: %s; using preadv/pwritev\n", d->name, err_msg());
		err_clear();
		return;
	}
	d->be.batch = &blk_uring_ops;
	d->be.batch_ctx = &d->uring;
}

int disks_attach(struct disks *ds, struct vm *vm, struct bus *b)
{
	for (unsigned i = 0; i < ds->n; i++) {
		struct disk *d = &ds->d[i];
		char id[BLK_ID_BYTES + 1];
		snprintf(id, sizeof(id), "orbvm-%s", d->name);
		d->vm = vm;
		irq_line_init(&d->irq, vm, d->gsi);
		disks_setup_uring(d);
		blk_init(&d->dev, &d->be, id);
		virtio_mmio_init(&d->transport, &blk_dev_ops, &d->dev, &vm->mem, disks_irq, d);
		ds->n_attached = i + 1;
		int r = bus_register(b, BUS_MMIO, DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE,
				     VIRTIO_MMIO_SIZE, virtio_mmio_access, &d->transport, d->name);
		if (r < 0)
			return err_set(-r, "cannot register disk %s on the bus", d->name);
		if (!d->notify_exit)
			disks_setup_ioeventfd(d, DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE);
	}
	return 0;
}

void disks_close(struct disks *ds)
{
	for (unsigned i = 0; i < ds->n; i++) {
		struct disk *d = &ds->d[i];
		if (d->thread_started) {
			uint64_t one = 1;
			atomic_store(&d->stop, true);
			/* An eventfd write of 1 cannot fail short of overflow. */
			(void)!write(d->notify_fd, &one, sizeof(one));
			pthread_join(d->thread, NULL);
			d->thread_started = false;
		}
		if (d->notify_fd >= 0) {
			close(d->notify_fd); /* KVM drops its registration with the VM */
			d->notify_fd = -1;
		}
		if (i < ds->n_attached) {
			irq_line_destroy(&d->irq);
			blk_uring_destroy(&d->uring);
			virtio_mmio_destroy(&d->transport);
		}
		blk_file_close(&ds->d[i].file);
	}
	ds->n = ds->n_attached = 0;
}
