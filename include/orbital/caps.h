/*
 * Capabilities: the ABI shared by the kernel and user space.
 *
 * A process names kernel objects only through capabilities held in its
 * capability space (cspace). User space sees a capability as a handle, a
 * 32-bit value that encodes the cspace slot and that slot's generation:
 *
 *     bit 31      always 0 (a handle is a non-negative int32, so a function may
 *                 return "handle or -ERR_x")
 *     bits 30..12 generation, 1..CAP_GEN_MAX (never 0)
 *     bits 11..0  slot number, 0..CAP_MAX_SLOTS-1
 *
 * Every time a slot is emptied its generation advances, so a handle to a
 * deleted, moved or revoked capability is rejected with -ERR_BADCAP instead of
 * naming whatever the slot holds next. Since the generation is never 0, the
 * value 0 (CAP_HANDLE_NULL) is never a valid handle. A handle travels in a
 * 64-bit register: values above 0x7fffffff are never valid and the kernel
 * rejects them rather than truncating them. After CAP_GEN_MAX reuses of one
 * slot the generation wraps (back to 1); slots are reused in FIFO order to make
 * that as rare as possible.
 *
 * A capability is (object, rights, badge). Rights only shrink along a
 * derivation; a badge (a word the kernel delivers to the receiver of IPC sent
 * through an Endpoint capability, or ORs into a Notification's word) can be
 * set once, when deriving from an unbadged capability, and never changed.
 *
 * The numbers below are ABI: they never change once published.
 */
#ifndef ORBITAL_CAPS_H
#define ORBITAL_CAPS_H

#include <stdint.h>

/* Kernel object types (struct cap_info.type). */
enum cap_type {
	CAP_TYPE_NONE = 0,	   /* empty slot; never the type of a capability */
	CAP_TYPE_ENDPOINT = 1,	   /* synchronous IPC rendezvous */
	CAP_TYPE_NOTIFICATION = 2, /* asynchronous signal word */
	CAP_TYPE_REPLY = 3,	   /* one-shot reply to a call */
	CAP_TYPE_PROCESS = 4,	   /* address space + cspace */
	CAP_TYPE_THREAD = 5,	   /* a schedulable thread */
	CAP_TYPE_MEMORY = 6,	   /* a range of physical frames that can be mapped */
	CAP_TYPE_IRQ = 7,	   /* an interrupt line delivered to a notification */
	CAP_TYPE_IOPORTS = 8,	   /* a range of x86 I/O ports */
	CAP_TYPE_QUOTA = 9,	   /* a budget that kernel allocations are charged to */
	CAP_TYPE_LOG = 10,	   /* the authority to read the kernel log */
	CAP_TYPE_COUNT = 11,
};

/*
 * Rights (struct cap_info.rights), a bitmask. What each right permits depends
 * on the object type; a right that means nothing for a type is simply unused.
 */
#define CAP_RIGHT_READ	(1u << 0) /* Memory: map readable; Process/Thread: read state */
#define CAP_RIGHT_WRITE (1u << 1) /* Memory: map writable; Process/Thread: write state */
#define CAP_RIGHT_EXEC	(1u << 2) /* Memory: map executable (never with WRITE at once) */
#define CAP_RIGHT_MAP	(1u << 3) /* Memory: may be mapped into an address space */
#define CAP_RIGHT_SEND	(1u << 4) /* Endpoint: send, call; Notification: signal */
#define CAP_RIGHT_RECV	(1u << 5) /* Endpoint: receive; Notification, IRQ: wait */
#define CAP_RIGHT_GRANT (1u << 6) /* Endpoint: messages through it may carry capabilities */
/* Process/Thread: control; IRQ: ack; IoPorts: enable; Endpoint: close (SYS_ENDPOINT_CLOSE) */
#define CAP_RIGHT_MANAGE (1u << 7)
#define CAP_RIGHTS_ALL	 0xffu

/* Handles. */
typedef uint32_t cap_handle_t;

#define CAP_HANDLE_NULL ((cap_handle_t)0)
#define CAP_SLOT_BITS	12
#define CAP_GEN_BITS	19
#define CAP_MAX_SLOTS	(1u << CAP_SLOT_BITS)
#define CAP_GEN_MAX	((1u << CAP_GEN_BITS) - 1)

#define CAP_HANDLE(slot, gen)                                                                      \
	((cap_handle_t)((((uint32_t)(gen)&CAP_GEN_MAX) << CAP_SLOT_BITS) |                         \
			((uint32_t)(slot) & (CAP_MAX_SLOTS - 1))))
#define CAP_HANDLE_SLOT(h) ((uint32_t)(h) & (CAP_MAX_SLOTS - 1))
#define CAP_HANDLE_GEN(h)  (((uint32_t)(h) >> CAP_SLOT_BITS) & CAP_GEN_MAX)

/* What identify returns about one capability. */
struct cap_info {
	uint32_t type;	 /* enum cap_type */
	uint32_t rights; /* CAP_RIGHT_* */
	uint64_t badge;	 /* 0 = unbadged */
};

#endif
