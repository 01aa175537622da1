/*
 * Unit tests for orbvm's level-triggered interrupt lines (vmm/irq_line.c).
 *
 * Without KVM, over two plain eventfds standing in for the irqfd and its
 * resamplefd: a rising level writes the trigger once, a repeated or falling
 * level writes nothing, and a resample (the guest's EOI) re-triggers exactly
 * when the level is still high; then the same driven by a virtio-mmio
 * transport's InterruptStatus (used-buffer and config interrupts, the
 * guest's ACK, a device reset). A line without a VM goes nowhere and cannot
 * attach an irqfd. With /dev/kvm (skipped without it): a VM with the
 * in-kernel irqchip accepts the resampling irqfd, a trigger asserts the GSI
 * in the I/O APIC (KVM_GET_IRQCHIP's irr) and detaching drops it; the
 * KVM_IRQ_LINE path asserts and deasserts it directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <orbital/errors.h>

#include "irq_line.h"
#include "virtio_driver.h"
#include "virtio/mmio.h"

static int trig, resample;
static struct irq_line line;

static int setup(void **state)
{
	(void)state;
	trig = eventfd(0, EFD_NONBLOCK);
	resample = eventfd(0, EFD_NONBLOCK);
	assert_true(trig >= 0 && resample >= 0);
	irq_line_init_fds(&line, trig, resample);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	irq_line_destroy(&line);
	close(trig);
	close(resample);
	return 0;
}

/* How many times the line was triggered since the last call. */
static uint64_t triggers(void)
{
	uint64_t n = 0;
	if (read(trig, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

/* KVM deasserted the GSI at the guest's EOI: signal and handle the resample. */
static void eoi(void)
{
	uint64_t one = 1;
	assert_int_equal(write(resample, &one, sizeof(one)), sizeof(one));
	irq_line_resample(&line);
	uint64_t left;
	assert_int_equal(read(resample, &left, sizeof(left)), -1); /* drained */
}

static void test_resample_logic(void **state)
{
	(void)state;
	assert_true(irq_line_uses_irqfd(&line));
	irq_line_set(&line, true);
	assert_int_equal(triggers(), 1);
	irq_line_set(&line, true); /* still high: nothing new */
	assert_int_equal(triggers(), 0);
	eoi(); /* EOI while the device still wants it: asserted again */
	assert_int_equal(triggers(), 1);
	irq_line_set(&line, false); /* falling: KVM deasserts at EOI, nothing to write */
	assert_int_equal(triggers(), 0);
	eoi();
	assert_int_equal(triggers(), 0);
	/* A resample wakeup with nothing to read changes nothing. */
	irq_line_resample(&line);
	assert_int_equal(triggers(), 0);
	irq_line_set(&line, true);
	assert_int_equal(triggers(), 1);
}

static uint64_t dev_features(void *dev)
{
	(void)dev;
	return 1ull << VIRTIO_F_VERSION_1;
}

static struct virtio_mmio *notified_t;

static void dev_notify(void *dev, struct virtio_mmio *t, unsigned q)
{
	(void)dev;
	notified_t = t;
	virtio_mmio_signal_used(t, q); /* "completes" a request */
}

static const struct virtio_dev_ops dev_ops = {
    .name = "test",
    .device_id = 2,
    .num_queues = 1,
    .queue_max = 8,
    .features = dev_features,
    .queue_notify = dev_notify,
};

static void irq_cb(void *ctx, bool level)
{
	irq_line_set(ctx, level);
}

static void test_driven_by_virtio_mmio(void **state)
{
	(void)state;
	static struct drv d;
	struct virtio_mmio t;
	drv_init(&d, 8);
	virtio_mmio_init(&t, &dev_ops, NULL, &d.mem, irq_cb, &line);
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS, 3);
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_mmio_write(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_NUM, 8);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DRV_DESC);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)DRV_AVAIL);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)DRV_USED);
	drv_mmio_write(&t, VIRTIO_MMIO_QUEUE_READY, 1);
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS,
		       3 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(triggers(), 0);

	/* A used buffer (through the ioeventfd's kick): one trigger. */
	virtio_mmio_kick_all(&t);
	assert_ptr_equal(notified_t, &t);
	assert_int_equal(triggers(), 1);
	/* A config change on top: InterruptStatus stays non-zero, no new trigger. */
	virtio_mmio_config_changed(&t);
	assert_int_equal(drv_mmio_read(&t, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	assert_int_equal(triggers(), 0);
	/* The guest ACKs only the used-buffer bit, then EOIs: re-asserted. */
	drv_mmio_write(&t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	eoi();
	assert_int_equal(triggers(), 1);
	/* ACK the rest, EOI: the line stays low. */
	drv_mmio_write(&t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	eoi();
	assert_int_equal(triggers(), 0);
	/* A used buffer arriving before the EOI of the previous interrupt: the
	 * rising level triggers (a no-op in KVM while asserted), and the EOI
	 * re-asserts since it is still pending: it is not lost. */
	virtio_mmio_kick_all(&t);
	assert_int_equal(triggers(), 1);
	eoi();
	assert_int_equal(triggers(), 1);
	/* Device reset clears InterruptStatus: the next EOI leaves it low. */
	drv_mmio_write(&t, VIRTIO_MMIO_STATUS, 0);
	eoi();
	assert_int_equal(triggers(), 0);
	virtio_mmio_destroy(&t);
	drv_free(&d);
}

static void test_no_vm(void **state)
{
	(void)state;
	struct irq_line l;
	irq_line_init(&l, NULL, 16);
	assert_false(irq_line_uses_irqfd(&l));
	assert_int_equal(irq_line_attach(&l), -ERR_NOSYS);
	assert_false(irq_line_uses_irqfd(&l));
	irq_line_set(&l, true); /* goes nowhere, must not crash */
	irq_line_resample(&l);
	irq_line_set(&l, false);
	irq_line_destroy(&l);
}

static uint32_t ioapic_irr(struct vm *vm)
{
	struct kvm_irqchip chip = {.chip_id = KVM_IRQCHIP_IOAPIC};
	assert_int_equal(ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &chip), 0);
	return chip.chip.ioapic.irr;
}

/* Waits up to 2 s for irr's bit gsi to become `want` (irqfd injection is asynchronous). */
static bool irr_becomes(struct vm *vm, unsigned gsi, bool want)
{
	for (int i = 0; i < 200; i++) {
		if (!!(ioapic_irr(vm) & (1u << gsi)) == want)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	return false;
}

static void test_kvm(void **state)
{
	(void)state;
	int fd = open("/dev/kvm", O_RDWR);
	if (fd < 0) {
		print_message("no usable /dev/kvm: %s\n", "skipped");
		skip();
	}
	close(fd);
	static struct vm vm;
	assert_int_equal(vm_create(&vm, 16 << 20, VM_IRQCHIP_KERNEL), 0);
	struct irq_line l;
	irq_line_init(&l, &vm, 16);
	assert_int_equal(irq_line_attach(&l), 0);
	assert_true(irq_line_uses_irqfd(&l));
	assert_false(ioapic_irr(&vm) & (1u << 16));
	irq_line_set(&l, true);
	assert_true(irr_becomes(&vm, 16, true));
	irq_line_set(&l, false); /* only the guest's EOI deasserts an irqfd line */
	assert_true(ioapic_irr(&vm) & (1u << 16));
	irq_line_destroy(&l); /* detaching drops the resampler's assertion */
	assert_true(irr_becomes(&vm, 16, false));
	assert_false(irq_line_uses_irqfd(&l));

	/* The KVM_IRQ_LINE path, synchronous both ways. */
	irq_line_init(&l, &vm, 17);
	irq_line_set(&l, true);
	assert_true(ioapic_irr(&vm) & (1u << 17));
	irq_line_set(&l, false);
	assert_false(ioapic_irr(&vm) & (1u << 17));
	irq_line_destroy(&l);
	vm_destroy(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_resample_logic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_driven_by_virtio_mmio, setup, teardown),
	    cmocka_unit_test(test_no_vm),
	    cmocka_unit_test(test_kvm),
	};
	return cmocka_run_group_tests_name("vmm_irq_line", tests, NULL, NULL);
}
