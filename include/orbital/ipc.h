/*
 * IPC messages: the tag, the IPC buffer, timeouts. Shared by the kernel and
 * user space.
 *
 * A message is a tag plus up to IPC_MAX_WORDS 64-bit words plus up to
 * IPC_MAX_CAPS capabilities. Words 0..3 travel in registers (see
 * include/orbital/syscall.h); words 4..nwords-1 are copied once, from the
 * sender's IPC buffer to the receiver's, at the same indices. Capabilities
 * named in the sender's buffer (send_caps[0..ncaps-1]) must exist when the
 * message is sent (else the send fails with -ERR_BADCAP) and are copied into free
 * slots of the receiver's cspace as children of the sender's capabilities (so
 * revoking the sender's capability also removes the copy); the new handles
 * appear in the receiver's recv_caps[]. Sending capabilities needs the GRANT
 * right on the endpoint capability used; the receiver needs an IPC buffer and
 * free slots, else the message arrives with ncaps 0 and the tag's
 * IPC_TAG_CAPS_LOST flag set.
 *
 * The receiver learns the badge of the capability the sender used (0 when
 * unbadged): servers tell clients apart by it.
 */
#ifndef ORBITAL_IPC_H
#define ORBITAL_IPC_H

#include <stdint.h>
#include <orbital/caps.h>

#define IPC_REG_WORDS 4	 /* words carried in registers */
#define IPC_MAX_WORDS 64 /* words per message (512 bytes) */
#define IPC_MAX_CAPS  4	 /* capabilities per message */

/*
 * The tag (register rsi):
 *   bits 0..31   label: the message's meaning, chosen by the protocol
 *   bits 32..39  nwords, 0..IPC_MAX_WORDS
 *   bits 40..43  ncaps, 0..IPC_MAX_CAPS
 *   bit  48      IPC_TAG_CAPS_LOST (set by the kernel on receive)
 * Other bits must be 0 on send (-ERR_INVAL otherwise).
 */
typedef uint64_t ipc_tag_t;

#define IPC_TAG(label, nwords, ncaps)                                                              \
	((ipc_tag_t)(uint32_t)(label) | ((ipc_tag_t)(nwords)&0xff) << 32 |                         \
	 ((ipc_tag_t)(ncaps)&0xf) << 40)
#define IPC_TAG_LABEL(t)  ((uint32_t)(t))
#define IPC_TAG_NWORDS(t) ((unsigned)(((t) >> 32) & 0xff))
#define IPC_TAG_NCAPS(t)  ((unsigned)(((t) >> 40) & 0xf))
#define IPC_TAG_CAPS_LOST (1ull << 48)
#define IPC_TAG_SEND_MASK 0x00000fffffffffffull

/* Timeouts (register r12, nanoseconds). */
#define IPC_TIMEOUT_NEVER UINT64_MAX
#define IPC_TIMEOUT_POLL  0

/* The per-thread IPC buffer: one page of user memory (SYS_IPC_BUFFER). */
struct ipc_buffer {
	uint64_t words[IPC_MAX_WORDS];	      /* words[4..] of the message sent / received */
	cap_handle_t send_caps[IPC_MAX_CAPS]; /* capabilities to send (tag's ncaps) */
	cap_handle_t recv_caps[IPC_MAX_CAPS]; /* handles of the capabilities received */
	uint64_t user[8];		      /* free for the user library */
};

_Static_assert(sizeof(struct ipc_buffer) <= 4096, "the IPC buffer fits in a page");

#endif
