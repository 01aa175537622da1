/*
 * libFuzzer target: orbvm's split-virtqueue walker (vmm/virtio/virtqueue.c)
 * and the virtio-blk request decoder/executor (vmm/virtio/blk.c) on random
 * guest memory and ring contents.
 *
 * Input: a 16-byte header, then the initial contents of a 128 KiB guest RAM
 * (64 KiB low, 64 KiB at 4 GiB). Header: u8 queue size exponent, u8 flags
 * (bit 0: read-only disk, bit 1: rings in high RAM), u16 descriptor table,
 * available and used ring addresses (in 16/2/4-byte units), u16 starting
 * available index, u16 starting used index, u8 count of transport
 * operations, 3 bytes unused. Then the transport operations, 5 bytes each
 * (u8 register index: offset = 4 * (index & 0x7f), a read if bit 7 is set;
 * u32 value), then the RAM. Checked: no out-of-bounds access (ASan), every
 * accepted buffer inside guest RAM, the chain's totals and counts
 * consistent, backend I/O only inside the disk and never a write to a
 * read-only one, every pop bounded; and, driving the virtio-mmio transport
 * with the operations over the same RAM, its state machine invariants
 * (FEATURES_OK only with VERSION_1, DRIVER_OK only with FEATURES_OK, the IRQ
 * line equal to InterruptStatus != 0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"
#include "virtio/virtqueue.h"

#include <orbital/errors.h>

#define LO_SIZE	   0x10000u
#define HI_SIZE	   0x10000u
#define DISK_BYTES (32 * BLK_SECTOR)

static uint8_t ram[LO_SIZE + HI_SIZE];
static uint8_t disk[DISK_BYTES];
static bool disk_ro;
static struct virtq_chain chain;
static struct blk_dev dev;

static void check(bool ok)
{
	if (!ok)
		abort();
}

static int disk_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	(void)ctx;
	check(off <= DISK_BYTES && len <= DISK_BYTES - off);
	memcpy(buf, disk + off, len);
	return 0;
}

static int disk_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	(void)ctx;
	check(!disk_ro);
	check(off <= DISK_BYTES && len <= DISK_BYTES - off);
	memcpy(disk + off, buf, len);
	return 0;
}

static int disk_flush(void *ctx)
{
	(void)ctx;
	check(!disk_ro);
	return 0;
}

static const struct blk_backend_ops disk_ops = {disk_read, disk_write, disk_flush};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void check_chain(const struct guest_mem *m, const struct virtq *q,
			const struct virtq_chain *c)
{
	uint64_t out = 0, in = 0;
	check(c->head < q->size);
	check(c->n_out <= c->n && c->n <= q->size);
	for (unsigned i = 0; i < c->n; i++) {
		const struct virtq_iov *v = &c->iov[i];
		check(v->len > 0);
		check(v->host >= m->host && v->host + v->len <= m->host + m->size);
		check(mem_ptr(m, v->gpa, v->len) == v->host);
		if (i < c->n_out)
			out += v->len;
		else
			in += v->len;
	}
	check(out == c->out_bytes && in == c->in_bytes);
	check(out + in <= VIRTQ_MAX_CHAIN_BYTES);
}

static int irq_level;

static void irq(void *ctx, bool level)
{
	(void)ctx;
	check(level != irq_level); /* only changes are signalled */
	irq_level = level;
}

/* Plays the register operations on a virtio-blk behind virtio-mmio. */
static void drive_transport(const struct guest_mem *m, const uint8_t *ops, size_t nops)
{
	static struct virtio_mmio t;
	irq_level = 0;
	virtio_mmio_init(&t, &blk_dev_ops, &dev, m, irq, NULL);
	for (size_t i = 0; i < nops; i++, ops += 5) {
		uint8_t v[4];
		memcpy(v, ops + 1, 4);
		virtio_mmio_access(&t, 4u * (ops[0] & 0x7f), v, 4, !(ops[0] & 0x80));
		uint32_t st = t.status;
		if (st & VIRTIO_STATUS_FEATURES_OK)
			check(t.drv_features & (1ull << VIRTIO_F_VERSION_1));
		if (st & VIRTIO_STATUS_DRIVER_OK)
			check(st & VIRTIO_STATUS_FEATURES_OK);
		check(irq_level == (t.int_status != 0));
	}
	virtio_mmio_destroy(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	struct guest_mem m = {
	    .host = ram, .size = sizeof(ram), .lo_size = LO_SIZE, .hi_size = HI_SIZE};
	size_t nops = data[12], ops_bytes = 5 * nops;
	if (size < 16 + ops_bytes)
		return 0;
	const uint8_t *ops = data + 16, *img = ops + ops_bytes;
	size_t img_len = size - 16 - ops_bytes;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, img, img_len < sizeof(ram) ? img_len : sizeof(ram));
	memset(disk, 0xa5, sizeof(disk));

	uint64_t base = (data[1] & 2) ? MEM_HIGH_START : 0;
	struct virtq q;
	virtq_reset(&q);
	q.size = (uint16_t)(1u << (data[0] % 10)); /* 1..512: 512 must be refused */
	q.desc_gpa = base + 16ull * get16(data + 2);
	q.avail_gpa = base + 2ull * get16(data + 4);
	q.used_gpa = base + 4ull * get16(data + 6);
	if (virtq_enable(&q, &m) < 0)
		return 0;
	check(q.size <= VIRTQ_MAX_SIZE);
	q.last_avail = get16(data + 8);
	q.used_idx = get16(data + 10);

	disk_ro = data[1] & 1;
	struct blk_backend be = {.ops = &disk_ops, .size = DISK_BYTES, .read_only = disk_ro};
	blk_init(&dev, &be, "fuzz");

	/* Walk the ring directly, checking every chain... */
	struct virtq q2 = q;
	for (unsigned rounds = 0; rounds <= q.size; rounds++) {
		int r = virtq_pop(&q2, &chain);
		if (r == 0 || r == -ERR_RANGE)
			break;
		if (r < 0) {
			check(chain.n == 0);
			continue;
		}
		check_chain(&m, &q2, &chain);
		struct blk_request req;
		if (blk_request_decode(&dev, &chain, &req) == 0) {
			check(req.status_off < chain.in_bytes);
			uint32_t used = blk_request_execute(&dev, &chain, &req);
			check(used <= chain.in_bytes);
			virtq_push(&q2, chain.head, used);
		}
		(void)virtq_should_interrupt(&q2);
	}

	/* ...then through the device's own loop, from the same starting point. */
	int done = blk_process_queue(&dev, &q);
	check(done <= (int)q.size);
	if (nops)
		drive_transport(&m, ops, nops);
	return 0;
}
