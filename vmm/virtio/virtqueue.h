/*
 * Split virtqueues (virtio 1.x, section 2.6) over guest memory: taking
 * descriptor chains off the available ring and putting them on the used ring.
 *
 * Everything in the rings is written by the guest and is untrusted. Guest
 * memory is reached only through mem_ptr() (vmm/mem.h), the one bounds check:
 * the three ring areas are checked in full when the queue is enabled
 * (virtq_enable), every buffer is checked when its descriptor is read
 * (virtq_pop). Each descriptor is copied out of guest memory once and only the
 * copy is validated and used, so a guest changing it concurrently cannot make
 * a checked value differ from the used one.
 *
 * Rules a chain must follow, else virtq_pop() refuses it (see virtq_pop):
 *  - the head index (from the available ring) and every `next` < queue size;
 *  - at most `size` descriptors (a longer chain necessarily revisits one: a
 *    loop), and at most VIRTQ_MAX_CHAIN_BYTES bytes in all;
 *  - every buffer [addr, addr+len) inside guest RAM (overflow-safe);
 *  - device-readable descriptors before device-writable ones;
 *  - at most VIRTQ_MAX_SIZE non-empty buffers;
 *  - VIRTQ_DESC_F_INDIRECT only if the driver negotiated
 *    VIRTIO_F_INDIRECT_DESC (q->indirect), only on the chain's last
 *    descriptor (not with NEXT), pointing at a table inside guest RAM whose
 *    length is a non-zero multiple of 16 and at most VIRTQ_MAX_SIZE entries;
 *    the table's chain starts at entry 0, every `next` stays inside the
 *    table, no entry is visited twice (at most `entries` steps) and no entry
 *    is itself INDIRECT. The indirect descriptor's own WRITE flag is ignored;
 *    the table's entries follow every rule above (direction order, byte
 *    limit, buffers inside RAM). Each table entry is copied once, like a
 *    ring descriptor.
 * Zero-length descriptors: allowed, counted against the chain length and the
 * direction order like any other, but their address is not looked at and
 * they add no entry to the chain's buffer list.
 *
 * The available ring's index is 16-bit and wraps; the number of new entries
 * is (avail->idx - last_avail) mod 2^16, which must not exceed the queue size
 * (else the ring is corrupt: -ERR_RANGE). Queue sizes are powers of two, so
 * "index mod size" is consistent across the wrap.
 *
 * Notification suppression: VIRTQ_AVAIL_F_NO_INTERRUPT is honoured by
 * virtq_should_interrupt(); VIRTIO_F_EVENT_IDX is not offered. The device
 * never suppresses notifications (used->flags stays 0).
 *
 * Locking: a virtq is used by one thread at a time (its device's); the
 * transport changes its configuration only while the device is not running.
 */
#ifndef ORBVM_VIRTQUEUE_H
#define ORBVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

#define VIRTQ_MAX_SIZE	      256	  /* largest queue size orbvm offers */
#define VIRTQ_MAX_CHAIN_BYTES (64u << 20) /* total bytes in one chain */

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

#define VIRTIO_F_INDIRECT_DESC 28 /* feature bit: indirect descriptor tables */

/* Guest-visible layouts (little-endian; x86 hosts only). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One validated buffer. `host` points at `len` bytes inside guest RAM. */
struct virtq_iov {
	uint8_t *host;
	uint64_t gpa;
	uint32_t len;
};

/*
 * A validated chain: iov[0..n_out) are device-readable, iov[n_out..n) are
 * device-writable; out_bytes and in_bytes are their totals.
 */
struct virtq_chain {
	uint16_t head; /* descriptor index to return through virtq_push */
	uint16_t n;
	uint16_t n_out;
	uint32_t out_bytes;
	uint32_t in_bytes;
	struct virtq_iov iov[VIRTQ_MAX_SIZE];
};

struct virtq {
	/* Configuration, set by the transport while the queue is disabled. */
	uint16_t size; /* power of two, 1..VIRTQ_MAX_SIZE */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool indirect; /* VIRTIO_F_INDIRECT_DESC negotiated: tables accepted */
	bool ready;
	/* Set by virtq_enable: host views of the three areas. */
	const struct guest_mem *mem;
	uint8_t *desc, *avail, *used;
	/* Device-side indices (free-running, 16-bit). */
	uint16_t last_avail;
	uint16_t used_idx;
};

/* Returned by virtq_pop when it could not even identify a head. */
#define VIRTQ_NO_HEAD 0xffff

/* Clears the queue: not ready, size 0, addresses 0. */
void virtq_reset(struct virtq *q);

/*
 * Makes q ready: checks the size (power of two, <= VIRTQ_MAX_SIZE), the
 * alignment (descriptors 16, available ring 2, used ring 4), that the
 * three areas lie inside guest RAM and that the used ring overlaps neither
 * of the others. Returns 0, -ERR_INVAL or -ERR_FAULT (q stays not ready).
 */
int virtq_enable(struct virtq *q, const struct guest_mem *mem);

/*
 * Takes the next available chain. Returns 1 with *c filled, 0 if the ring is
 * empty, or a negative error for a bad chain: -ERR_RANGE (the available index
 * ran more than `size` ahead: the ring is corrupt, nothing is consumed),
 * -ERR_INVAL (head or next index >= size or beyond an indirect table),
 * -ERR_FAULT (a buffer or table outside RAM), -ERR_FORMAT (loop or over-long
 * chain, wrong direction order, a refused indirect descriptor). For the last three the entry is
 * consumed and c->head holds the head (VIRTQ_NO_HEAD if the head itself was bad) so the device can
 * return it with virtq_push(q, c->head, 0).
 */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/* Puts (head, len) on the used ring and publishes the new used index. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* Whether chains are waiting on the available ring (false if corrupt). */
bool virtq_has_pending(const struct virtq *q);

/* Whether the driver wants an interrupt now (VIRTQ_AVAIL_F_NO_INTERRUPT). */
bool virtq_should_interrupt(const struct virtq *q);

/*
 * Copies between a byte range of the chain's readable (virtq_chain_read) or
 * writable (virtq_chain_write) part and a host buffer. Return 0, or -ERR_RANGE
 * if the range runs past that part (nothing is copied then).
 */
int virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, uint64_t len);
int virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, uint64_t len);

#endif
