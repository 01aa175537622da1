/*
 * The console's start-up inputs: its start capabilities, told apart by type
 * as <orb/proto/console.h> describes, and the screen's description in
 * argv[1].
 *
 * Trust boundary: both come from the spawner (init), which is trusted to
 * mean well but not to be right: every capability is identified before it
 * is believed, one of an unexpected kind or rights is refused, and the
 * screen's size is bounded (VGA_MAX_W x VGA_MAX_H) before anything maps it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/proto/console.h>
#include <orb/spawn.h>
#include "con.h"

static bool con_has(uint32_t rights, uint32_t want)
{
	return (rights & want) == want;
}

/* Sorts one start capability into st; false if it fits no free role. */
static bool con_start_cap(struct con_start *st, cap_handle_t c)
{
	struct cap_info ci;
	if (orb_cap_identify(c, &ci) != 0)
		return false;
	switch (ci.type) {
	case CAP_TYPE_ENDPOINT:
		if ((ci.rights & CAP_RIGHT_RECV) && ci.badge == 0 && !st->ep) {
			st->ep = c;
			st->threaded = (ci.rights & CAP_RIGHT_SEND) != 0;
			st->self_register = con_has(ci.rights, CAP_RIGHT_SEND | CAP_RIGHT_GRANT);
			return true;
		}
		if (!(ci.rights & CAP_RIGHT_RECV) &&
		    con_has(ci.rights, CAP_RIGHT_SEND | CAP_RIGHT_GRANT) && !st->ns) {
			st->ns = c;
			return true;
		}
		return false;
	case CAP_TYPE_IOPORTS: /* the first is COM1, the second the CRT controller */
		if (!(ci.rights & CAP_RIGHT_MANAGE) || (st->com1 && st->crt))
			return false;
		*(st->com1 ? &st->crt : &st->com1) = c;
		return true;
	case CAP_TYPE_IRQ:
		if (!con_has(ci.rights, CAP_RIGHT_RECV | CAP_RIGHT_MANAGE) || st->irq)
			return false;
		st->irq = c;
		return true;
	case CAP_TYPE_MEMORY:
		if (!con_has(ci.rights, CAP_RIGHT_MAP | CAP_RIGHT_WRITE) || st->screen)
			return false;
		st->screen = c;
		return true;
	case CAP_TYPE_LOG:
		if (!(ci.rights & CAP_RIGHT_READ) || st->log)
			return false;
		st->log = c;
		return true;
	default:
		return false;
	}
}

/* Reads a decimal number at *s up to the byte `stop`, which it skips; false if there is none. */
static bool con_number(const char **s, char stop, unsigned *out)
{
	char *end;
	unsigned long x = strtoul(*s, &end, 10);
	if (end == *s || *end != stop || x > 0xffffffu)
		return false;
	*out = (unsigned)x;
	*s = end + (stop != '\0');
	return true;
}

/*
 * Parses argv[1]: "text:WxH", "rgb:WxH:PITCH:BPP", "none", or the numeric
 * form "TYPE,WIDTH,HEIGHT,PITCH,BPP". *type gets ORB_SCREEN_*; false if
 * malformed.
 */
static bool con_parse_screen(const char *s, unsigned *type, unsigned *w, unsigned *h)
{
	unsigned pitch, bpp;
	if (strcmp(s, "none") == 0) {
		*type = ORB_SCREEN_NONE;
		return true;
	}
	if (strncmp(s, "text:", 5) == 0) {
		s += 5;
		*type = ORB_SCREEN_TEXT;
		return con_number(&s, 'x', w) && con_number(&s, '\0', h);
	}
	if (strncmp(s, "rgb:", 4) == 0) {
		s += 4;
		*type = ORB_SCREEN_RGB;
		return con_number(&s, 'x', w) && con_number(&s, ':', h) &&
		       con_number(&s, ':', &pitch) && con_number(&s, '\0', &bpp);
	}
	return con_number(&s, ',', type) && con_number(&s, ',', w) && con_number(&s, ',', h) &&
	       con_number(&s, ',', &pitch) && con_number(&s, '\0', &bpp);
}

long con_start_read(int argc, char **argv, struct con_start *st)
{
	const char *geometry = argc >= 2 ? argv[1] : NULL;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < orb_start_ncaps(); i++) {
		if (!con_start_cap(st, orb_start_cap(i))) {
			printf(
			    "console: start capability %u unexpected (see orb/proto/console.h)\n",
			    i);
			return -ERR_INVAL;
		}
	}
	if (!st->ep || !st->com1 || !st->irq) {
		printf("console: start capabilities missing (see orb/proto/console.h)\n");
		return -ERR_INVAL;
	}
	st->screen_type = ORB_SCREEN_NONE;
	if (!st->screen)
		return 0;
	unsigned type = ORB_SCREEN_NONE, w = 0, h = 0;
	if (!geometry || !con_parse_screen(geometry, &type, &w, &h)) {
		printf("console: screen \"%s\" not understood: not used\n",
		       geometry ? geometry : "");
		return 0;
	}
	if (type == ORB_SCREEN_TEXT && (w == 0 || h == 0 || w > VGA_MAX_W || h > VGA_MAX_H)) {
		printf("console: text screen %ux%u out of range: not used\n", w, h);
		return 0;
	}
	st->screen_type = type;
	st->width = w;
	st->height = h;
	return 0;
}
