/*
 * The console client (<orb/console.h>): packs text into the message words of
 * <orb/proto/console.h> and unpacks replies.
 *
 * Words 1..3 of a message travel in registers (struct orb_msg), words 4.. in
 * the calling thread's IPC buffer; con_pack/con_unpack hide that split.
 *
 * Trust: the server's reply is believed only as far as it is bounded: a line
 * length larger than the words received carry, or than asked for, is an
 * error (-ERR_FORMAT), never copied.
 */
#include <string.h>
#include <orb/console.h>
#include <orb/spawn.h>
#include <orb/thread.h>

/* Word i (1..IPC_MAX_WORDS-1) of the message in m and the IPC buffer. */
static uint64_t *con_word(struct orb_msg *m, struct ipc_buffer *b, unsigned i)
{
	return i < IPC_REG_WORDS ? &m->w[i] : &b->words[i];
}

/* Copies n <= CON_MSG_BYTES bytes into words 1..; returns the number of words used (with w0). */
static unsigned con_pack(struct orb_msg *m, struct ipc_buffer *b, const char *s, size_t n)
{
	unsigned words = 1 + (unsigned)((n + 7) / 8);
	for (unsigned i = 1; i < words; i++) {
		uint64_t w = 0;
		size_t off = (size_t)(i - 1) * 8, k = n - off < 8 ? n - off : 8;
		memcpy(&w, s + off, k);
		*con_word(m, b, i) = w;
	}
	return words;
}

static void con_unpack(struct orb_msg *m, struct ipc_buffer *b, char *out, size_t n)
{
	for (size_t off = 0; off < n; off += 8) {
		uint64_t w = *con_word(m, b, (unsigned)(off / 8) + 1);
		memcpy(out + off, &w, n - off < 8 ? n - off : 8);
	}
}

long con_write(cap_handle_t ep, const void *buf, size_t len)
{
	struct ipc_buffer *b = orb_ipc_buf();
	const char *s = buf;
	size_t done = 0;

	if (!b)
		return -ERR_INVAL;
	if (!buf && len)
		return -ERR_FAULT;
	while (done < len) {
		size_t n = len - done < CON_MSG_BYTES ? len - done : CON_MSG_BYTES;
		struct orb_msg m = {0};
		m.w[0] = n;
		m.tag = IPC_TAG(CON_WRITE, con_pack(&m, b, s + done, n), 0);
		long r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
		if (r < 0)
			return r;
		if ((long)m.w[0] < 0)
			return (long)m.w[0];
		if (m.w[0] != n)
			return -ERR_FORMAT;
		done += n;
	}
	return (long)len;
}

long con_puts(cap_handle_t ep, const char *s)
{
	return con_write(ep, s, strlen(s));
}

long con_readline(cap_handle_t ep, char *buf, size_t size)
{
	struct ipc_buffer *b = orb_ipc_buf();
	struct orb_msg m = {0};

	if (!b || size == 0)
		return -ERR_INVAL;
	/* The console watches the reader: a read left pending by a dead reader is dropped. */
	long self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	if (self < 0)
		return self;
	b->send_caps[0] = (cap_handle_t)self;
	m.w[0] = size - 1;
	m.tag = IPC_TAG(CON_READLINE, 1, 1);
	long r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
	orb_cap_delete((cap_handle_t)self); /* the console has its own copy */
	if (r < 0)
		return r;
	long n = (long)m.w[0];
	if (n < 0)
		return n;
	/* Trust boundary: the length must fit what we asked for and what arrived. */
	if ((size_t)n > size - 1 || (size_t)n > CON_MSG_BYTES ||
	    IPC_TAG_NWORDS(m.tag) < 1 + ((size_t)n + 7) / 8)
		return -ERR_FORMAT;
	con_unpack(&m, b, buf, (size_t)n);
	buf[n] = '\0';
	return n;
}

long con_set_fg(cap_handle_t ep, cap_handle_t proc)
{
	struct ipc_buffer *b = orb_ipc_buf();
	struct orb_msg m = {0};
	unsigned ncaps = proc ? 1 : 0;

	if (!b)
		return -ERR_INVAL;
	if (proc)
		b->send_caps[0] = proc;
	m.tag = IPC_TAG(CON_SET_FG, 0, ncaps);
	long r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
	return r < 0 ? r : (long)m.w[0];
}
