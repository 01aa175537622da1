/*
 * The framebuffer text console (see fbcon.h): character cells, the cursor,
 * wrapping and scrolling, and pixel packing for 16, 24 and 32 bpp.
 *
 * Trust boundary: the framebuffer geometry comes from the boot loader.
 * fbcon_init() checks it once (known bpp, pitch wide enough for a line,
 * channels inside the pixel); after that every pixel written lies in a cell
 * with column < cols and row < rows, so inside width x height, so inside the
 * pitch * height bytes the caller mapped.
 *
 * Pixels are stored in little-endian byte order (x86 framebuffers) with
 * fixed-size __builtin_memcpy, which compiles to single moves and tolerates
 * any alignment of base and pitch.
 */
#include "console/fbcon.h"
#include "lib/string.h"

#define FBCON_TAB 8

/* Scales an 8-bit channel value to `size` bits at bit `pos`. */
static uint32_t fbcon_channel(uint32_t c8, uint8_t pos, uint8_t size)
{
	if (size == 0 || size > 16 || pos + size > 32)
		return 0; /* not a channel fbcon_init accepts; never shift past 31 */
	uint32_t v = size >= 8 ? c8 << (size - 8) : c8 >> (8 - size);
	return v << pos;
}

uint32_t fbcon_pack(const struct fbcon_fb *fb, uint32_t rgb)
{
	return fbcon_channel((rgb >> 16) & 0xff, fb->red_pos, fb->red_size) |
	       fbcon_channel((rgb >> 8) & 0xff, fb->green_pos, fb->green_size) |
	       fbcon_channel(rgb & 0xff, fb->blue_pos, fb->blue_size);
}

static void fbcon_put(uint8_t *p, uint32_t bytespp, uint32_t v)
{
	if (bytespp == 4) {
		__builtin_memcpy(p, &v, 4);
	} else if (bytespp == 2) {
		uint16_t v16 = (uint16_t)v;
		__builtin_memcpy(p, &v16, 2);
	} else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
	}
}

/* Fills pixel rows [y0, y1) of the whole width with the background. */
static void fbcon_fill_lines(struct fbcon *c, uint32_t y0, uint32_t y1)
{
	uint32_t bytespp = c->fb.bpp / 8;
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *p = c->fb.base + (size_t)y * c->fb.pitch;
		for (uint32_t x = 0; x < c->fb.width; x++, p += bytespp)
			fbcon_put(p, bytespp, c->bg);
	}
}

static bool fbcon_channel_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size >= 1 && size <= 16 && (uint32_t)pos + size <= bpp;
}

int fbcon_init(struct fbcon *c, const struct fbcon_fb *fb, const struct psf_font *font)
{
	if (!fb->base || (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32))
		return -ERR_INVAL;
	if (fb->width == 0 || fb->height == 0 || (uint64_t)fb->width * (fb->bpp / 8) > fb->pitch)
		return -ERR_INVAL;
	if (!fbcon_channel_ok(fb->red_pos, fb->red_size, fb->bpp) ||
	    !fbcon_channel_ok(fb->green_pos, fb->green_size, fb->bpp) ||
	    !fbcon_channel_ok(fb->blue_pos, fb->blue_size, fb->bpp))
		return -ERR_INVAL;
	/* A parsed font has a non-empty glyph of every index below count. */
	if (!font->glyphs || font->width == 0 || font->height == 0 || font->count == 0)
		return -ERR_INVAL;
	uint32_t cols = fb->width / font->width, rows = fb->height / font->height;
	if (cols == 0 || rows == 0)
		return -ERR_INVAL;

	*c = (struct fbcon){.fb = *fb, .font = *font, .cols = cols, .rows = rows};
	fbcon_set_colors(c, FBCON_DEFAULT_FG, FBCON_DEFAULT_BG);
	fbcon_clear(c);
	return 0;
}

void fbcon_set_colors(struct fbcon *c, uint32_t fg_rgb, uint32_t bg_rgb)
{
	c->fg = fbcon_pack(&c->fb, fg_rgb);
	c->bg = fbcon_pack(&c->fb, bg_rgb);
}

void fbcon_clear(struct fbcon *c)
{
	fbcon_fill_lines(c, 0, c->fb.height);
	c->cx = 0;
	c->cy = 0;
}

/* Draws glyph index ch in cell (col, row); col < cols, row < rows. */
static void fbcon_draw(struct fbcon *c, uint32_t col, uint32_t row, unsigned ch)
{
	const struct psf_font *f = &c->font;
	const uint8_t *g = psf_glyph(f, ch);
	if (!g)
		g = psf_glyph(f, '?');
	uint32_t bytespp = c->fb.bpp / 8;
	uint8_t *line =
	    c->fb.base + (size_t)row * f->height * c->fb.pitch + (size_t)col * f->width * bytespp;
	for (uint32_t y = 0; y < f->height; y++, line += c->fb.pitch) {
		uint8_t *p = line;
		for (uint32_t x = 0; x < f->width; x++, p += bytespp) {
			bool on = g && psf_pixel(f, g, x, y);
			fbcon_put(p, bytespp, on ? c->fg : c->bg);
		}
	}
}

/* Moves every text row up by one and blanks the bottom row. */
static void fbcon_scroll(struct fbcon *c)
{
	size_t row_bytes = (size_t)c->font.height * c->fb.pitch;
	memmove(c->fb.base, c->fb.base + row_bytes, (size_t)(c->rows - 1) * row_bytes);
	fbcon_fill_lines(c, (c->rows - 1) * c->font.height, c->rows * c->font.height);
}

static void fbcon_newline(struct fbcon *c)
{
	c->cx = 0;
	if (c->cy + 1 < c->rows)
		c->cy++;
	else
		fbcon_scroll(c);
}

static void fbcon_putc(struct fbcon *c, unsigned char ch)
{
	switch (ch) {
	case '\n':
		fbcon_newline(c);
		return;
	case '\r':
		c->cx = 0;
		return;
	case '\b':
		if (c->cx > 0)
			c->cx--;
		return;
	case '\t':
		if (c->cx >= c->cols)
			fbcon_newline(c);
		c->cx = MIN((c->cx / FBCON_TAB + 1) * FBCON_TAB, c->cols);
		return;
	default:
		break;
	}
	if (ch < 0x20 || ch == 0x7f)
		return; /* other control characters: nothing to draw */
	if (ch >= 0x80)
		ch = '?';
	if (c->cx >= c->cols)
		fbcon_newline(c);
	fbcon_draw(c, c->cx, c->cy, ch);
	c->cx++;
}

void fbcon_write(struct fbcon *c, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fbcon_putc(c, (unsigned char)s[i]);
}
