/*
 * PC Screen Font (PSF1 and PSF2) bitmaps in memory.
 *
 * psf_parse() checks a font image and describes its glyphs; it never copies
 * them, so the image must outlive the struct psf_font. A glyph is `height`
 * rows of `bytes_per_row` bytes each, most significant bit = leftmost pixel,
 * padding bits on the right of each row. The unicode table that may follow
 * the glyphs is ignored: glyph i is character i, which holds for ASCII in the
 * Linux console fonts (Debian's kbd package) this kernel embeds.
 *
 * Invariants after a successful parse: width, height >= 1 and at most
 * PSF_MAX_DIM; count >= 1; bytes_per_glyph == bytes_per_row * height; and the
 * count glyphs lie entirely inside the buffer that was parsed.
 */
#ifndef ORB_CONSOLE_PSF_H
#define ORB_CONSOLE_PSF_H

#include "lib/types.h"

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF2_MAGIC  0x864ab572u /* bytes 72 b5 4a 86, little-endian */

/* Largest glyph side accepted; real console fonts stop at 32. */
#define PSF_MAX_DIM 256

struct psf_font {
	const uint8_t *glyphs;	  /* glyph 0 */
	uint32_t count;		  /* number of glyphs (PSF1: 256 or 512) */
	uint32_t width;		  /* pixels (PSF1: always 8) */
	uint32_t height;	  /* pixels */
	uint32_t bytes_per_row;	  /* (width + 7) / 8 */
	uint32_t bytes_per_glyph; /* bytes_per_row * height */
	uint8_t version;	  /* 1 or 2 */
};

/*
 * Parses the font image of `size` bytes at data into *f. Returns 0, or
 * -ERR_FORMAT if it is not a PSF font, is truncated, or its header is
 * inconsistent (f is then left zeroed). Reads nothing outside [data, data+size).
 */
int psf_parse(struct psf_font *f, const void *data, size_t size);

/* The bitmap of glyph ch, or NULL if the font has no glyph ch. */
const uint8_t *psf_glyph(const struct psf_font *f, unsigned ch);

/* Whether pixel (x, y) of a glyph bitmap is set; x < width, y < height. */
static inline bool psf_pixel(const struct psf_font *f, const uint8_t *glyph, uint32_t x, uint32_t y)
{
	return (glyph[y * f->bytes_per_row + x / 8] >> (7 - x % 8)) & 1;
}

#endif
