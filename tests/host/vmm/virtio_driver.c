/*
 * The virtio test driver; see virtio_driver.h. Plain C, no cmocka:
 * a broken helper call aborts the test binary.
 */
#include <stdlib.h>
#include <string.h>

#include "virtio_driver.h"

void drv_init(struct drv *d, uint16_t size)
{
	memset(d, 0, sizeof(*d));
	d->mem.host = calloc(1, DRV_LO_SIZE + DRV_HI_SIZE);
	if (!d->mem.host)
		abort();
	d->mem.size = DRV_LO_SIZE + DRV_HI_SIZE;
	d->mem.lo_size = DRV_LO_SIZE;
	d->mem.hi_size = DRV_HI_SIZE;
	virtq_reset(&d->q);
	d->q.size = size;
	d->q.desc_gpa = DRV_DESC;
	d->q.avail_gpa = DRV_AVAIL;
	d->q.used_gpa = DRV_USED;
}

void drv_free(struct drv *d)
{
	free(d->mem.host);
	d->mem.host = NULL;
}

uint8_t *drv_ptr(struct drv *d, uint64_t gpa, uint64_t len)
{
	uint8_t *p = mem_ptr(&d->mem, gpa, len);
	if (!p)
		abort();
	return p;
}

void drv_desc(struct drv *d, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc v = {.addr = addr, .len = len, .flags = flags, .next = next};
	memcpy(drv_ptr(d, DRV_DESC + 16ull * i, 16), &v, 16);
}

void drv_set_avail_idx(struct drv *d, uint16_t idx)
{
	d->avail_idx = idx;
	memcpy(drv_ptr(d, DRV_AVAIL + 2, 2), &idx, 2);
}

void drv_avail(struct drv *d, uint16_t head)
{
	uint16_t slot = d->avail_idx % d->q.size;
	memcpy(drv_ptr(d, DRV_AVAIL + 4 + 2ull * slot, 2), &head, 2);
	drv_set_avail_idx(d, (uint16_t)(d->avail_idx + 1));
}

void drv_set_avail_flags(struct drv *d, uint16_t flags)
{
	memcpy(drv_ptr(d, DRV_AVAIL, 2), &flags, 2);
}

uint16_t drv_used_idx(struct drv *d)
{
	uint16_t v;
	memcpy(&v, drv_ptr(d, DRV_USED + 2, 2), 2);
	return v;
}

struct virtq_used_elem drv_used(struct drv *d, uint16_t slot)
{
	struct virtq_used_elem e;
	memcpy(&e, drv_ptr(d, DRV_USED + 4 + 8ull * slot, 8), 8);
	return e;
}

void drv_blk_hdr(struct drv *d, uint64_t gpa, uint32_t type, uint64_t sector)
{
	uint8_t h[16] = {0}; /* type, reserved, sector: little-endian, as the host's */
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	memcpy(drv_ptr(d, gpa, 16), h, 16);
}
