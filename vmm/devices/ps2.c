/*
 * The PS/2 keyboard and mouse behind the i8042; see ps2.h for what each
 * answers.
 *
 * Trust boundary: every byte comes from the guest (through the controller).
 * A byte is only compared and stored; answers go to a bounded queue.
 */
#include <string.h>

#include "ps2.h"

/* Keyboard commands. */
#define KBD_SET_LEDS	  0xed
#define KBD_ECHO	  0xee
#define KBD_SCAN_SET	  0xf0
#define KBD_IDENTIFY	  0xf2
#define KBD_TYPEMATIC	  0xf3
#define KBD_ENABLE	  0xf4
#define KBD_DISABLE	  0xf5
#define KBD_DEFAULTS	  0xf6
#define KBD_SET3_FIRST	  0xf7 /* 0xF7..0xFD: scan code set 3 key modes */
#define KBD_SET3_LAST	  0xfd
#define KBD_RESEND	  0xfe
#define KBD_RESET	  0xff
#define KBD_ID_1	  0xab /* MF2 keyboard: AB 83 */
#define KBD_ID_2	  0x83
#define KBD_TYPEMATIC_DEF 0x2b /* 10.9 characters per second, 500 ms delay */

/* Mouse commands. */
#define MOUSE_SCALE_1TO1 0xe6
#define MOUSE_SCALE_2TO1 0xe7
#define MOUSE_RESOLUTION 0xe8
#define MOUSE_STATUS	 0xe9
#define MOUSE_STREAM	 0xea
#define MOUSE_READ	 0xeb
#define MOUSE_WRAP_OFF	 0xec
#define MOUSE_WRAP_ON	 0xee
#define MOUSE_REMOTE	 0xf0
#define MOUSE_IDENTIFY	 0xf2
#define MOUSE_RATE	 0xf3
#define MOUSE_ENABLE	 0xf4
#define MOUSE_DISABLE	 0xf5
#define MOUSE_DEFAULTS	 0xf6
#define MOUSE_RESEND	 0xfe
#define MOUSE_RESET	 0xff
#define MOUSE_ID	 0x00 /* a standard PS/2 mouse */
#define MOUSE_RATE_DEF	 100
#define MOUSE_RES_DEF	 2    /* 4 counts per millimetre */
#define MOUSE_PACKET_1	 0x08 /* first packet byte: bit 3 is always set */

bool ps2_queue_push(struct ps2_queue *q, uint8_t b)
{
	if (q->count == PS2_QUEUE_SIZE)
		return false;
	q->b[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
	q->count++;
	return true;
}

bool ps2_queue_pop(struct ps2_queue *q, uint8_t *b)
{
	if (q->count == 0)
		return false;
	*b = q->b[q->head];
	q->head = (q->head + 1) % PS2_QUEUE_SIZE;
	q->count--;
	return true;
}

void ps2_queue_clear(struct ps2_queue *q)
{
	q->head = q->count = 0;
}

/* ---- Keyboard ---- */

static void kbd_send(struct ps2_kbd *k, uint8_t b)
{
	k->last = b;
	(void)ps2_queue_push(&k->q, b);
}

static void kbd_defaults(struct ps2_kbd *k)
{
	k->scan_set = 2;
	k->typematic = KBD_TYPEMATIC_DEF;
	k->leds = 0;
}

void ps2_kbd_init(struct ps2_kbd *k)
{
	memset(k, 0, sizeof(*k));
	kbd_defaults(k);
	k->scanning = true;
}

/* The argument byte of k->pending. */
static void kbd_argument(struct ps2_kbd *k, uint8_t byte)
{
	uint8_t cmd = k->pending;
	k->pending = 0;
	if (cmd == KBD_SET_LEDS) {
		k->leds = byte & 0x07;
	} else if (cmd == KBD_TYPEMATIC) {
		k->typematic = byte & 0x7f;
	} else if (byte == 0) { /* KBD_SCAN_SET: report the current set */
		kbd_send(k, PS2_ACK);
		kbd_send(k, k->scan_set);
		return;
	} else if (byte <= 3) {
		k->scan_set = byte;
	} else {
		kbd_send(k, PS2_RESEND);
		return;
	}
	kbd_send(k, PS2_ACK);
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte)
{
	if (k->pending) {
		kbd_argument(k, byte);
		return;
	}
	switch (byte) {
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCAN_SET:
		k->pending = byte;
		kbd_send(k, PS2_ACK);
		break;
	case KBD_ECHO:
		kbd_send(k, PS2_ECHO);
		break;
	case KBD_IDENTIFY:
		kbd_send(k, PS2_ACK);
		kbd_send(k, KBD_ID_1);
		kbd_send(k, KBD_ID_2);
		break;
	case KBD_ENABLE:
		k->scanning = true;
		kbd_send(k, PS2_ACK);
		break;
	case KBD_DISABLE:
		kbd_defaults(k);
		k->scanning = false;
		kbd_send(k, PS2_ACK);
		break;
	case KBD_DEFAULTS:
		kbd_defaults(k);
		kbd_send(k, PS2_ACK);
		break;
	case KBD_RESEND:
		kbd_send(k, k->last);
		break;
	case KBD_RESET:
		/* A reset drops whatever the keyboard had not sent yet. */
		ps2_queue_clear(&k->q);
		kbd_defaults(k);
		k->scanning = true;
		kbd_send(k, PS2_ACK);
		kbd_send(k, PS2_BAT_OK);
		break;
	default:
		kbd_send(k, byte >= KBD_SET3_FIRST && byte <= KBD_SET3_LAST ? PS2_ACK : PS2_RESEND);
		break;
	}
}

/* ---- Mouse ---- */

static void mouse_send(struct ps2_mouse *m, uint8_t b)
{
	m->last = b;
	(void)ps2_queue_push(&m->q, b);
}

static void mouse_defaults(struct ps2_mouse *m)
{
	m->rate = MOUSE_RATE_DEF;
	m->resolution = MOUSE_RES_DEF;
	m->scale_2to1 = false;
	m->reporting = false;
}

void ps2_mouse_init(struct ps2_mouse *m)
{
	memset(m, 0, sizeof(*m));
	mouse_defaults(m);
}

/* The three status bytes: mode, resolution, sample rate (no buttons down). */
static void mouse_status(struct ps2_mouse *m)
{
	uint8_t mode = (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
				 (m->scale_2to1 ? 0x10 : 0));
	mouse_send(m, PS2_ACK);
	mouse_send(m, mode);
	mouse_send(m, m->resolution);
	mouse_send(m, m->rate);
}

/* Commands that only change a setting and are acknowledged. */
static bool mouse_setting(struct ps2_mouse *m, uint8_t byte)
{
	switch (byte) {
	case MOUSE_SCALE_1TO1:
	case MOUSE_SCALE_2TO1:
		m->scale_2to1 = byte == MOUSE_SCALE_2TO1;
		break;
	case MOUSE_STREAM:
	case MOUSE_REMOTE:
		m->remote = byte == MOUSE_REMOTE;
		break;
	case MOUSE_WRAP_ON:
		m->wrap = true;
		break;
	case MOUSE_WRAP_OFF:
		m->wrap = false;
		break;
	case MOUSE_ENABLE:
	case MOUSE_DISABLE:
		m->reporting = byte == MOUSE_ENABLE;
		break;
	case MOUSE_DEFAULTS:
		mouse_defaults(m);
		break;
	default:
		return false;
	}
	mouse_send(m, PS2_ACK);
	return true;
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte)
{
	if (m->pending) {
		if (m->pending == MOUSE_RATE)
			m->rate = byte;
		else
			m->resolution = byte & 0x03;
		m->pending = 0;
		mouse_send(m, PS2_ACK);
		return;
	}
	if (m->wrap && byte != MOUSE_WRAP_OFF && byte != MOUSE_RESET) {
		mouse_send(m, byte); /* wrap mode: the mouse echoes what it gets */
		return;
	}
	if (mouse_setting(m, byte))
		return;
	switch (byte) {
	case MOUSE_RATE:
	case MOUSE_RESOLUTION:
		m->pending = byte;
		mouse_send(m, PS2_ACK);
		break;
	case MOUSE_STATUS:
		mouse_status(m);
		break;
	case MOUSE_READ:
		mouse_send(m, PS2_ACK);
		mouse_send(m, MOUSE_PACKET_1);
		mouse_send(m, 0);
		mouse_send(m, 0);
		break;
	case MOUSE_IDENTIFY:
		mouse_send(m, PS2_ACK);
		mouse_send(m, MOUSE_ID);
		break;
	case MOUSE_RESEND:
		mouse_send(m, m->last);
		break;
	case MOUSE_RESET:
		ps2_queue_clear(&m->q);
		mouse_defaults(m);
		m->remote = m->wrap = false;
		mouse_send(m, PS2_ACK);
		mouse_send(m, PS2_BAT_OK);
		mouse_send(m, MOUSE_ID);
		break;
	default:
		mouse_send(m, PS2_RESEND);
		break;
	}
}
