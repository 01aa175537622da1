/*
 * A text console drawn on a linear framebuffer with a PSF font.
 *
 * Portable: the caller maps the framebuffer and fills struct fbcon_fb from
 * what the boot loader reported (struct boot_framebuffer); fbcon only writes
 * pixels. The screen is a grid of cols x rows character cells of the font's
 * size, starting at the top-left corner; leftover pixels at the right and
 * bottom edges stay background.
 *
 * fbcon_write() understands \n (new line, back to column 0), \r, \b (cursor
 * left, no erase), \t (next multiple of 8 columns), and wraps at the right
 * edge and scrolls up by one text row at the bottom. Other control bytes are
 * ignored; bytes >= 0x80 are drawn as '?' (the kernel writes ASCII, and a
 * console font's upper half is in no encoding the kernel uses).
 *
 * Invariants: cx <= cols and cy < rows. cx == cols means the last column was
 * just written and the next printable character starts a new line (so a full
 * line followed by \n does not leave a blank line). No locking here: the
 * caller serialises writes (the console lock).
 */
#ifndef ORB_CONSOLE_FBCON_H
#define ORB_CONSOLE_FBCON_H

#include "lib/types.h"
#include "console/psf.h"

/* The framebuffer as the boot loader describes it. */
struct fbcon_fb {
	uint8_t *base;		/* mapped; pitch * height bytes are writable */
	uint32_t pitch;		/* bytes from one scan line to the next */
	uint32_t width, height; /* pixels */
	uint8_t bpp;		/* bits per pixel: 16, 24 or 32 */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

struct fbcon {
	struct fbcon_fb fb;
	struct psf_font font; /* a copy; the glyph bitmaps must stay mapped */
	uint32_t cols, rows;  /* text cells on the screen */
	uint32_t cx, cy;      /* cursor cell (see the invariants above) */
	uint32_t fg, bg;      /* colours as packed pixel values */
};

#define FBCON_DEFAULT_FG 0xaaaaaa /* 0xRRGGBB: light grey */
#define FBCON_DEFAULT_BG 0x000000

/*
 * Sets up c for fb and font, in the default colours, and clears the screen.
 * Returns 0, or -ERR_INVAL if the framebuffer geometry or pixel format is not
 * usable or the screen cannot hold a single character cell.
 */
int fbcon_init(struct fbcon *c, const struct fbcon_fb *fb, const struct psf_font *font);

/* Converts 0xRRGGBB to fb's pixel format. */
uint32_t fbcon_pack(const struct fbcon_fb *fb, uint32_t rgb);

/* Colours (0xRRGGBB) for text written from now on. */
void fbcon_set_colors(struct fbcon *c, uint32_t fg_rgb, uint32_t bg_rgb);

/* Fills the screen with the background colour; cursor to the top left. */
void fbcon_clear(struct fbcon *c);

void fbcon_write(struct fbcon *c, const char *s, size_t n);

#endif
