/*
 * The virtio-mmio transport (virtio 1.x, section 4.2, register layout
 * version 2): the register window a guest driver programs, the
 * status/feature state machine, queue configuration and the interrupt line.
 *
 * The transport knows nothing about what the device does: a device is an
 * ops table (struct virtio_dev_ops) plus its context, and the transport calls
 * it for features, config space, queue notifications and reset. The device
 * reaches back only through virtio_mmio_signal_used(),
 * virtio_mmio_config_changed() and virtio_mmio_needs_reset().
 *
 * State machine (the guest's writes to Status, section 3.1):
 *  - writing 0 resets the device: the device's reset op, then every register,
 *    queue, feature and interrupt bit cleared (ConfigGeneration is kept and
 *    only ever increases);
 *  - a write that would clear a set bit (other than writing 0) is ignored;
 *    DEVICE_NEEDS_RESET is device-owned and not changed by the guest;
 *  - FEATURES_OK is accepted only if the driver's features include
 *    VIRTIO_F_VERSION_1 and are a subset of the device's; otherwise it stays
 *    clear (the driver reads Status back and gives up);
 *  - DRIVER_OK is accepted only with FEATURES_OK;
 *  - DriverFeatures is accepted only before FEATURES_OK;
 *  - queue registers are accepted only with FEATURES_OK and without DRIVER_OK,
 *    and (except QueueReady) only while the selected queue is not ready;
 *    QueueReady=1 validates the queue (virtq_enable) and, if that fails,
 *    leaves it not ready and sets DEVICE_NEEDS_RESET;
 *  - QueueNotify reaches the device only with DRIVER_OK on a ready queue.
 * Registers below 0x100 take 32-bit accesses only (others: reads 0, writes
 * ignored); the config space at 0x100 takes 1, 2, 4 and 8 bytes.
 *
 * Interrupts: InterruptStatus bit 0 (used buffer) and bit 1 (config change);
 * the line is level: irq(ctx, InterruptStatus != 0), called on each change.
 *
 * Locking: t->lock guards all the transport's state. The device's config,
 * reset and features ops run with it held and must not call back in; the
 * queue_notify op runs without it (it may signal) and works on its queue
 * without the lock. Notifications arrive either as a QueueNotify write on
 * a vCPU thread (the MMIO-exit path; several vCPUs may write at once) or through virtio_mmio_kick()
 * from an I/O thread (KVM_IOEVENTFD). Both go through one gate: under the lock, wait until no
 * queue_notify is running (`busy`), re-check DRIVER_OK and the queue's readiness, set busy, then
 * call the op unlocked and clear busy (broadcasting `idle`) afterwards. So at most one queue_notify
 * runs at a time, and a reset (writing 0 to Status) waits on `idle` for an in-flight batch before
 * it calls the device's reset op and clears the queues. While DRIVER_OK is set the guest cannot
 * change the queue registers, so the op's unlocked view of its queue is stable until that reset.
 * The host's guest RAM mapping never changes while the VM runs, so the ring
 * pointers that virtq_enable() checked stay valid.
 */
#ifndef ORBVM_VIRTIO_MMIO_H
#define ORBVM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "virtio/virtqueue.h"

#define VIRTIO_MMIO_SIZE       0x200 /* the window each device registers */
#define VIRTIO_MMIO_MAGIC      0x74726976
#define VIRTIO_MMIO_VERSION    2
#define VIRTIO_MMIO_VENDOR     0x4f524256 /* "VBRO" little-endian: orbvm */
#define VIRTIO_MMIO_MAX_QUEUES 8

/* Register offsets. */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION_REG		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_INT_VRING  1
#define VIRTIO_MMIO_INT_CONFIG 2

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1
#define VIRTIO_STATUS_DRIVER		 2
#define VIRTIO_STATUS_DRIVER_OK		 4
#define VIRTIO_STATUS_FEATURES_OK	 8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED		 0x80

#define VIRTIO_F_VERSION_1 32

struct virtio_mmio;

/* A virtio device, as the transport sees it. */
struct virtio_dev_ops {
	const char *name;
	uint32_t device_id;  /* 2 = block */
	uint16_t num_queues; /* <= VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;  /* QueueNumMax, <= VIRTQ_MAX_SIZE */
	/* Offered features (VIRTIO_F_VERSION_1 included by the device). */
	uint64_t (*features)(void *dev);
	/* Config space access at `off`, len 1..8; the device bounds-checks. */
	void (*config_read)(void *dev, uint32_t off, uint8_t *data, uint32_t len);
	void (*config_write)(void *dev, uint32_t off, const uint8_t *data, uint32_t len);
	/* The driver notified queue `q` (ready, DRIVER_OK). */
	void (*queue_notify)(void *dev, struct virtio_mmio *t, unsigned q);
	/* The driver reset the device: drop in-flight state. */
	void (*reset)(void *dev);
};

struct virtio_mmio {
	pthread_mutex_t lock;
	const struct virtio_dev_ops *ops; /* constant after init */
	void *dev;
	const struct guest_mem *mem;
	void (*irq)(void *ctx, bool level);
	void *irq_ctx;
	/* Guarded by lock. */
	uint32_t status;
	uint32_t dev_features_sel;
	uint32_t drv_features_sel;
	uint64_t drv_features;
	uint32_t queue_sel;
	uint32_t int_status;
	uint32_t config_gen;
	bool busy;	     /* a queue_notify op is running */
	pthread_cond_t idle; /* broadcast when busy clears */
	struct virtq queues[VIRTIO_MMIO_MAX_QUEUES];
};

/* Sets up a reset transport for the device; irq may be NULL. */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, void *dev,
		      const struct guest_mem *mem, void (*irq)(void *ctx, bool level),
		      void *irq_ctx);
void virtio_mmio_destroy(struct virtio_mmio *t);

/* The bus handler (bus_handler_fn): ctx is the struct virtio_mmio. */
void virtio_mmio_access(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/*
 * A notification for queue q that did not come through the register window
 * (an ioeventfd on QueueNotify): runs the device's queue_notify op if the
 * driver is ready and q is a ready queue, serialized with other
 * notifications and with reset. Thread-safe; t->lock must not be held.
 */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned q);
/* virtio_mmio_kick() on every queue (an ioeventfd without datamatch). */
void virtio_mmio_kick_all(struct virtio_mmio *t);

/* The queue a device works on (NULL if q is out of range). */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned q);

/* Negotiated features (valid once FEATURES_OK). */
uint64_t virtio_mmio_features(struct virtio_mmio *t);

/* Device side: used buffers were added to queue q; interrupts if wanted. */
void virtio_mmio_signal_used(struct virtio_mmio *t, unsigned q);
/* Device side: the config space changed (ConfigGeneration++, interrupt). */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/* Device side: the device hit a guest error it cannot recover from. */
void virtio_mmio_needs_reset(struct virtio_mmio *t);

#endif
