/*
 * The line discipline (see <orb/ldisc.h> for the rules and the invariant).
 * Pure: no system calls and no globals; the echo goes through the caller's
 * callback, so the console server and the host tests drive it the same way.
 * Erasing a Tab echoes one "\b \b" like any other character (the cursor
 * column of a Tab is the terminal's business).
 */
#include <stdbool.h>
#include <stddef.h>
#include <orb/ldisc.h>

#define LDISC_CTRL_C 0x03
#define LDISC_CTRL_D 0x04
#define LDISC_CTRL_U 0x15
#define LDISC_DEL    0x7f

void ldisc_init(struct ldisc *ld, ldisc_echo_fn echo_fn, void *ctx)
{
	ld->len = 0;
	ld->line[0] = '\0';
	ld->done = false;
	ld->after_cr = false;
	ld->echo = true;
	ld->echo_fn = echo_fn;
	ld->echo_ctx = ctx;
}

void ldisc_set_echo(struct ldisc *ld, bool on)
{
	ld->echo = on;
}

static void ldisc_echo(struct ldisc *ld, const char *s, size_t n)
{
	if (ld->echo && ld->echo_fn)
		ld->echo_fn(ld->echo_ctx, s, n);
}

/* Empties the line (keeps the invariant line[len] == '\0'). */
static void ldisc_clear(struct ldisc *ld)
{
	ld->len = 0;
	ld->line[0] = '\0';
}

/* Removes the last byte, echoing its erasure; false if the line was empty. */
static bool ldisc_erase(struct ldisc *ld)
{
	if (ld->len == 0)
		return false;
	ld->line[--ld->len] = '\0';
	ldisc_echo(ld, "\b \b", 3);
	return true;
}

/* True for the bytes a line may hold. */
static bool ldisc_storable(int c)
{
	return c == '\t' || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

enum ldisc_event ldisc_input(struct ldisc *ld, int c)
{
	bool after_cr = ld->after_cr;

	if (ld->done) { /* the previous input completed a line: start a new one */
		ld->done = false;
		ldisc_clear(ld);
	}
	ld->after_cr = (c == '\r');
	switch (c) {
	case '\n':
	case '\r':
		if (c == '\n' && after_cr) /* the second half of "\r\n" */
			return LDISC_NONE;
		ldisc_echo(ld, "\n", 1);
		ld->done = true;
		return LDISC_LINE;
	case '\b':
	case LDISC_DEL:
		ldisc_erase(ld);
		return LDISC_NONE;
	case LDISC_CTRL_C:
		ldisc_clear(ld);
		ldisc_echo(ld, "^C\n", 3);
		return LDISC_INTR;
	case LDISC_CTRL_U:
		while (ldisc_erase(ld))
			;
		return LDISC_NONE;
	case LDISC_CTRL_D:
		return ld->len == 0 ? LDISC_EOF : LDISC_NONE;
	default:
		break;
	}
	if (!ldisc_storable(c) || ld->len >= LDISC_LINE_MAX - 1)
		return LDISC_NONE;
	char b = (char)c;
	ld->line[ld->len++] = b;
	ld->line[ld->len] = '\0';
	ldisc_echo(ld, &b, 1);
	return LDISC_NONE;
}

const char *ldisc_line(const struct ldisc *ld, size_t *len)
{
	if (len)
		*len = ld->len;
	return ld->line;
}
