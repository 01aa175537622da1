/*
 * Scan code set 1 to the US layout (see <orb/keymap.h> for the results and
 * the invariants). Two tables give each plain make code (0x01..0x58) its
 * character without and with Shift; the extended (0xE0) keys, the keypad and
 * the modifiers are decoded by code. Pure: no system calls, no globals, so
 * the host tests run it unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <orb/keymap.h>

#define SC_BREAK  0x80u
#define SC_E0	  0xe0u
#define SC_E1	  0xe1u
#define SC_LCTRL  0x1du
#define SC_LSHIFT 0x2au
#define SC_RSHIFT 0x36u
#define SC_LALT	  0x38u
#define SC_CAPS	  0x3au
#define SC_F1	  0x3bu
#define SC_F10	  0x44u
#define SC_NUM	  0x45u
#define SC_KP7	  0x47u
#define SC_KPDOT  0x53u
#define SC_F11	  0x57u
#define SC_F12	  0x58u
#define SC_COUNT  0x59u

/* Characters of the plain make codes; 0 = no character. */
static const char keymap_plain[SC_COUNT] = {
    [0x01] = 0x1b, [0x02] = '1',  [0x03] = '2',	 [0x04] = '3',	[0x05] = '4',  [0x06] = '5',
    [0x07] = '6',  [0x08] = '7',  [0x09] = '8',	 [0x0a] = '9',	[0x0b] = '0',  [0x0c] = '-',
    [0x0d] = '=',  [0x0e] = '\b', [0x0f] = '\t', [0x10] = 'q',	[0x11] = 'w',  [0x12] = 'e',
    [0x13] = 'r',  [0x14] = 't',  [0x15] = 'y',	 [0x16] = 'u',	[0x17] = 'i',  [0x18] = 'o',
    [0x19] = 'p',  [0x1a] = '[',  [0x1b] = ']',	 [0x1c] = '\n', [0x1e] = 'a',  [0x1f] = 's',
    [0x20] = 'd',  [0x21] = 'f',  [0x22] = 'g',	 [0x23] = 'h',	[0x24] = 'j',  [0x25] = 'k',
    [0x26] = 'l',  [0x27] = ';',  [0x28] = '\'', [0x29] = '`',	[0x2b] = '\\', [0x2c] = 'z',
    [0x2d] = 'x',  [0x2e] = 'c',  [0x2f] = 'v',	 [0x30] = 'b',	[0x31] = 'n',  [0x32] = 'm',
    [0x33] = ',',  [0x34] = '.',  [0x35] = '/',	 [0x37] = '*',	[0x39] = ' ',  [0x4a] = '-',
    [0x4e] = '+',
};

/* The same with Shift held (letters are handled apart, with Caps Lock). */
static const char keymap_shifted[SC_COUNT] = {
    [0x01] = 0x1b, [0x02] = '!',  [0x03] = '@',	 [0x04] = '#', [0x05] = '$', [0x06] = '%',
    [0x07] = '^',  [0x08] = '&',  [0x09] = '*',	 [0x0a] = '(', [0x0b] = ')', [0x0c] = '_',
    [0x0d] = '+',  [0x0e] = '\b', [0x0f] = '\t', [0x1a] = '{', [0x1b] = '}', [0x1c] = '\n',
    [0x27] = ':',  [0x28] = '"',  [0x29] = '~',	 [0x2b] = '|', [0x33] = '<', [0x34] = '>',
    [0x35] = '?',  [0x37] = '*',  [0x39] = ' ',	 [0x4a] = '-', [0x4e] = '+',
};

/* The keypad 7 8 9 - 4 5 6 + 1 2 3 0 . (0x47..0x53): Num Lock on, then off. */
static const char keymap_kp_num[] = "789-456+1230.";
static const int keymap_kp_nav[] = {
    KEYMAP_HOME, KEYMAP_UP,   KEYMAP_PGUP, '-',		  KEYMAP_LEFT,	 0, KEYMAP_RIGHT, '+',
    KEYMAP_END,	 KEYMAP_DOWN, KEYMAP_PGDN, KEYMAP_INSERT, KEYMAP_DELETE,
};
_Static_assert(sizeof(keymap_kp_nav) / sizeof(keymap_kp_nav[0]) == sizeof(keymap_kp_num) - 1,
	       "one entry per keypad key");

void keymap_init(struct keymap_state *s)
{
	*s = (struct keymap_state){0};
}

unsigned keymap_mods(const struct keymap_state *s)
{
	unsigned m = 0;
	if (s->shift)
		m |= KEYMAP_MOD_SHIFT;
	if (s->ctrl)
		m |= KEYMAP_MOD_CTRL;
	if (s->alt)
		m |= KEYMAP_MOD_ALT;
	if (s->caps_lock)
		m |= KEYMAP_MOD_CAPS;
	if (s->num_lock)
		m |= KEYMAP_MOD_NUM;
	return m;
}

/* Sets or clears `bit` of a modifier's down-mask. */
static void keymap_set_mod(uint8_t *mask, uint8_t bit, bool down)
{
	if (down)
		*mask |= bit;
	else
		*mask &= (uint8_t)~bit;
}

/* Applies Ctrl to a character: letters and [ \ ] become control codes. */
static int keymap_ctrl(int c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 1;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 1;
	if (c == '[' || c == '{')
		return 27;
	if (c == '\\' || c == '|')
		return 28;
	if (c == ']' || c == '}')
		return 29;
	return c;
}

/* A make or break code after 0xE0 (code without the break bit). */
static int keymap_extended(struct keymap_state *s, uint8_t code, bool down)
{
	switch (code) {
	case SC_LCTRL: /* right Ctrl */
		keymap_set_mod(&s->ctrl, 2, down);
		return 0;
	case SC_LALT: /* right Alt */
		keymap_set_mod(&s->alt, 2, down);
		return 0;
	default:
		break;
	}
	if (!down)
		return 0;
	switch (code) {
	case 0x1c: /* keypad Enter */
		return '\n';
	case 0x35: /* keypad / */
		return '/';
	case 0x47:
		return KEYMAP_HOME;
	case 0x48:
		return KEYMAP_UP;
	case 0x49:
		return KEYMAP_PGUP;
	case 0x4b:
		return KEYMAP_LEFT;
	case 0x4d:
		return KEYMAP_RIGHT;
	case 0x4f:
		return KEYMAP_END;
	case 0x50:
		return KEYMAP_DOWN;
	case 0x51:
		return KEYMAP_PGDN;
	case 0x52:
		return KEYMAP_INSERT;
	case 0x53:
		return KEYMAP_DELETE;
	default: /* fake Shifts around Print Screen (0x2a, 0x36), GUI and Menu keys, ... */
		return 0;
	}
}

/* A plain make code (not a modifier). */
static int keymap_plain_make(const struct keymap_state *s, uint8_t code)
{
	if (code >= SC_F1 && code <= SC_F10)
		return KEYMAP_F1 + (code - SC_F1);
	if (code == SC_F11 || code == SC_F12)
		return KEYMAP_F1 + 10 + (code - SC_F11);
	if (code >= SC_KP7 && code <= SC_KPDOT)
		return s->num_lock ? keymap_kp_num[code - SC_KP7] : keymap_kp_nav[code - SC_KP7];
	if (code >= SC_COUNT)
		return 0;
	int c = (unsigned char)keymap_plain[code];
	if (c >= 'a' && c <= 'z') {
		bool upper = (s->shift != 0) != s->caps_lock;
		if (upper)
			c = c - 'a' + 'A';
	} else if (s->shift && keymap_shifted[code]) {
		c = (unsigned char)keymap_shifted[code];
	}
	if (c && s->ctrl)
		c = keymap_ctrl(c);
	return c;
}

int keymap_feed(struct keymap_state *s, uint8_t sc)
{
	if (s->e1_skip) { /* Pause: E1 1D 45 E1 9D C5 has no meaning here */
		s->e1_skip--;
		return 0;
	}
	if (sc == SC_E0) {
		s->e0 = true;
		return 0;
	}
	if (sc == SC_E1) {
		s->e0 = false;
		s->e1_skip = 2;
		return 0;
	}
	if (sc == 0x00 || sc == 0xff) { /* controller errors: no key */
		s->e0 = false;
		return 0;
	}
	bool down = !(sc & SC_BREAK);
	uint8_t code = sc & (uint8_t)~SC_BREAK;
	if (s->e0) {
		s->e0 = false;
		return keymap_extended(s, code, down);
	}
	switch (code) {
	case SC_LSHIFT:
		keymap_set_mod(&s->shift, 1, down);
		return 0;
	case SC_RSHIFT:
		keymap_set_mod(&s->shift, 2, down);
		return 0;
	case SC_LCTRL:
		keymap_set_mod(&s->ctrl, 1, down);
		return 0;
	case SC_LALT:
		keymap_set_mod(&s->alt, 1, down);
		return 0;
	case SC_CAPS:
		if (down && !s->caps_down)
			s->caps_lock = !s->caps_lock;
		s->caps_down = down;
		return 0;
	case SC_NUM:
		if (down && !s->num_down)
			s->num_lock = !s->num_lock;
		s->num_down = down;
		return 0;
	default:
		break;
	}
	return down ? keymap_plain_make(s, code) : 0;
}
