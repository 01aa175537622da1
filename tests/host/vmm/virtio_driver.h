/*
 * A tiny virtio "driver" for orbvm's virtio unit tests: a fake guest memory
 * (1 MiB of low RAM and 1 MiB above the 4 GiB hole, no KVM) and helpers that
 * build split-virtqueue rings in it the way a guest would.
 *
 * Ring areas: descriptors at DRV_DESC, available ring at DRV_AVAIL, used
 * ring at DRV_USED, data buffers from DRV_DATA up.
 */
#ifndef TEST_HOST_VMM_VIRTIO_DRIVER_H
#define TEST_HOST_VMM_VIRTIO_DRIVER_H

#include <stdint.h>

#include "mem.h"
#include "virtio/mmio.h"
#include "virtio/virtqueue.h"

#define DRV_LO_SIZE (1u << 20)
#define DRV_HI_SIZE (1u << 20)
#define DRV_DESC    0x1000ull
#define DRV_AVAIL   0x3000ull
#define DRV_USED    0x4000ull
#define DRV_DATA    0x10000ull

struct drv {
	struct guest_mem mem;
	struct virtq q;
	uint16_t avail_idx; /* the driver's next available index */
};

/* Allocates zeroed fake RAM and configures (not enables) a queue of `size`. */
void drv_init(struct drv *d, uint16_t size);
void drv_free(struct drv *d);
/* Guest-physical bytes (must be inside RAM). */
uint8_t *drv_ptr(struct drv *d, uint64_t gpa, uint64_t len);
void drv_desc(struct drv *d, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	      uint16_t next);
/* Puts head on the available ring and publishes the new index. */
void drv_avail(struct drv *d, uint16_t head);
/* Sets the available index as is (for corrupt rings). */
void drv_set_avail_idx(struct drv *d, uint16_t idx);
void drv_set_avail_flags(struct drv *d, uint16_t flags);
uint16_t drv_used_idx(struct drv *d);
struct virtq_used_elem drv_used(struct drv *d, uint16_t slot);
/* A virtio-blk request header (type, sector) in guest memory at gpa. */
void drv_blk_hdr(struct drv *d, uint64_t gpa, uint32_t type, uint64_t sector);

/* A 32-bit register write and read of a virtio-mmio transport, as the guest makes them. */
static inline void drv_mmio_write(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	virtio_mmio_access(t, off, (uint8_t *)&v, 4, true);
}

static inline uint32_t drv_mmio_read(struct virtio_mmio *t, uint64_t off)
{
	uint32_t v = 0;
	virtio_mmio_access(t, off, (uint8_t *)&v, 4, false);
	return v;
}

#endif
