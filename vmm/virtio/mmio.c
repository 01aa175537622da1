/*
 * virtio-mmio register handling and the device status state machine; the
 * rules are in mmio.h.
 *
 * Trust boundary: every register value comes from the guest. Selectors are
 * range-checked before they index anything (queue_sel < num_queues, feature
 * selectors 0 or 1), and queue addresses are only used after virtq_enable()
 * has bounds-checked them against guest RAM.
 */
#include <string.h>

#include <orbital/errors.h>

#include "virtio/mmio.h"

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, void *dev,
		      const struct guest_mem *mem, void (*irq)(void *ctx, bool level),
		      void *irq_ctx)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->idle, NULL);
	t->ops = ops;
	t->dev = dev;
	t->mem = mem;
	t->irq = irq;
	t->irq_ctx = irq_ctx;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&t->queues[i]);
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_cond_destroy(&t->idle);
	pthread_mutex_destroy(&t->lock);
}

/* Caller holds t->lock. Drives the line from InterruptStatus when it changes. */
static void irq_update(struct virtio_mmio *t, uint32_t old_int)
{
	bool was = old_int != 0, now = t->int_status != 0;
	if (was != now && t->irq)
		t->irq(t->irq_ctx, now);
}

/* Caller holds t->lock. */
static void set_interrupt(struct virtio_mmio *t, uint32_t bits)
{
	uint32_t old = t->int_status;
	t->int_status |= bits;
	irq_update(t, old);
}

/* Caller holds t->lock. Writing 0 to Status. */
static void device_reset(struct virtio_mmio *t)
{
	/* An I/O thread may be in the middle of a batch: let it finish. */
	while (t->busy)
		pthread_cond_wait(&t->idle, &t->lock);
	uint32_t old = t->int_status;
	if (t->ops->reset)
		t->ops->reset(t->dev);
	t->status = 0;
	t->dev_features_sel = 0;
	t->drv_features_sel = 0;
	t->drv_features = 0;
	t->queue_sel = 0;
	t->int_status = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&t->queues[i]);
	irq_update(t, old);
}

/* Caller holds t->lock. A guest write to Status. */
static void status_write(struct virtio_mmio *t, uint32_t v)
{
	if (v == 0) {
		device_reset(t);
		return;
	}
	/* NEEDS_RESET is the device's; the guest only adds bits. */
	v = (v & 0xff & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) |
	    (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	if ((t->status & ~v) != 0)
		return;
	uint32_t added = v & ~t->status;
	if (added & VIRTIO_STATUS_FEATURES_OK) {
		uint64_t offered = t->ops->features(t->dev);
		bool ok = (t->drv_features & (1ull << VIRTIO_F_VERSION_1)) &&
			  (t->drv_features & ~offered) == 0;
		if (!ok)
			v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK))
		v &= ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
	t->status = v;
}

/* Caller holds t->lock. Whether queue registers may be written now. */
static struct virtq *queue_for_config(struct virtio_mmio *t)
{
	if (!(t->status & VIRTIO_STATUS_FEATURES_OK) || (t->status & VIRTIO_STATUS_DRIVER_OK))
		return NULL;
	if (t->queue_sel >= t->ops->num_queues)
		return NULL;
	return &t->queues[t->queue_sel];
}

static void set_low(uint64_t *r, uint32_t v)
{
	*r = (*r & 0xffffffff00000000ull) | v;
}

static void set_high(uint64_t *r, uint32_t v)
{
	*r = (*r & 0xffffffffull) | ((uint64_t)v << 32);
}

/* Caller holds t->lock. */
static void queue_reg_write(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct virtq *q = queue_for_config(t);
	if (!q)
		return;
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (v == 0) {
			q->ready = false;
		} else if (!q->ready) {
			/* Features are frozen (FEATURES_OK): tables iff negotiated. */
			q->indirect = t->drv_features & (1ull << VIRTIO_F_INDIRECT_DESC);
			if (virtq_enable(q, t->mem) < 0)
				t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
		}
		return;
	}
	if (q->ready)
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		/* Checked against QueueNumMax here, against the rest in virtq_enable. */
		q->size = v <= t->ops->queue_max ? (uint16_t)v : 0;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		set_low(&q->desc_gpa, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_high(&q->desc_gpa, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		set_low(&q->avail_gpa, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_high(&q->avail_gpa, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		set_low(&q->used_gpa, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		set_high(&q->used_gpa, v);
		break;
	}
}

/* Caller holds t->lock. A 32-bit register read below 0x100. */
static uint32_t reg_read(struct virtio_mmio *t, uint64_t off)
{
	const struct virtio_dev_ops *ops = t->ops;
	bool q_ok = t->queue_sel < ops->num_queues;
	struct virtq *q = q_ok ? &t->queues[t->queue_sel] : NULL;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(ops->features(t->dev) >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q_ok ? ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q && q->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->int_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_gen;
	default:
		return 0; /* write-only or reserved */
	}
}

/*
 * Caller holds t->lock. A 32-bit register write below 0x100. Returns the
 * queue to notify, or -1.
 */
static int reg_write(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (t->drv_features_sel == 0)
			set_low(&t->drv_features, v);
		else if (t->drv_features_sel == 1)
			set_high(&t->drv_features, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if ((t->status & VIRTIO_STATUS_DRIVER_OK) && v < t->ops->num_queues &&
		    t->queues[v].ready)
			return (int)v;
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK: {
		uint32_t old = t->int_status;
		t->int_status &= ~v;
		irq_update(t, old);
		break;
	}
	case VIRTIO_MMIO_STATUS:
		status_write(t, v);
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		queue_reg_write(t, off, v);
		break;
	default:
		break; /* read-only or reserved: ignored */
	}
	return -1;
}

/*
 * Caller holds t->lock. Waits for any running queue_notify, then claims the
 * gate if q may be notified now (DRIVER_OK, q ready); mmio.h's locking note.
 */
static bool notify_begin(struct virtio_mmio *t, unsigned q)
{
	while (t->busy)
		pthread_cond_wait(&t->idle, &t->lock);
	if (!(t->status & VIRTIO_STATUS_DRIVER_OK) || q >= t->ops->num_queues ||
	    !t->queues[q].ready || !t->ops->queue_notify)
		return false;
	t->busy = true;
	return true;
}

/* Releases the gate notify_begin() claimed. */
static void notify_end(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->busy = false;
	pthread_cond_broadcast(&t->idle);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_access(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_mmio *t = ctx;
	int notify = -1;

	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;
		bool ok = (len == 1 || len == 2 || len == 4 || len == 8) &&
			  off < VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG;
		if (is_write) {
			if (ok && t->ops->config_write)
				t->ops->config_write(t->dev, (uint32_t)off, data, len);
		} else {
			memset(data, 0, len);
			if (ok && t->ops->config_read)
				t->ops->config_read(t->dev, (uint32_t)off, data, len);
		}
	} else if (len != 4 || (offset & 3)) {
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		uint32_t v;
		memcpy(&v, data, 4);
		notify = reg_write(t, offset, v);
	} else {
		uint32_t v = reg_read(t, offset);
		memcpy(data, &v, 4);
	}
	if (notify >= 0 && !notify_begin(t, (unsigned)notify))
		notify = -1;
	pthread_mutex_unlock(&t->lock);

	/* Outside the lock: the device may signal from here. */
	if (notify >= 0) {
		t->ops->queue_notify(t->dev, t, (unsigned)notify);
		notify_end(t);
	}
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned q)
{
	pthread_mutex_lock(&t->lock);
	bool ok = notify_begin(t, q);
	pthread_mutex_unlock(&t->lock);
	if (ok) {
		t->ops->queue_notify(t->dev, t, q);
		notify_end(t);
	}
}

void virtio_mmio_kick_all(struct virtio_mmio *t)
{
	for (unsigned q = 0; q < t->ops->num_queues; q++)
		virtio_mmio_kick(t, q);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned q)
{
	return q < t->ops->num_queues ? &t->queues[q] : NULL;
}

uint64_t virtio_mmio_features(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	uint64_t f = t->drv_features;
	pthread_mutex_unlock(&t->lock);
	return f;
}

void virtio_mmio_signal_used(struct virtio_mmio *t, unsigned q)
{
	pthread_mutex_lock(&t->lock);
	if (q < t->ops->num_queues && virtq_should_interrupt(&t->queues[q]))
		set_interrupt(t, VIRTIO_MMIO_INT_VRING);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->config_gen++;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		set_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		set_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
	pthread_mutex_unlock(&t->lock);
}
