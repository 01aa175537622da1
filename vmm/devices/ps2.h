/*
 * The two PS/2 devices behind orbvm's i8042 controller (i8042.h): a keyboard
 * on port 1 that answers its commands but never types, and a mouse on port 2
 * (the aux port) that answers its commands but never moves. Keyboard input
 * stays on the serial console; these exist so that a guest's PS/2 drivers
 * (Linux's atkbd and psmouse, Orbital's kbd) find the devices a PC has and
 * talk to them without timeouts.
 *
 * Each device turns a byte from the host (the guest's command or a
 * command's argument) into the bytes it answers, queued in its own bounded
 * queue (PS2_QUEUE_SIZE, as a real keyboard's buffer); the controller takes
 * them from there one at a time. A full queue drops further bytes, so a guest
 * that writes commands without reading the answers costs nothing.
 *
 * Keyboard: ACK 0xFA to every command it knows. 0xFF reset -> FA AA (then
 * scanning on, defaults); 0xF2 identify -> FA AB 83 (an MF2 keyboard; the
 * controller's translation makes the 83 a 41); 0xF4 / 0xF5 scanning on / off
 * (0xF5 also restores the defaults), 0xF6 defaults; 0xED LEDs, 0xF3
 * typematic rate and 0xF0 scan code set take an argument byte, each byte
 * acknowledged (0xF0 0 reports the current set after its ACK; a set other
 * than 1..3 gets 0xFE); 0xEE echo -> EE; 0xFE resend -> the last byte again;
 * 0xF7..0xFD (scan code set 3's key modes) -> FA with no effect. Anything else
 * -> 0xFE, "resend" (the keyboard did not understand it).
 *
 * Mouse: a plain PS/2 mouse (ID 0x00, three-byte packets, no buttons down).
 * 0xFF reset -> FA AA 00; 0xF2 identify -> FA 00; 0xF3 sample rate and 0xE8
 * resolution take an argument (each byte acknowledged); 0xF4 / 0xF5
 * reporting on / off, 0xF6 defaults, 0xE6 / 0xE7 scaling 1:1 / 2:1, 0xEA
 * stream mode, 0xF0 remote mode, 0xEE wrap mode (every byte echoed until
 * 0xEC or 0xFF), 0xEC leave wrap mode -> FA; 0xE9 status -> FA and three
 * status bytes; 0xEB read data -> FA and an all-zero packet (08 00 00);
 * 0xFE resend -> the last byte again; anything else -> 0xFE.
 *
 * Locking: none here; the controller calls these with its lock held.
 */
#ifndef ORBVM_PS2_H
#define ORBVM_PS2_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_QUEUE_SIZE 16

#define PS2_ACK	   0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa /* basic assurance test passed, after a reset */
#define PS2_ECHO   0xee

/* The bytes a device has answered and the controller has not yet taken. */
struct ps2_queue {
	uint8_t b[PS2_QUEUE_SIZE];
	unsigned head, count;
};

struct ps2_kbd {
	struct ps2_queue q;
	uint8_t pending; /* the command waiting for its argument byte, or 0 */
	uint8_t last;	 /* the last byte queued (for 0xFE resend) */
	bool scanning;
	uint8_t scan_set; /* 1..3 */
	uint8_t leds;
	uint8_t typematic;
};

struct ps2_mouse {
	struct ps2_queue q;
	uint8_t pending;
	uint8_t last;
	bool reporting, remote, wrap, scale_2to1;
	uint8_t rate, resolution;
};

/* Queue: push drops the byte when full (returns false); pop returns false when empty. */
bool ps2_queue_push(struct ps2_queue *q, uint8_t b);
bool ps2_queue_pop(struct ps2_queue *q, uint8_t *b);
void ps2_queue_clear(struct ps2_queue *q);

/* Power-on state: empty queue, defaults (the keyboard scanning, the mouse not reporting). */
void ps2_kbd_init(struct ps2_kbd *k);
void ps2_mouse_init(struct ps2_mouse *m);

/* A byte from the host to the device; its answer goes to its queue. */
void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte);

#endif
