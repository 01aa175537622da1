/*
 * The i8042 controller: its registers, commands, output buffer and
 * interrupt lines; see i8042.h. The keyboard and mouse are ps2.c.
 *
 * Trust boundary: every port access is the guest's. Values are only stored
 * and compared, RAM indices are masked to I8042_RAM_SIZE, and every queue is
 * bounded, so no sequence of accesses can crash or stall orbvm.
 */
#include <string.h>

#include "i8042.h"

/* Controller commands. */
#define CMD_READ_RAM	0x20 /* 0x20..0x3F: RAM byte (cmd & 0x1F) */
#define CMD_WRITE_RAM	0x60 /* 0x60..0x7F */
#define CMD_AUX_OFF	0xa7
#define CMD_AUX_ON	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_OFF	0xad
#define CMD_KBD_ON	0xae
#define CMD_READ_INPUT	0xc0
#define CMD_READ_OUTP	0xd0
#define CMD_WRITE_OUTP	0xd1
#define CMD_WRITE_KBD_O 0xd2
#define CMD_WRITE_AUX_O 0xd3
#define CMD_WRITE_AUX	0xd4
#define CMD_A20_OFF	0xdd
#define CMD_A20_ON	0xdf
#define CMD_PULSE	0xf0 /* 0xF0..0xFF: pulse the output lines whose bit is 0 */

#define SELF_TEST_OK 0x55
#define PORT_TEST_OK 0x00
#define OUTP_RESET   0x01 /* output port bit 0: the CPU's reset line (0 = reset) */
#define OUTP_A20     0x02
#define OUTP_KBD_OBF 0x10
#define OUTP_AUX_OBF 0x20

static uint8_t ctr(const struct i8042 *k)
{
	return k->ram[0];
}

/* ---- Output buffer and interrupt lines (lock held) ---- */

static void reply(struct i8042 *k, uint8_t byte, enum i8042_src src)
{
	if (k->reply_count == I8042_REPLY_QUEUE)
		return; /* a guest that never reads: drop */
	unsigned i = (k->reply_head + k->reply_count) % I8042_REPLY_QUEUE;
	k->reply[i].byte = byte;
	k->reply[i].src = (uint8_t)src;
	k->reply_count++;
}

/*
 * What the translation of a keyboard byte to set 1 gives, for the bytes
 * this keyboard can send: its answers pass unchanged, except the second ID
 * byte (0x83 -> 0x41) and the scan code set numbers. A keyboard that typed
 * would need the full table; this one never does.
 */
static uint8_t translate(uint8_t b)
{
	static const uint8_t low[4] = {0xff, 0x43, 0x41, 0x3f};
	if (b < 4)
		return low[b];
	return b == 0x83 ? 0x41 : b;
}

static void set_irq(struct i8042 *k, unsigned i, bool level)
{
	if (k->irq_level[i] == level)
		return;
	k->irq_level[i] = level;
	if (k->irq)
		k->irq(k->irq_ctx, i ? I8042_AUX_IRQ : I8042_KBD_IRQ, level);
}

static void update_irqs(struct i8042 *k)
{
	bool aux = k->out_src == I8042_SRC_AUX;
	set_irq(k, 0, k->out_full && !aux && (ctr(k) & I8042_CTR_KBDINT));
	set_irq(k, 1, k->out_full && aux && (ctr(k) & I8042_CTR_AUXINT));
}

/* Loads the next waiting byte into an empty output buffer, if any may come. */
static void refill(struct i8042 *k)
{
	uint8_t b;
	if (k->out_full)
		return;
	if (k->reply_count) {
		k->out = k->reply[k->reply_head].byte;
		k->out_src = (enum i8042_src)k->reply[k->reply_head].src;
		k->reply_head = (k->reply_head + 1) % I8042_REPLY_QUEUE;
		k->reply_count--;
	} else if (!(ctr(k) & I8042_CTR_KBDDIS) && ps2_queue_pop(&k->kbd.q, &b)) {
		k->out = ctr(k) & I8042_CTR_XLATE ? translate(b) : b;
		k->out_src = I8042_SRC_KBD;
	} else if (!(ctr(k) & I8042_CTR_AUXDIS) && ps2_queue_pop(&k->mouse.q, &b)) {
		k->out = b;
		k->out_src = I8042_SRC_AUX;
	} else {
		return;
	}
	k->out_full = true;
}

/* After any change: fill the output buffer and set the lines. */
static void settle(struct i8042 *k)
{
	refill(k);
	update_irqs(k);
}

/* ---- Commands (lock held) ---- */

static uint8_t output_port(const struct i8042 *k)
{
	uint8_t v = k->outport & (OUTP_RESET | OUTP_A20);
	if (k->out_full)
		v |= k->out_src == I8042_SRC_AUX ? OUTP_AUX_OBF : OUTP_KBD_OBF;
	return v;
}

static void reset_line(struct i8042 *k)
{
	vmm_stop_request(k->stop, VMM_STATUS_REBOOT);
}

/* The data byte that command k->pending was waiting for. */
static void command_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;
	k->pending = 0;
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + I8042_RAM_SIZE) {
		k->ram[cmd & (I8042_RAM_SIZE - 1)] = v;
	} else if (cmd == CMD_WRITE_OUTP) {
		k->outport = v;
		if (!(v & OUTP_RESET))
			reset_line(k);
	} else if (cmd == CMD_WRITE_KBD_O) {
		reply(k, v, I8042_SRC_KBD);
	} else if (cmd == CMD_WRITE_AUX_O) {
		reply(k, v, I8042_SRC_AUX);
	} else if (cmd == CMD_WRITE_AUX) {
		ps2_mouse_write(&k->mouse, v);
	}
}

static bool takes_data(uint8_t cmd)
{
	return (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + I8042_RAM_SIZE) ||
	       cmd == CMD_WRITE_OUTP || cmd == CMD_WRITE_KBD_O || cmd == CMD_WRITE_AUX_O ||
	       cmd == CMD_WRITE_AUX;
}

static void command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (takes_data(cmd)) {
		k->pending = cmd;
		return;
	}
	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + I8042_RAM_SIZE) {
		reply(k, k->ram[cmd & (I8042_RAM_SIZE - 1)], I8042_SRC_CTRL);
		return;
	}
	if (cmd >= CMD_PULSE) {
		if (!(cmd & OUTP_RESET))
			reset_line(k);
		return;
	}
	switch (cmd) {
	case CMD_AUX_OFF:
		k->ram[0] |= I8042_CTR_AUXDIS;
		break;
	case CMD_AUX_ON:
		k->ram[0] &= (uint8_t)~I8042_CTR_AUXDIS;
		break;
	case CMD_KBD_OFF:
		k->ram[0] |= I8042_CTR_KBDDIS;
		break;
	case CMD_KBD_ON:
		k->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS;
		break;
	case CMD_SELF_TEST:
		k->ram[0] |= I8042_CTR_SYS;
		reply(k, SELF_TEST_OK, I8042_SRC_CTRL);
		break;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST:
		reply(k, PORT_TEST_OK, I8042_SRC_CTRL);
		break;
	case CMD_READ_INPUT:
		reply(k, 0x00, I8042_SRC_CTRL);
		break;
	case CMD_READ_OUTP:
		reply(k, output_port(k), I8042_SRC_CTRL);
		break;
	case CMD_A20_OFF:
		k->outport &= (uint8_t)~OUTP_A20;
		break;
	case CMD_A20_ON:
		k->outport |= OUTP_A20;
		break;
	default:
		break; /* not implemented: ignored, as unknown ports are */
	}
}

/* ---- Ports ---- */

static uint8_t status(const struct i8042 *k)
{
	uint8_t st = I8042_STR_UNLOCKED;
	if (k->out_full)
		st |= I8042_STR_OBF | (k->out_src == I8042_SRC_AUX ? I8042_STR_AUXDATA : 0);
	if (ctr(k) & I8042_CTR_SYS)
		st |= I8042_STR_SYS;
	if (k->last_was_cmd)
		st |= I8042_STR_CMD;
	return st;
}

static uint8_t read_data(struct i8042 *k)
{
	uint8_t v = k->out;
	if (k->out_full) {
		k->out_full = false;
		update_irqs(k); /* the line falls, so the next byte is a new edge */
	}
	return v;
}

static void write_data(struct i8042 *k, uint8_t v)
{
	k->last_was_cmd = false;
	if (k->pending) {
		command_data(k, v);
		return;
	}
	k->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS; /* a byte for the keyboard opens its port */
	ps2_kbd_write(&k->kbd, v);
}

void i8042_init(struct i8042 *k, struct vmm_stop *stop, void (*irq)(void *, unsigned, bool),
		void *irq_ctx)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->ram[0] = I8042_CTR_START;
	k->outport = OUTP_RESET | OUTP_A20;
	ps2_kbd_init(&k->kbd);
	ps2_mouse_init(&k->mouse);
	k->stop = stop;
	k->irq = irq;
	k->irq_ctx = irq_ctx;
}

void i8042_destroy(struct i8042 *k)
{
	pthread_mutex_destroy(&k->lock);
}

/* Accesses wider than a byte touch only the port's byte; the rest reads 0xFF. */
void i8042_data_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = ctx;
	(void)offset;
	if (len == 0)
		return;
	pthread_mutex_lock(&k->lock);
	if (is_write) {
		write_data(k, data[0]);
	} else {
		memset(data, 0xff, len);
		data[0] = read_data(k);
	}
	settle(k);
	pthread_mutex_unlock(&k->lock);
}

void i8042_command_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = ctx;
	(void)offset;
	if (len == 0)
		return;
	pthread_mutex_lock(&k->lock);
	if (is_write) {
		k->last_was_cmd = true;
		command(k, data[0]);
	} else {
		memset(data, 0xff, len);
		data[0] = status(k);
	}
	settle(k);
	pthread_mutex_unlock(&k->lock);
}
