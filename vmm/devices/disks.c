/*
 * The --disk devices; see disks.h.
 *
 * Trust boundary: the disk files are untrusted data for the guest to read;
 * orbvm itself never interprets their contents. Everything the guest sends
 * (registers, rings, requests) is checked in virtio/.
 */
#include <stdio.h>
#include <string.h>

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
	/* KVM_IRQ_LINE on a VM with an irqchip fails only if KVM is broken; the
	 * guest then times out its request, which is all that can happen. */
	(void)vm_irq_line(d->vm, d->gsi, level);
}

int disks_attach(struct disks *ds, struct vm *vm, struct bus *b)
{
	for (unsigned i = 0; i < ds->n; i++) {
		struct disk *d = &ds->d[i];
		char id[BLK_ID_BYTES + 1];
		snprintf(id, sizeof(id), "orbvm-%s", d->name);
		d->vm = vm;
		blk_init(&d->dev, &d->be, id);
		virtio_mmio_init(&d->transport, &blk_dev_ops, &d->dev, &vm->mem, disks_irq, d);
		ds->n_attached = i + 1;
		int r = bus_register(b, BUS_MMIO, DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE,
				     VIRTIO_MMIO_SIZE, virtio_mmio_access, &d->transport, d->name);
		if (r < 0)
			return err_set(-r, "cannot register disk %s on the bus", d->name);
	}
	return 0;
}

void disks_close(struct disks *ds)
{
	for (unsigned i = 0; i < ds->n; i++) {
		if (i < ds->n_attached)
			virtio_mmio_destroy(&ds->d[i].transport);
		blk_file_close(&ds->d[i].file);
	}
	ds->n = ds->n_attached = 0;
}
