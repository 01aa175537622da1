/*
 * PS/2 scan code set 1 to the US keyboard layout: one scan-code byte in, at
 * most one character or key event out.
 *
 * Owns the decoding of the byte stream an i8042 controller delivers with
 * translation on (what the BIOS leaves set up): make codes (key down), break
 * codes (make | 0x80, key up), the 0xE0 prefix of the extended keys and the
 * 0xE1 prefix of Pause, and the modifier state (Shift on either side, Ctrl on
 * either side, Alt, Caps Lock, Num Lock). It does not own the hardware (the
 * driver, user/bin/kbd.c, reads the bytes) nor line editing (<orb/ldisc.h>).
 *
 * Results of keymap_feed():
 *   0                    nothing to report (a break code, a modifier, a prefix,
 *                        a key without a meaning here)
 *   1..255               a character: printable ASCII, '\n' (Enter and keypad
 *                        Enter), '\t', '\b' (Backspace), 0x1b (Escape), and
 *                        Ctrl+letter as 1..26 (Ctrl-C = 3), Ctrl+[ \ ] as 27..29
 *   KEYMAP_KEY_FIRST..   a key with no character (arrows, Home, End, Page Up/Down,
 *                        Insert, Delete, F1..F12): distinct codes a line editor
 *                        can act on
 * Shift inverts Caps Lock for letters; Caps Lock affects letters only. A key
 * held down repeats its make code, so it repeats its result. Alt does not
 * change the character; keymap_mods() reports it.
 *
 * Invariant: the state is valid after any byte sequence (unknown codes are
 * ignored, a stray prefix only affects the next byte), so a driver never has
 * to resynchronise.
 */
#ifndef ORB_KEYMAP_H
#define ORB_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

/* Keys without a character (values above any byte). */
enum keymap_key {
	KEYMAP_KEY_FIRST = 0x100,
	KEYMAP_UP = KEYMAP_KEY_FIRST,
	KEYMAP_DOWN,
	KEYMAP_LEFT,
	KEYMAP_RIGHT,
	KEYMAP_HOME,
	KEYMAP_END,
	KEYMAP_PGUP,
	KEYMAP_PGDN,
	KEYMAP_INSERT,
	KEYMAP_DELETE,
	KEYMAP_F1, /* F1..F12 are consecutive */
	KEYMAP_F12 = KEYMAP_F1 + 11,
	KEYMAP_KEY_LAST = KEYMAP_F12,
};

/* Modifier bits (keymap_mods()). */
#define KEYMAP_MOD_SHIFT (1u << 0)
#define KEYMAP_MOD_CTRL	 (1u << 1)
#define KEYMAP_MOD_ALT	 (1u << 2)
#define KEYMAP_MOD_CAPS	 (1u << 3) /* Caps Lock is on */
#define KEYMAP_MOD_NUM	 (1u << 4) /* Num Lock is on */

struct keymap_state {
	bool e0;	 /* the previous byte was the 0xE0 prefix */
	uint8_t e1_skip; /* bytes of a 0xE1 (Pause) sequence still to swallow */
	uint8_t shift;	 /* bit 0: left Shift down, bit 1: right Shift down */
	uint8_t ctrl;	 /* bit 0: left Ctrl, bit 1: right Ctrl */
	uint8_t alt;	 /* bit 0: left Alt, bit 1: right Alt (AltGr) */
	bool caps_lock;	 /* toggled by each Caps Lock make code (not by repeats) */
	bool num_lock;	 /* toggled by each Num Lock make code (not by repeats) */
	bool caps_down;	 /* Caps Lock is held: its repeats do not toggle */
	bool num_down;	 /* Num Lock is held */
};

/* Starts with no key down, Caps Lock and Num Lock off. */
void keymap_init(struct keymap_state *s);

/* Feeds one scan-code byte; returns 0, a character (1..255) or a KEYMAP_* key. */
int keymap_feed(struct keymap_state *s, uint8_t scancode);

/* The modifiers now in effect (KEYMAP_MOD_*). */
unsigned keymap_mods(const struct keymap_state *s);

/* True for a result of keymap_feed() that is a key without a character. */
static inline bool keymap_is_key(int r)
{
	return r >= KEYMAP_KEY_FIRST && r <= KEYMAP_KEY_LAST;
}

#endif
