/*
 * console: the console server, a ring-3 process that owns COM1 and the VGA
 * text screen and serves <orb/proto/console.h> (start capabilities, badges
 * and messages are documented there).
 *
 * Start capabilities (start.c sorts them by type): [0] its own Endpoint,
 * unbadged, [RECV, SEND, GRANT] (RECV alone: it polls); [1] IoPorts
 * 0x3f8..0x3ff (COM1); [2] IRQ 4 [RECV, MANAGE]; optional: [3] the screen's
 * Memory [READ, WRITE, MAP] with argv[1] = "text:80x25" (or
 * "TYPE,W,H,PITCH,BPP"), [4] IoPorts 0x3d4..0x3d5 (the hardware cursor),
 * [5] a name-service Endpoint [SEND, GRANT] (it then registers "console").
 *
 * Waiting. The kernel cannot yet wait on an endpoint and a notification at
 * once. The main thread owns every piece of state (the line discipline, the
 * queue of typed lines, the pending reader, the foreground process, the
 * UART and the screen) and serves messages on the console's endpoint:
 * clients' calls, the keyboard driver's key messages, and ticks. A tick
 * (con_tick) drains the UART's receive buffer (every time: a byte that
 * arrived while the line was masked raises no new edge, so polling picks it
 * up), acknowledges IRQ 4 if it came, and draws what the kernel log gained
 * (SYS_LOG_READ) on the screen. Ticks come one of two ways:
 *  - the endpoint capability has SEND: an interrupt thread waits on the
 *    notification IRQ 4 is bound to, with a CON_TICK_NS timeout, and after
 *    each wake-up calls the main loop (label CON_EV, badge CON_BADGE_SELF,
 *    w0 = the notification's bits or 0). It touches no state, so nothing
 *    needs a lock, and the main thread never waits for it (no deadlock);
 *  - RECV only: the main thread receives with a timeout and polls the
 *    notification itself every CON_POLL_MS (typed bytes wait that long).
 * Input from the serial port and the keyboard goes through one line
 * discipline (<orb/ldisc.h>); its echo goes to the serial port and the
 * screen. A completed line answers the pending reader (whose reply was kept
 * with SYS_REPLY_SAVE) or waits in a queue. The pending reader's process is
 * watched (SYS_PROC_WATCH, CON_DEAD_BIT on the same notification as IRQ 4):
 * when it dies, the tick drops its saved reply and its Process capability.
 * Ctrl-C answers the reader with -ERR_AGAIN or, with no read pending, kills
 * the foreground process.
 *
 * Trust: clients are not trusted. Lengths are checked against the words a
 * message really carries; capabilities arriving with requests that take none
 * are deleted; key messages are believed only with the keyboard's badge,
 * events only with our own, and reads and foreground changes only with the
 * terminal owner's (CON_BADGE_TTY; the badges the kernel reports cannot be
 * forged). Writes are open to all.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/ldisc.h>
#include <orb/proto/console.h>
#include <orb/proto/kbd.h>
#include <orb/proto/ns.h>
#include <orb/spawn.h>
#include <orb/sys.h>
#include <orb/thread.h>
#include "con.h"

#define CON_EV		 0x434f00ffu /* private: the interrupt thread's wake-up */
#define CON_TICK_NS	 (50ull * 1000 * 1000)
#define CON_IRQ_BIT	 1ull /* the unbadged notification's bit for IRQ 4 */
#define CON_DEAD_BIT	 2ull /* ... and for the death of the pending reader (SYS_PROC_WATCH) */
#define CON_SCREEN_VADDR 0x0000600000000000ull
#define CON_LOG_CHUNK	 1024
#define CON_LOG_ROUNDS	 32 /* chunks drawn per tick at most (the ring holds 16 KiB) */

enum con_screen_kind { SCREEN_NONE, SCREEN_TEXT, SCREEN_KERNEL };

struct con_line {
	size_t len;
	char text[LDISC_LINE_MAX];
};

static cap_handle_t con_ep, con_self_ep, con_irq, con_ntfn;
static bool con_threaded; /* an interrupt thread sends the ticks (else the main loop polls) */
static enum con_screen_kind con_screen = SCREEN_NONE;
static bool con_log_last;    /* the screen's last text came from the kernel log */
static uint64_t con_log_pos; /* next byte of the kernel log to draw */
static cap_handle_t con_log; /* the Log [READ] (SYS_LOG_READ needs it), or 0 */
static struct ldisc con_ld;
static struct con_line con_q[CON_LINES_QUEUED]; /* typed lines nobody has read yet */
static unsigned con_q_head, con_q_count;
static cap_handle_t con_reader; /* the pending CON_READLINE's Reply, or 0 */
/* The last reader's Process [READ] and pid, watched once (the kernel bounds the watches on one
 * process, and the shell reads every command line): a pending reader is this process. */
static cap_handle_t con_watched;
static long con_watched_pid;
static size_t con_reader_max;
static cap_handle_t con_fg; /* the foreground Process [MANAGE], or 0 */

/* --- Output ----------------------------------------------------------------- */

/* Shows client output or echo on every terminal we own. */
static void con_show(const char *s, size_t n)
{
	if (n == 0)
		return;
	if (con_screen ==
	    SCREEN_KERNEL) { /* the kernel draws the screen and writes the serial port */
		orb_debug_write(s, n);
		return;
	}
	uart_write(s, n);
	if (con_screen == SCREEN_TEXT) {
		vga_write(s, n, VGA_ATTR_CLIENT);
		vga_flush();
		con_log_last = false;
	}
}

static void con_echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	con_show(s, n);
}

/* Draws what the kernel log gained since the last call (the serial port has it already). */
static void con_log_poll(void)
{
	char buf[CON_LOG_CHUNK];
	long n;

	if (con_screen != SCREEN_TEXT || !con_log)
		return;
	for (int i = 0; i < CON_LOG_ROUNDS; i++) {
		n = orb_syscall4(SYS_LOG_READ, con_log, (long)&con_log_pos, (long)buf, sizeof(buf));
		if (n <= 0)
			break;
		if (!con_log_last)
			vga_line_start(); /* log lines start on a line of their own */
		con_log_last = true;
		vga_write(buf, (size_t)n, VGA_ATTR_LOG);
	}
	vga_flush();
}

/* --- Message words ---------------------------------------------------------------- */

/* Word i (1..IPC_MAX_WORDS-1) of a message: in m's registers or the IPC buffer. */
static uint64_t *con_word(struct orb_msg *m, unsigned i)
{
	return i < IPC_REG_WORDS ? &m->w[i] : &orb_ipc_buf()->words[i];
}

/* Makes m a reply: w0 = result, then n bytes of text (n <= CON_MSG_BYTES). */
static void con_make_reply(struct orb_msg *m, long result, const char *s, size_t n)
{
	unsigned words = 1 + (unsigned)((n + 7) / 8);
	memset(m, 0, sizeof(*m));
	m->w[0] = (uint64_t)result;
	for (unsigned i = 1; i < words; i++) {
		uint64_t w = 0;
		size_t off = (size_t)(i - 1) * 8;
		memcpy(&w, s + off, n - off < 8 ? n - off : 8);
		*con_word(m, i) = w;
	}
	m->tag = IPC_TAG(0, words, 0);
}

/* --- The reader and typed lines ------------------------------------------------------- */

/* Forgets the saved reader's Reply (unless it was used up). */
static void con_reader_forget(bool reply_used)
{
	if (!reply_used)
		orb_cap_delete(con_reader);
	con_reader = 0;
}

/* True if the watched process (the last reader) lives. */
static bool con_watched_alive(void)
{
	return con_watched && orb_proc_wait(con_watched, IPC_TIMEOUT_POLL) == -ERR_TIMEOUT;
}

/*
 * Makes proc (a reader's Process [READ], consumed) the watched process: kept
 * if the same process is watched already (same pid, still alive), else
 * watched (SYS_PROC_WATCH) in place of the old one. 0 or the kernel's error.
 */
static long con_watch(cap_handle_t proc)
{
	long pid = orb_syscall1(SYS_PROC_PID, proc);
	if (pid > 0 && pid == con_watched_pid && con_watched_alive()) {
		orb_cap_delete(proc); /* pids are unique among live processes */
		return 0;
	}
	long err = orb_proc_watch(proc, con_ntfn, CON_DEAD_BIT);
	if (err) {
		orb_cap_delete(proc);
		return err;
	}
	if (con_watched)
		orb_cap_delete(con_watched); /* its watch may still fire: checks look at ours */
	con_watched = proc;
	con_watched_pid = pid;
	return 0;
}

/*
 * The death notification fired: if the pending reader's process is dead (its
 * watch fired, or an earlier reader's did and this one died too), its saved
 * reply is dropped, so the next reader is not refused and the next line is
 * queued rather than lost.
 */
static void con_reader_check(void)
{
	if (con_reader && !con_watched_alive())
		con_reader_forget(false);
}

/* Answers the saved reader (result and text); false if it was gone. The Reply is used up. */
static bool con_answer_reader(long result, const char *s, size_t n)
{
	struct orb_msg m;
	con_make_reply(&m, result, s, n);
	long r = orb_reply_to(con_reader, &m);
	con_reader_forget(r == 0 || r == -ERR_NOENT);
	return r == 0;
}

static size_t con_cut(size_t len, size_t max)
{
	if (len > max)
		len = max;
	return len > CON_MSG_BYTES ? CON_MSG_BYTES : len;
}

static void con_line_done(const char *s, size_t n)
{
	if (con_reader &&
	    con_answer_reader((long)con_cut(n, con_reader_max), s, con_cut(n, con_reader_max)))
		return;
	if (con_q_count == CON_LINES_QUEUED) { /* full: drop the oldest */
		con_q_head = (con_q_head + 1) % CON_LINES_QUEUED;
		con_q_count--;
	}
	struct con_line *l = &con_q[(con_q_head + con_q_count++) % CON_LINES_QUEUED];
	l->len = n < sizeof(l->text) ? n : sizeof(l->text);
	memcpy(l->text, s, l->len);
}

/* Ctrl-C: type-ahead is discarded; the reader gets -ERR_AGAIN, else the foreground dies. */
static void con_interrupt(void)
{
	con_q_count = 0;
	if (con_reader && con_answer_reader(-ERR_AGAIN, NULL, 0))
		return;
	if (con_fg) {
		long r = orb_proc_kill(con_fg);
		printf("console: Ctrl-C: foreground process killed (%ld)\n", r);
		orb_cap_delete(con_fg);
		con_fg = 0;
	}
}

/* One typed byte or key code, from the serial port or the keyboard. */
static void con_input(int c)
{
	size_t n;
	const char *line;

	switch (ldisc_input(&con_ld, c)) {
	case LDISC_LINE:
		line = ldisc_line(&con_ld, &n);
		con_line_done(line, n);
		break;
	case LDISC_INTR:
		con_interrupt();
		break;
	default:
		break;
	}
}

/* Drains the UART; acknowledges IRQ 4 if it was delivered, then drains again. */
static void con_serial_input(bool irq)
{
	uint8_t buf[64];
	size_t n;

	for (int round = 0; round < (irq ? 2 : 1); round++) {
		while ((n = uart_read(buf, sizeof(buf))) > 0)
			for (size_t i = 0; i < n; i++)
				con_input(buf[i]);
		if (irq && round == 0)
			orb_irq_ack(con_irq);
	}
}

/* A tick: serial input (bits: the notification's word, 0 if none came), the kernel log. */
static void con_tick(uint64_t bits)
{
	if (bits & CON_DEAD_BIT)
		con_reader_check();
	con_serial_input((bits & CON_IRQ_BIT) != 0);
	con_log_poll();
}

/* --- Requests ---------------------------------------------------------------------------- */

static long con_req_write(struct orb_msg *m)
{
	char buf[CON_MSG_BYTES];
	unsigned nwords = IPC_TAG_NWORDS(m->tag);
	size_t n = m->w[0];

	/* Trust boundary: n must fit the words the client really sent. */
	if (nwords < 1 || n > CON_MSG_BYTES || (n + 7) / 8 > nwords - 1)
		return -ERR_INVAL;
	for (size_t off = 0; off < n; off += 8) {
		uint64_t w = *con_word(m, (unsigned)(off / 8) + 1);
		memcpy(buf + off, &w, n - off < 8 ? n - off : 8);
	}
	con_show(buf, n);
	return (long)n;
}

/* True if p is a Process capability with READ (what SYS_PROC_WATCH and WAIT need). */
static bool con_is_proc(cap_handle_t p)
{
	struct cap_info info;
	return p && orb_cap_identify(p, &info) == 0 && info.type == CAP_TYPE_PROCESS &&
	       (info.rights & CAP_RIGHT_READ);
}

/*
 * CON_READLINE (its capability: the reader's Process [READ], consumed):
 * answers at once from the queue, else keeps the reply for the next line and
 * watches the reader's process. Returns true when m holds the answer, false
 * when the reply was saved (or cannot be).
 */
static bool con_req_readline(struct orb_msg *m, unsigned ncaps)
{
	size_t max = m->w[0];
	cap_handle_t proc = ncaps ? orb_ipc_buf()->recv_caps[0] : 0;
	long err = 0;

	con_reader_check(); /* a reader that died just now, its watch not yet delivered */
	if (con_reader)
		err = -ERR_BUSY; /* one reader at a time, until it is answered or dies */
	else if (!con_is_proc(proc))
		err = -ERR_INVAL; /* no read without the reader's life to watch */
	if (err) {
		if (proc)
			orb_cap_delete(proc);
		con_make_reply(m, err, NULL, 0);
		return true;
	}
	if (con_q_count > 0) {
		struct con_line *l = &con_q[con_q_head];
		con_q_head = (con_q_head + 1) % CON_LINES_QUEUED;
		con_q_count--;
		size_t n = con_cut(l->len, max);
		con_make_reply(m, (long)n, l->text, n);
		orb_cap_delete(proc);
		return true;
	}
	long h = orb_reply_save();
	if (h < 0) { /* not a call: there is nobody to answer */
		orb_cap_delete(proc);
		return false;
	}
	/* Watched before it counts: a reader that is dead already fires at once. */
	err = con_watch(proc);
	if (err) {
		con_make_reply(m, err, NULL, 0);
		long r = orb_reply_to((cap_handle_t)h, m);
		if (r != 0 && r != -ERR_NOENT) /* not used up */
			orb_cap_delete((cap_handle_t)h);
		return false;
	}
	con_reader = (cap_handle_t)h;
	con_reader_max = max;
	return false;
}

static long con_req_set_fg(unsigned ncaps)
{
	struct ipc_buffer *b = orb_ipc_buf();
	struct cap_info info;

	if (ncaps == 0) {
		if (con_fg)
			orb_cap_delete(con_fg);
		con_fg = 0;
		return 0;
	}
	cap_handle_t p = b->recv_caps[0];
	if (orb_cap_identify(p, &info) != 0 || info.type != CAP_TYPE_PROCESS ||
	    !(info.rights & CAP_RIGHT_MANAGE)) {
		orb_cap_delete(p);
		return -ERR_BADCAP;
	}
	if (con_fg)
		orb_cap_delete(con_fg);
	con_fg = p;
	return 0;
}

/* Serves one message; m becomes the reply. Returns false when no reply is due now. */
static bool con_serve(struct orb_msg *m)
{
	uint32_t label = IPC_TAG_LABEL(m->tag);
	unsigned ncaps = IPC_TAG_NCAPS(m->tag);
	struct ipc_buffer *b = orb_ipc_buf();
	long r;

	/* Capabilities are taken only by CON_SET_FG and CON_READLINE (their first); drop the
	 * rest unused. */
	bool takes = label == CON_SET_FG || label == CON_READLINE;
	for (unsigned i = takes ? 1 : 0; i < ncaps; i++)
		orb_cap_delete(b->recv_caps[i]);

	if (m->badge == CON_BADGE_SELF && label == CON_EV) {
		con_tick(m->w[0]);
		r = 0;
	} else if (label == KBD_MSG_KEY || label == KBD_MSG_READY) {
		/* Sent without waiting for a reply; believed only from the keyboard. */
		if (m->badge == CON_BADGE_KBD && label == KBD_MSG_KEY &&
		    IPC_TAG_NWORDS(m->tag) >= 1 && m->w[0] <= 0x7fffffff)
			con_input((int)m->w[0]);
		r = m->badge == CON_BADGE_KBD ? 0 : -ERR_PERM;
	} else if (label == CON_WRITE) {
		r = con_req_write(m);
	} else if ((label == CON_READLINE || label == CON_SET_FG) && m->badge != CON_BADGE_TTY) {
		/* The terminal's owner's alone: nobody else reads typed lines or moves Ctrl-C. */
		if (ncaps > 0)
			orb_cap_delete(b->recv_caps[0]);
		r = -ERR_PERM;
	} else if (label == CON_READLINE) {
		return con_req_readline(m, ncaps);
	} else if (label == CON_SET_FG) {
		r = con_req_set_fg(ncaps);
	} else {
		r = -ERR_NOSYS;
	}
	con_make_reply(m, r, NULL, 0);
	return true;
}

/* --- Start-up ------------------------------------------------------------------------------ */

/* The interrupt thread: turns IRQ 4 and the tick into calls to the main loop. */
static void con_irq_thread(void *arg)
{
	(void)arg;
	for (;;) {
		long bits = orb_ntfn_wait(con_ntfn, CON_TICK_NS);
		struct orb_msg m = {0};
		m.tag = IPC_TAG(CON_EV, 1, 0);
		m.w[0] = bits > 0 ? (uint64_t)bits : 0;
		long r = orb_call(con_self_ep, &m, IPC_TIMEOUT_NEVER);
		if (r < 0 || (bits < 0 && bits != -ERR_TIMEOUT))
			orb_sleep(CON_TICK_NS); /* never spin on a failing call */
	}
}

/* The server loop: serves messages; without the interrupt thread, also ticks every CON_POLL_MS. */
static __attribute__((noreturn)) void con_loop(void)
{
	const uint64_t period = (uint64_t)CON_POLL_MS * 1000 * 1000;
	uint64_t next = orb_clock() + period;
	struct orb_msg m = {0};
	bool answer = false;

	for (;;) {
		uint64_t timeout = IPC_TIMEOUT_NEVER;
		if (!con_threaded) {
			uint64_t now = orb_clock();
			if (now >= next) {
				long bits = orb_ntfn_wait(con_ntfn, IPC_TIMEOUT_POLL);
				con_tick(bits > 0 ? (uint64_t)bits : 0);
				next = now + period;
			}
			timeout = next - now < period ? next - now : period;
		}
		if (!answer)
			memset(&m, 0, sizeof(m)); /* a valid empty tag: nothing is pending anyway */
		if (orb_reply_recv(con_ep, &m, timeout) < 0) {
			answer = false; /* a timeout, or the reply failed: nothing more to answer */
			continue;
		}
		answer = con_serve(&m);
	}
}

/* Takes the screen over when it is VGA text; leaves a framebuffer to the kernel. */
static void con_screen_setup(const struct con_start *st)
{
	unsigned w = st->width, h = st->height;

	if (st->screen_type == ORB_SCREEN_NONE)
		return;
	if (st->screen_type != ORB_SCREEN_TEXT) {
		con_screen = SCREEN_KERNEL;
		printf("console: the framebuffer is left to the kernel\n");
		return;
	}
	size_t bytes = ((size_t)w * h * 2 + 4095) & ~(size_t)4095;
	long r = orb_mem_map(orb_self(), st->screen, CON_SCREEN_VADDR, 0, bytes,
			     ORB_PROT_READ | ORB_PROT_WRITE);
	bool cursor = st->crt && orb_ioport_enable(st->crt) == 0;
	if (r == 0)
		r = vga_init((volatile uint16_t *)CON_SCREEN_VADDR, w, h, cursor);
	if (r == 0)
		r = orb_syscall1(SYS_SCREEN_TAKE, st->screen);
	if (r != 0) {
		printf("console: cannot take the screen (%ld): left to the kernel\n", r);
		con_screen = SCREEN_KERNEL;
		return;
	}
	con_screen = SCREEN_TEXT;
	con_log_pos = 0;
	con_log_poll(); /* everything the kernel still keeps, from the oldest byte */
}

static void con_register(cap_handle_t ns)
{
	struct orb_msg m = {0};
	long copy = orb_cap_derive(con_ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0);
	if (copy < 0 || ns_name_pack(CON_NS_NAME, m.w) != 0) {
		printf("console: cannot register with the name service (%ld)\n", copy);
		return;
	}
	/* The name server keeps the name while this process lives (<orb/proto/ns.h>). */
	long self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	if (self < 0) {
		orb_cap_delete((cap_handle_t)copy);
		printf("console: cannot register with the name service (%ld)\n", self);
		return;
	}
	orb_ipc_buf()->send_caps[0] = (cap_handle_t)copy;
	orb_ipc_buf()->send_caps[1] = (cap_handle_t)self;
	m.tag = IPC_TAG(NS_REGISTER, 4, 2);
	long r = orb_call(ns, &m, 5000ull * 1000 * 1000);
	orb_cap_delete((cap_handle_t)self);
	orb_cap_delete((cap_handle_t)copy); /* the name server has its own copy */
	if (r < 0 || (long)m.w[0] < 0)
		printf("console: registering \"%s\" failed (%ld, %ld)\n", CON_NS_NAME, r,
		       r < 0 ? 0 : (long)m.w[0]);
}

int main(int argc, char **argv)
{
	struct con_start st;

	if (con_start_read(argc, argv, &st) != 0)
		return CON_EXIT_BADCAPS;
	con_ep = st.ep;
	con_irq = st.irq;
	con_log = st.log;
	con_threaded = st.threaded;

	long ntfn = orb_ntfn_create();
	long self_ep = con_threaded ? orb_cap_derive(con_ep, CAP_RIGHT_SEND, CON_BADGE_SELF) : 0;
	long r = orb_ioport_enable(st.com1);
	if (ntfn < 0 || self_ep < 0 || r < 0) {
		printf("console: set-up failed (%ld, %ld, %ld)\n", ntfn, self_ep, r);
		return 1;
	}
	con_ntfn = (cap_handle_t)ntfn;
	con_self_ep = (cap_handle_t)self_ep;
	uart_init();
	r = orb_irq_bind(con_irq, con_ntfn);
	if (r < 0) /* polling every tick still reads the UART */
		printf("console: irq_bind(IRQ 4) failed (%ld): polling the serial port\n", r);

	ldisc_init(&con_ld, con_echo, NULL);
	con_screen_setup(&st);
	if (con_threaded && (r = orb_thread_spawn(con_irq_thread, NULL, 0, NULL)) < 0) {
		printf("console: cannot start the interrupt thread (%ld)\n", r);
		return 1;
	}
	if (st.ns && st.self_register)
		con_register(st.ns);
	printf("console: ready (screen %s, %s, %s)\n",
	       con_screen == SCREEN_TEXT     ? "text"
	       : con_screen == SCREEN_KERNEL ? "kernel"
					     : "none",
	       st.crt ? "hardware cursor" : "no cursor",
	       con_threaded ? "interrupt thread" : "polling");
	con_loop();
}
