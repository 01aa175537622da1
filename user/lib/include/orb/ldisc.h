/*
 * A line discipline (canonical input mode): characters typed on a terminal go
 * in one at a time; what must be echoed to the terminal comes out through a
 * callback, and each completed line is reported to the caller.
 *
 * Owns the line being edited and the editing rules; it does not own the
 * terminal (the caller writes the echo wherever it goes, and translates "\n"
 * to "\r\n" on output if its terminal needs that) nor the queue of completed
 * lines (the caller copies a line out when ldisc_input() reports it).
 *
 * Input rules (one byte, or a <orb/keymap.h> key code, per call):
 *   '\r', '\n'       Enter: the line is complete; echo "\n". A '\n' right after
 *                    a '\r' is swallowed (terminals that send "\r\n" for Enter
 *                    complete one line, not two).
 *   '\b', 0x7f (DEL) erase the last character; echo "\b \b" (nothing when the
 *                    line is empty)
 *   Ctrl-C (3)       discard the line; echo "^C\n"; reports LDISC_INTR
 *   Ctrl-U (0x15)    kill the line; echo "\b \b" once per character erased
 *   Ctrl-D (4)       on an empty line: reports LDISC_EOF (echo nothing);
 *                    otherwise ignored
 *   '\t', 0x20..0x7e, 0x80..0xff
 *                    appended and echoed as they are, while the line holds
 *                    fewer than LDISC_LINE_MAX - 1 bytes; beyond, dropped
 *                    without echo (the limit leaves room for the caller's
 *                    terminating NUL)
 *   anything else    other control characters and key codes (arrows, ...):
 *                    ignored; a full-screen editor reads raw keys instead
 * With echo off (ldisc_set_echo) the same rules apply and nothing is echoed.
 *
 * Invariant: 0 <= len < LDISC_LINE_MAX and line[len] == '\0'; line[0..len) is
 * the line being edited or, right after LDISC_LINE, the completed line
 * (without its Enter), valid until the next ldisc_input().
 */
#ifndef ORB_LDISC_H
#define ORB_LDISC_H

#include <stdbool.h>
#include <stddef.h>

#define LDISC_LINE_MAX 256 /* bytes of a line, its terminating NUL included */

/* What one input produced. */
enum ldisc_event {
	LDISC_NONE = 0, /* nothing beyond the echo */
	LDISC_LINE = 1, /* a line is complete: ldisc_line() */
	LDISC_INTR = 2, /* Ctrl-C: the line was discarded; the caller interrupts its client */
	LDISC_EOF = 3,	/* Ctrl-D on an empty line: end of input */
};

/* Called with each piece of echo (never with n == 0). */
typedef void (*ldisc_echo_fn)(void *ctx, const char *s, size_t n);

struct ldisc {
	char line[LDISC_LINE_MAX];
	size_t len;	       /* bytes in line[] */
	bool done;	       /* line[] holds a completed line; the next input starts anew */
	bool after_cr;	       /* the previous input was '\r' */
	bool echo;	       /* echo on */
	ldisc_echo_fn echo_fn; /* may be NULL: no echo */
	void *echo_ctx;
};

/* Starts with an empty line and echo on; echo_fn may be NULL. */
void ldisc_init(struct ldisc *ld, ldisc_echo_fn echo_fn, void *ctx);

/* Turns echo on or off. */
void ldisc_set_echo(struct ldisc *ld, bool on);

/* Feeds one input (a byte 0..255 or a key code); returns an enum ldisc_event. */
enum ldisc_event ldisc_input(struct ldisc *ld, int c);

/*
 * The completed line after LDISC_LINE (without its Enter, NUL-terminated),
 * else the line being edited; *len (if not NULL) gets its length in bytes.
 */
const char *ldisc_line(const struct ldisc *ld, size_t *len);

#endif
