/*
 * Unit tests for orbvm's --disk wiring (vmm/devices/disks.c), without KVM:
 * disk files opened as configured (read-only ones O_RDONLY), a missing file
 * refused with one line, the DSDT entries (window, size, GSI per disk), the
 * devices answering on their virtio-mmio windows on the bus (magic, device
 * id, RO feature, capacity) and nowhere else, and the paths chosen without
 * KVM (no ioeventfd or irqfd; io_uring unless io=sync).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/disks.h"
#include "err.h"
#include "virtio_driver.h"

static char paths[2][64];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/tmp/orbvm-disks-XXXXXX");
		int fd = mkstemp(paths[i]);
		if (fd < 0 || ftruncate(fd, (i ? 32 : 64) << 10) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		unlink(paths[i]);
	return 0;
}

static void config_two(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->num_disks = 2;
	snprintf(c->disks[0].path, sizeof(c->disks[0].path), "%s", paths[0]);
	snprintf(c->disks[1].path, sizeof(c->disks[1].path), "%s", paths[1]);
	c->disks[1].read_only = true;
	c->disks[1].io_sync = true;
}

static uint32_t rd32(struct bus *b, uint64_t addr)
{
	uint8_t d[4] = {0};
	assert_true(bus_mmio(b, addr, d, 4, false));
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static void wr32(struct bus *b, uint64_t addr, uint32_t v)
{
	uint8_t d[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	assert_true(bus_mmio(b, addr, d, 4, true));
}

static void test_missing_file(void **state)
{
	(void)state;
	static struct config c;
	static struct disks ds;
	config_two(&c);
	snprintf(c.disks[1].path, sizeof(c.disks[1].path), "/nonexistent/orbvm-disk");
	err_clear();
	assert_true(disks_open(&ds, &c) < 0);
	assert_non_null(strstr(err_msg(), "/nonexistent/orbvm-disk"));
	assert_null(strchr(err_msg(), '\n'));
	assert_int_equal(ds.n, 1); /* the first one is open, and closed here */
	disks_close(&ds);
	assert_int_equal(ds.n, 0);
}

static void test_acpi_entries(void **state)
{
	(void)state;
	static struct config c;
	static struct disks ds;
	config_two(&c);
	assert_int_equal(disks_open(&ds, &c), 0);
	struct acpi_mmio_dev devs[CONFIG_MAX_DISKS];
	assert_int_equal(disks_acpi(&ds, devs), 2);
	assert_int_equal(devs[0].base, 0xd0000000u);
	assert_int_equal(devs[1].base, 0xd0001000u);
	assert_int_equal(devs[0].size, 0x200);
	assert_int_equal(devs[0].gsi, 16);
	assert_int_equal(devs[1].gsi, 17);
	/* Inside the 32-bit hole, below the I/O APIC. */
	assert_true(devs[0].base >= MEM_HOLE_START && devs[1].base + 0x200 <= ACPI_IOAPIC_ADDR);
	/* The read-only disk is open read-only on the host, the other read-write. */
	assert_int_equal(fcntl(ds.d[0].file.fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(fcntl(ds.d[1].file.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	disks_close(&ds);
}

static void test_bus_windows(void **state)
{
	(void)state;
	static struct config c;
	static struct disks ds;
	static struct drv drv;
	static struct vm vm;
	static struct bus b;
	config_two(&c);
	drv_init(&drv, 8);
	memset(&vm, 0, sizeof(vm));
	vm.kvm_fd = vm.vm_fd = -1;
	vm.mem = drv.mem; /* no irqchip: vm_irq_line does nothing */
	bus_init(&b);
	assert_int_equal(disks_open(&ds, &c), 0);
	assert_int_equal(disks_attach(&ds, &vm, &b), 0);

	for (unsigned i = 0; i < 2; i++) {
		uint64_t base = DISKS_MMIO_BASE + i * DISKS_MMIO_STRIDE;
		assert_int_equal(rd32(&b, base + VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
		assert_int_equal(rd32(&b, base + VIRTIO_MMIO_VERSION_REG), 2);
		assert_int_equal(rd32(&b, base + VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
		wr32(&b, base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
		uint32_t f = rd32(&b, base + VIRTIO_MMIO_DEVICE_FEATURES);
		assert_int_equal(!!(f & (1u << VIRTIO_BLK_F_RO)), i == 1);
		/* Capacity in 512-byte sectors: 64 KiB and 32 KiB. */
		assert_int_equal(rd32(&b, base + VIRTIO_MMIO_CONFIG + BLK_CFG_CAPACITY),
				 i ? 64 : 128);
	}
	/* No KVM here: MMIO exits and KVM_IRQ_LINE; io_uring unless io=sync. */
	for (unsigned i = 0; i < 2; i++) {
		assert_false(disks_uses_ioeventfd(&ds, i));
		assert_false(disks_uses_irqfd(&ds, i));
	}
	struct io_uring probe; /* where the host refuses io_uring, disks fall back */
	bool have_uring = io_uring_queue_init(2, &probe, 0) == 0;
	if (have_uring)
		io_uring_queue_exit(&probe);
	assert_int_equal(disks_uses_uring(&ds, 0), have_uring);
	assert_false(disks_uses_uring(&ds, 1)); /* io=sync */
	assert_false(disks_uses_uring(&ds, 2)); /* no such disk */
	/* Past each window and where no third disk is, nothing answers. */
	uint8_t d[4];
	assert_false(bus_mmio(&b, DISKS_MMIO_BASE + VIRTIO_MMIO_SIZE, d, 4, false));
	assert_false(bus_mmio(&b, DISKS_MMIO_BASE + 2 * DISKS_MMIO_STRIDE, d, 4, false));
	disks_close(&ds);
	drv_free(&drv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_acpi_entries),
	    cmocka_unit_test(test_bus_windows),
	};
	return cmocka_run_group_tests_name("vmm_disks", tests, setup, teardown);
}
