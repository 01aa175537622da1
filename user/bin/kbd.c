/*
 * kbd: the PS/2 keyboard driver, a ring-3 process.
 *
 * Owns the i8042 controller's keyboard port through exactly two I/O ports
 * (0x60 data, 0x64 status/command; its IoPorts capability covers 0x60..0x64
 * and nothing else, so the CPU's I/O permission bitmap kills it on any other
 * port) and IRQ 1, delivered as a notification. It turns scan codes into keys
 * with <orb/keymap.h> and sends them to one consumer as the messages of
 * <orb/proto/kbd.h>, with SYS_NB_SEND and a bounded queue so that it never
 * blocks on its consumer. It does not own line editing or echo (the console's
 * line discipline does) nor the mouse port (its bytes are discarded).
 *
 * Start-up: check the three start capabilities, enable the ports, look for
 * the controller (none: exit KBD_EXIT_NODEV at once and silently, which init
 * records as "absent" and does not restart; see <orb/proto/kbd.h>), set up the
 * controller (both ports off, flush, keyboard interrupt on, mouse off, scan
 * code translation left as the firmware set it, keyboard port on, scanning
 * on), bind IRQ 1, announce KBD_MSG_READY. Loop: wait for the interrupt (or,
 * while events are queued, for the retry period), read every byte the
 * controller holds, acknowledge the interrupt, read again (a byte that came
 * while the line was masked raised no new edge), send what is queued.
 *
 * Invariant: every delivered interrupt is acknowledged exactly once, after
 * the controller's output buffer was drained; every wait on the controller
 * is bounded in time.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <orb/keymap.h>
#include <orb/proto/kbd.h>
#include <orb/spawn.h>
#include <orb/sys.h>
#include <orb/ioport.h>

#define I8042_DATA   0x60
#define I8042_STATUS 0x64 /* read: status; write: command */

#define ST_OUT_FULL 0x01 /* a byte waits in the data port */
#define ST_IN_FULL  0x02 /* the controller has not taken the last byte written */
#define ST_AUX	    0x20 /* the waiting byte comes from the mouse port */

#define CMD_READ_CONFIG	 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_AUX_OFF	 0xa7
#define CMD_KBD_OFF	 0xad
#define CMD_KBD_ON	 0xae

#define CFG_KBD_IRQ	  0x01
#define CFG_AUX_IRQ	  0x02
#define CFG_KBD_CLOCK_OFF 0x10
#define CFG_AUX_CLOCK_OFF 0x20
#define CFG_TRANSLATE	  0x40

#define DEV_ENABLE_SCAN 0xf4
#define DEV_ACK		0xfa
#define DEV_RESEND	0xfe

#define ST_FLOATING 0xff /* what a port with nothing behind it reads */

#define IO_WAIT_NS (100ull * 1000 * 1000) /* the longest wait for the controller */
#define DRAIN_MAX  64			  /* bytes read per drain (the device queues 16) */

static inline uint64_t kbd_ms(unsigned ms)
{
	return (uint64_t)ms * 1000 * 1000;
}

/* How long to wait before sending again to a consumer that was busy `fails` times running. */
static uint64_t kbd_retry_ns(unsigned fails)
{
	return kbd_ms(fails < 1000 / KBD_RETRY_MS ? KBD_RETRY_MS : KBD_RETRY_SLOW_MS);
}

struct kbd_event {
	uint32_t key;
	uint32_t mods;
};

/* Events waiting for the consumer: a ring, oldest first. */
struct kbd_queue {
	struct kbd_event ev[KBD_QUEUE_LEN];
	unsigned head, count;
	uint64_t dropped; /* events lost since the last message that got through */
};

static struct keymap_state kbd_keys;
static struct kbd_queue kbd_q;

/* Waits until the controller can take a byte; false after IO_WAIT_NS. */
static bool kbd_wait_writable(void)
{
	uint64_t end = orb_clock() + IO_WAIT_NS;
	while (inb(I8042_STATUS) & ST_IN_FULL)
		if (orb_clock() > end)
			return false;
	return true;
}

/* Waits for a byte from the controller and reads it; -1 after IO_WAIT_NS. */
static int kbd_read_byte(void)
{
	uint64_t end = orb_clock() + IO_WAIT_NS;
	while (!(inb(I8042_STATUS) & ST_OUT_FULL))
		if (orb_clock() > end)
			return -1;
	return inb(I8042_DATA);
}

static bool kbd_command(uint8_t cmd)
{
	if (!kbd_wait_writable())
		return false;
	outb(I8042_STATUS, cmd);
	return true;
}

static bool kbd_write_data(uint8_t v)
{
	if (!kbd_wait_writable())
		return false;
	outb(I8042_DATA, v);
	return true;
}

/* Discards whatever the controller holds (bounded). */
static void kbd_flush_controller(void)
{
	for (int i = 0; i < DRAIN_MAX && (inb(I8042_STATUS) & ST_OUT_FULL); i++)
		(void)inb(I8042_DATA);
}

/* Sends a byte to the keyboard and waits for its ACK (resending on request). */
static bool kbd_device_command(uint8_t cmd)
{
	for (int tries = 0; tries < 3; tries++) {
		if (!kbd_write_data(cmd))
			return false;
		int r = kbd_read_byte();
		if (r == DEV_ACK)
			return true;
		if (r != DEV_RESEND)
			return false;
	}
	return false;
}

/*
 * Sets the controller up for the keyboard alone with interrupts on. Returns
 * the configuration byte written, or -1 if the controller does not answer.
 */
static int kbd_controller_init(void)
{
	if (!kbd_command(CMD_KBD_OFF) || !kbd_command(CMD_AUX_OFF))
		return -1;
	kbd_flush_controller();
	if (!kbd_command(CMD_READ_CONFIG))
		return -1;
	int cfg = kbd_read_byte();
	if (cfg < 0)
		return -1;
	/* Keyboard interrupt and clock on; the mouse port's off. Translation stays as the
	 * firmware left it (on, on a PC: the keyboard's set 2 arrives as set 1). */
	cfg = (cfg | CFG_KBD_IRQ | CFG_AUX_CLOCK_OFF) & ~(CFG_AUX_IRQ | CFG_KBD_CLOCK_OFF);
	if (!kbd_command(CMD_WRITE_CONFIG) || !kbd_write_data((uint8_t)cfg))
		return -1;
	if (!kbd_command(CMD_KBD_ON))
		return -1;
	if (!kbd_device_command(DEV_ENABLE_SCAN))
		printf("kbd: warning: the keyboard did not acknowledge 'enable scanning'\n");
	kbd_flush_controller();
	return cfg;
}

static void kbd_enqueue(uint32_t key, uint32_t mods)
{
	if (kbd_q.count == KBD_QUEUE_LEN) {
		kbd_q.dropped++;
		return;
	}
	kbd_q.ev[(kbd_q.head + kbd_q.count) % KBD_QUEUE_LEN] = (struct kbd_event){key, mods};
	kbd_q.count++;
}

/* Reads every byte the controller holds (bounded) and queues the keys they make. */
static void kbd_drain(void)
{
	for (int i = 0; i < DRAIN_MAX; i++) {
		uint8_t st = inb(I8042_STATUS);
		if (!(st & ST_OUT_FULL))
			return;
		uint8_t b = inb(I8042_DATA);
		if (st & ST_AUX)
			continue; /* a mouse byte: not ours */
		int key = keymap_feed(&kbd_keys, b);
		if (key)
			kbd_enqueue((uint32_t)key, keymap_mods(&kbd_keys));
	}
}

/*
 * Sends queued events while the consumer is waiting for them. A consumer that
 * has just taken one message is usually not back in SYS_RECV yet, so a refusal
 * is retried once after yielding the CPU to it. Returns how many events were
 * delivered (the rest stay queued), or -ERR_* if the endpoint capability is
 * unusable.
 */
static long kbd_send_queued(cap_handle_t ep)
{
	long sent = 0;
	bool yielded = false;
	while (kbd_q.count) {
		const struct kbd_event *e = &kbd_q.ev[kbd_q.head];
		struct orb_msg m = {.tag = IPC_TAG(KBD_MSG_KEY, KBD_KEY_WORDS, 0),
				    .w = {e->key, e->mods, kbd_q.dropped, 0}};
		long r = orb_nb_send(ep, &m);
		if (r == -ERR_AGAIN) {
			if (yielded)
				break;
			orb_yield();
			yielded = true;
			continue;
		}
		if (r == -ERR_BADCAP || r == -ERR_PERM)
			return r;
		/* Delivered, or refused for this message alone: either way it is done. */
		if (r == 0) {
			kbd_q.dropped = 0;
			sent++;
		}
		yielded = false;
		kbd_q.head = (kbd_q.head + 1) % KBD_QUEUE_LEN;
		kbd_q.count--;
	}
	return sent;
}

/* The start capabilities must be what <orb/proto/kbd.h> says, with the rights needed. */
static bool kbd_check_caps(void)
{
	static const struct {
		uint32_t type, rights;
		const char *what;
	} want[KBD_NCAPS] = {
	    [KBD_CAP_IOPORTS] = {CAP_TYPE_IOPORTS, CAP_RIGHT_MANAGE, "IoPorts [MANAGE]"},
	    [KBD_CAP_IRQ] = {CAP_TYPE_IRQ, CAP_RIGHT_RECV | CAP_RIGHT_MANAGE, "IRQ [RECV, MANAGE]"},
	    [KBD_CAP_EP] = {CAP_TYPE_ENDPOINT, CAP_RIGHT_SEND, "Endpoint [SEND]"},
	};
	if (orb_start_ncaps() < KBD_NCAPS) {
		printf("kbd: needs %d start capabilities, got %u\n", KBD_NCAPS, orb_start_ncaps());
		return false;
	}
	for (unsigned i = 0; i < KBD_NCAPS; i++) {
		struct cap_info info;
		if (orb_cap_identify(orb_start_cap(i), &info) != 0 || info.type != want[i].type ||
		    (info.rights & want[i].rights) != want[i].rights) {
			printf("kbd: start capability %u is not an %s\n", i, want[i].what);
			return false;
		}
	}
	return true;
}

int main(void)
{
	if (!kbd_check_caps())
		return KBD_EXIT_BADCAPS;
	cap_handle_t io = orb_start_cap(KBD_CAP_IOPORTS);
	cap_handle_t irq = orb_start_cap(KBD_CAP_IRQ);
	cap_handle_t ep = orb_start_cap(KBD_CAP_EP);

	long r = orb_ioport_enable(io);
	if (r != 0) {
		printf("kbd: enabling the I/O ports failed (%ld)\n", r);
		return KBD_EXIT_KERNEL;
	}
	/* No controller (a PC without legacy PS/2, QEMU's `pc` with i8042=off): the status
	 * port floats. Nothing to drive; init reports it once. */
	if (inb(I8042_STATUS) == ST_FLOATING)
		return KBD_EXIT_NODEV;
	int cfg = kbd_controller_init();
	if (cfg < 0) {
		printf("kbd: the i8042 controller does not answer\n");
		return KBD_EXIT_NODEV;
	}
	if (!(cfg & CFG_TRANSLATE))
		printf("kbd: warning: scan code translation is off; keys may decode wrongly\n");

	long ntfn = orb_ntfn_create();
	if (ntfn < 0 || (r = orb_irq_bind(irq, (cap_handle_t)ntfn)) != 0) {
		printf("kbd: binding IRQ 1 failed (%ld)\n", ntfn < 0 ? ntfn : r);
		return KBD_EXIT_KERNEL;
	}
	keymap_init(&kbd_keys);
	kbd_drain(); /* a key pressed before the binding raised no interrupt we saw */
	printf("kbd: i8042 ready (config 0x%02x), IRQ 1 bound\n", (unsigned)cfg);

	/* READY first, sent (retried) like the keys, so nothing typed after it is lost. */
	struct orb_msg ready = {.tag = IPC_TAG(KBD_MSG_READY, KBD_READY_WORDS, 0),
				.w = {KBD_PROTO_VERSION}};
	unsigned fails = 0;
	while ((r = orb_nb_send(ep, &ready)) == -ERR_AGAIN) {
		orb_sleep(kbd_retry_ns(fails++));
		kbd_drain();
	}
	if (r != 0) {
		printf("kbd: cannot send to the consumer (%ld)\n", r);
		return KBD_EXIT_BADCAPS;
	}
	fails = 0;
	for (;;) {
		long sent = kbd_send_queued(ep);
		if (sent < 0) {
			printf("kbd: cannot send to the consumer (%ld)\n", sent);
			return KBD_EXIT_BADCAPS;
		}
		/* fails: rounds in a row in which a busy consumer took nothing. */
		fails = sent || !kbd_q.count ? 0 : fails + 1;
		long w = orb_ntfn_wait((cap_handle_t)ntfn,
				       kbd_q.count ? kbd_retry_ns(fails) : IPC_TIMEOUT_NEVER);
		if (w == -ERR_TIMEOUT)
			continue;
		if (w < 0) {
			printf("kbd: waiting for IRQ 1 failed (%ld)\n", w);
			return KBD_EXIT_KERNEL;
		}
		kbd_drain();
		if ((r = orb_irq_ack(irq)) != 0) {
			printf("kbd: acknowledging IRQ 1 failed (%ld)\n", r);
			return KBD_EXIT_KERNEL;
		}
		kbd_drain();
	}
}
