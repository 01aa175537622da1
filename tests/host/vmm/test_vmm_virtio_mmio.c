/*
 * Unit tests for orbvm's virtio-mmio transport (vmm/virtio/mmio.c) with a
 * fake device: identity registers, feature negotiation and the FEATURES_OK
 * refusal, the status state machine and reset, queue setup rules, queue
 * notify, interrupt status/ack and the IRQ line, config space and config
 * generation, DEVICE_NEEDS_RESET, access widths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "virtio_driver.h"
#include "virtio/mmio.h"

#define F_V1 (1ull << VIRTIO_F_VERSION_1)
#define F_A  (1ull << 3)
#define F_B  (1ull << 40)

#define ST_ACK VIRTIO_STATUS_ACKNOWLEDGE
#define ST_DRV VIRTIO_STATUS_DRIVER
#define ST_FOK VIRTIO_STATUS_FEATURES_OK
#define ST_DOK VIRTIO_STATUS_DRIVER_OK

static struct drv d;
static struct virtio_mmio t;
static int resets, irq_level, irq_calls;
static unsigned notified[4];
static uint8_t cfg[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static uint8_t last_cfg_write[8];
static uint32_t last_cfg_write_off, last_cfg_write_len;

static uint64_t fake_features(void *dev)
{
	(void)dev;
	return F_V1 | F_A | F_B;
}

static void fake_config_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	(void)dev;
	for (uint32_t i = 0; i < len; i++)
		data[i] = off + i < sizeof(cfg) ? cfg[off + i] : 0;
}

static void fake_config_write(void *dev, uint32_t off, const uint8_t *data, uint32_t len)
{
	(void)dev;
	last_cfg_write_off = off;
	last_cfg_write_len = len;
	memcpy(last_cfg_write, data, len);
}

static void fake_notify(void *dev, struct virtio_mmio *tr, unsigned q)
{
	(void)dev;
	assert_ptr_equal(tr, &t);
	notified[q]++;
}

static void fake_reset(void *dev)
{
	(void)dev;
	resets++;
}

static const struct virtio_dev_ops fake_ops = {
    .name = "fake",
    .device_id = 42,
    .num_queues = 2,
    .queue_max = 16,
    .features = fake_features,
    .config_read = fake_config_read,
    .config_write = fake_config_write,
    .queue_notify = fake_notify,
    .reset = fake_reset,
};

static void irq(void *ctx, bool level)
{
	assert_ptr_equal(ctx, &d);
	irq_level = level;
	irq_calls++;
}

static int setup(void **state)
{
	(void)state;
	drv_init(&d, 8);
	virtio_mmio_init(&t, &fake_ops, NULL, &d.mem, irq, &d);
	resets = irq_level = irq_calls = 0;
	memset(notified, 0, sizeof(notified));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	drv_free(&d);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	uint8_t b[4] = {0xaa, 0xaa, 0xaa, 0xaa};
	uint32_t v;
	virtio_mmio_access(&t, off, b, 4, false);
	memcpy(&v, b, 4);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	uint8_t b[4];
	memcpy(b, &v, 4);
	virtio_mmio_access(&t, off, b, 4, true);
}

static void write_features(uint64_t f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* The driver's start-up up to FEATURES_OK with features f; returns Status. */
static uint32_t negotiate(uint64_t f)
{
	wr(VIRTIO_MMIO_STATUS, ST_ACK);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV);
	write_features(f);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK);
	return rd(VIRTIO_MMIO_STATUS);
}

/* Programs queue q with the driver's ring addresses and enables it. */
static void setup_queue(unsigned q, uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DRV_DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)DRV_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)DRV_USED);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void bring_up(void)
{
	assert_int_equal(negotiate(F_V1 | F_A), ST_ACK | ST_DRV | ST_FOK);
	setup_queue(0, 8);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK | ST_DOK);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION_REG), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 42);
	assert_int_equal(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Read-only registers ignore writes. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_DEVICE_ID, 7);
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 42);
}

static void test_device_features(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)F_A);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)((F_V1 | F_B) >> 32));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_negotiation_ok(void **state)
{
	(void)state;
	assert_int_equal(negotiate(F_V1 | F_B), ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(virtio_mmio_features(&t), F_V1 | F_B);
	/* After FEATURES_OK the driver's features are frozen. */
	write_features(F_V1 | F_A);
	assert_int_equal(virtio_mmio_features(&t), F_V1 | F_B);
}

static void test_features_ok_refused_without_version_1(void **state)
{
	(void)state;
	assert_int_equal(negotiate(F_A), ST_ACK | ST_DRV);
	/* DRIVER_OK cannot follow either. */
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_DOK);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV);
	/* The driver may fix its features and try again. */
	write_features(F_V1 | F_A);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK);
}

static void test_features_ok_refused_for_unoffered_feature(void **state)
{
	(void)state;
	assert_int_equal(negotiate(F_V1 | (1ull << 5)), ST_ACK | ST_DRV);
	assert_int_equal(negotiate(F_V1 | (1ull << 63)), ST_ACK | ST_DRV);
}

static void test_status_bits_cannot_be_cleared(void **state)
{
	(void)state;
	negotiate(F_V1);
	wr(VIRTIO_MMIO_STATUS, ST_ACK);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | VIRTIO_STATUS_FAILED);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK | VIRTIO_STATUS_FAILED);
}

static void test_reset_clears_everything(void **state)
{
	(void)state;
	bring_up();
	virtio_mmio_signal_used(&t, 0);
	assert_int_equal(irq_level, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(resets, 1);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(virtio_mmio_features(&t), 0);
	/* QueueSel back to 0, and queue 0 is no longer ready or configured. */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(t.queues[0].size, 0);
	assert_int_equal(t.queues[0].desc_gpa, 0);
	/* Notifications are dead until the driver starts over. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(notified[0], 0);
	bring_up();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(notified[0], 1);
}

static void test_queue_setup_rules(void **state)
{
	(void)state;
	/* Before FEATURES_OK: queue registers are ignored. */
	setup_queue(0, 8);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(t.queues[0].size, 0);

	negotiate(F_V1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2); /* beyond num_queues */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	setup_queue(2, 8);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);

	setup_queue(1, 8);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_true(t.queues[1].ready);
	assert_int_equal(t.queues[1].used_gpa, DRV_USED);
	/* A ready queue's configuration cannot change. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
	assert_int_equal(t.queues[1].size, 8);
	assert_int_equal(t.queues[1].desc_gpa, DRV_DESC);
	/* QueueReady=0 disables it; then it can be changed. */
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	assert_int_equal(t.queues[1].desc_gpa, MEM_HIGH_START | DRV_DESC);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);

	/* After DRIVER_OK nothing changes. */
	setup_queue(0, 8);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
}

static void test_bad_queue_needs_reset(void **state)
{
	(void)state;
	negotiate(F_V1);
	setup_queue(0, 32); /* > QueueNumMax */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET,
			 VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(F_V1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0xfff00000); /* in the MMIO hole */
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)DRV_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)DRV_USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void test_notify(void **state)
{
	(void)state;
	negotiate(F_V1);
	setup_queue(0, 8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* before DRIVER_OK */
	assert_int_equal(notified[0], 0);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* not ready */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 3); /* beyond num_queues */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	assert_int_equal(notified[0], 1);
	assert_int_equal(notified[1], 0);
	assert_int_equal(notified[3], 0);
}

/* The ioeventfd path: virtio_mmio_kick obeys the same rules as QueueNotify. */
static void test_kick(void **state)
{
	(void)state;
	negotiate(F_V1);
	setup_queue(0, 8);
	virtio_mmio_kick_all(&t); /* before DRIVER_OK */
	assert_int_equal(notified[0], 0);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	virtio_mmio_kick(&t, 0);
	virtio_mmio_kick(&t, 1); /* not ready */
	virtio_mmio_kick(&t, 3); /* beyond num_queues */
	virtio_mmio_kick(&t, 0xffffffff);
	assert_int_equal(notified[0], 1);
	assert_int_equal(notified[1], 0);
	virtio_mmio_kick_all(&t);
	assert_int_equal(notified[0], 2);
	assert_int_equal(notified[1], 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	virtio_mmio_kick_all(&t); /* after reset */
	assert_int_equal(notified[0], 2);
}

/* A notify op that blocks until released, to hold the gate from a thread. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cond = PTHREAD_COND_INITIALIZER;
static int slow_state; /* 0 idle, 1 inside the op, 2 released */
static int slow_resets_seen;

static void slow_notify(void *dev, struct virtio_mmio *tr, unsigned q)
{
	(void)dev, (void)tr, (void)q;
	pthread_mutex_lock(&slow_lock);
	slow_state = 1;
	pthread_cond_broadcast(&slow_cond);
	while (slow_state != 2)
		pthread_cond_wait(&slow_cond, &slow_lock);
	slow_resets_seen = resets; /* must still be the count before the reset */
	pthread_mutex_unlock(&slow_lock);
}

static void *kick_thread(void *arg)
{
	(void)arg;
	virtio_mmio_kick(&t, 0);
	return NULL;
}

static void *reset_thread(void *arg)
{
	(void)arg;
	wr(VIRTIO_MMIO_STATUS, 0);
	return NULL;
}

/* A reset waits for the batch an I/O thread is running. */
static void test_reset_waits_for_batch(void **state)
{
	(void)state;
	static struct virtio_dev_ops slow_ops;
	slow_ops = fake_ops;
	slow_ops.queue_notify = slow_notify;
	t.ops = &slow_ops;
	bring_up();
	slow_state = 0;
	int before = resets;
	pthread_t k, r;
	assert_int_equal(pthread_create(&k, NULL, kick_thread, NULL), 0);
	pthread_mutex_lock(&slow_lock);
	while (slow_state != 1)
		pthread_cond_wait(&slow_cond, &slow_lock);
	pthread_mutex_unlock(&slow_lock);
	assert_int_equal(pthread_create(&r, NULL, reset_thread, NULL), 0);
	usleep(50 * 1000); /* the reset gets to wait on the gate */
	assert_int_equal(resets, before);
	pthread_mutex_lock(&slow_lock);
	slow_state = 2;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	pthread_join(k, NULL);
	pthread_join(r, NULL);
	assert_int_equal(slow_resets_seen, before);
	assert_int_equal(resets, before + 1);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	t.ops = &fake_ops;
}

static void test_interrupt_status_and_ack(void **state)
{
	(void)state;
	bring_up();
	virtio_mmio_signal_used(&t, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 1);
	assert_int_equal(irq_calls, 1);
	virtio_mmio_signal_used(&t, 0); /* already raised: no new edge */
	assert_int_equal(irq_calls, 1);
	virtio_mmio_config_changed(&t);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(irq_level, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(irq_level, 0);
	assert_int_equal(irq_calls, 2);
	/* InterruptStatus is read-only. */
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_no_interrupt_suppresses(void **state)
{
	(void)state;
	bring_up();
	drv_set_avail_flags(&d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtio_mmio_signal_used(&t, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(irq_calls, 0);
	drv_set_avail_flags(&d, 0);
	virtio_mmio_signal_used(&t, 0);
	assert_int_equal(irq_level, 1);
	virtio_mmio_signal_used(&t, 5); /* no such queue */
}

static void test_config_space_and_generation(void **state)
{
	(void)state;
	uint8_t b[8];
	memset(b, 0xee, sizeof(b));
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG + 2, b, 2, false);
	assert_int_equal(b[0], 3);
	assert_int_equal(b[1], 4);
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG + 8, b, 8, false);
	assert_memory_equal(b, ((uint8_t[]){9, 10, 11, 12, 0, 0, 0, 0}), 8);
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG + 4, b, 4, true);
	assert_int_equal(last_cfg_write_off, 4);
	assert_int_equal(last_cfg_write_len, 4);
	/* Odd widths in config space: ignored, reads zero. */
	memset(b, 0xee, sizeof(b));
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG, b, 3, false);
	assert_memory_equal(b, ((uint8_t[]){0, 0, 0, 0xee}), 4);

	uint32_t gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio_config_changed(&t); /* before DRIVER_OK: no interrupt */
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	/* Reset does not take the generation back. */
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	bring_up();
	virtio_mmio_config_changed(&t);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 2);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
}

static void test_needs_reset(void **state)
{
	(void)state;
	bring_up();
	virtio_mmio_needs_reset(&t);
	uint32_t st = ST_ACK | ST_DRV | ST_FOK | ST_DOK | VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), st);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	/* The guest cannot clear it by writing Status back without the bit... */
	wr(VIRTIO_MMIO_STATUS, st & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), st);
	/* ...nor set it itself after a reset; only a reset clears it. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, ST_ACK | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), ST_ACK);
}

static void test_register_access_widths(void **state)
{
	(void)state;
	uint8_t b[8];
	memset(b, 0xee, sizeof(b));
	virtio_mmio_access(&t, VIRTIO_MMIO_MAGIC_VALUE, b, 2, false);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0);
	assert_int_equal(b[2], 0xee);
	virtio_mmio_access(&t, VIRTIO_MMIO_MAGIC_VALUE, b, 8, false);
	assert_memory_equal(b, ((uint8_t[8]){0}), 8);
	/* A 1-byte Status write is ignored. */
	b[0] = ST_ACK;
	virtio_mmio_access(&t, VIRTIO_MMIO_STATUS, b, 1, true);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	/* Misaligned 32-bit access too. */
	virtio_mmio_access(&t, VIRTIO_MMIO_STATUS + 1, b, 4, true);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	/* Reserved registers read 0. */
	assert_int_equal(rd(0x0f0), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_features, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_negotiation_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_features_ok_refused_without_version_1, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_features_ok_refused_for_unoffered_feature, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_status_bits_cannot_be_cleared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_clears_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_setup_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_queue_needs_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kick, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_waits_for_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interrupt_status_and_ack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_interrupt_suppresses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_space_and_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_needs_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_register_access_widths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
