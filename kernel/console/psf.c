/*
 * PSF font parsing (see psf.h).
 *
 * Trust boundary: the font image is treated as untrusted input. It is
 * embedded at build time today, but nothing here relies on that: every header
 * field is range-checked before use, sizes are computed in 64 bits so no
 * product can wrap, and the glyph array must fit in the buffer given. Header
 * words are read a byte at a time, so the image need not be aligned.
 *
 * PSF1 header (4 bytes): magic 36 04, mode (bit 0: 512 glyphs, bits 1-2:
 * unicode table present), charsize (= height; width is 8).
 * PSF2 header (32 bytes, little-endian u32s): magic 72 b5 4a 86, version (0),
 * headersize (offset of the glyphs), flags (bit 0: unicode table), length
 * (glyph count), charsize (bytes per glyph), height, width.
 */
#include "console/psf.h"
#include "lib/unaligned.h"

#define PSF1_HEADER_SIZE 4
#define PSF1_MODE512	 0x01
#define PSF1_MODE_MASK	 0x07 /* MODE512 | MODEHASTAB | MODEHASSEQ */
#define PSF2_HEADER_SIZE 32
#define PSF2_MAX_GLYPHS	 65536 /* more than any real font; bounds the arithmetic */

static int psf_parse_v1(struct psf_font *f, const uint8_t *p, size_t size)
{
	uint8_t mode = p[2], height = p[3];
	if ((mode & ~PSF1_MODE_MASK) != 0 || height == 0)
		return -ERR_FORMAT;
	uint32_t count = (mode & PSF1_MODE512) ? 512 : 256;
	/* At most 512 * 255 bytes: no overflow. */
	if ((uint64_t)count * height > size - PSF1_HEADER_SIZE)
		return -ERR_FORMAT;
	*f = (struct psf_font){
	    .glyphs = p + PSF1_HEADER_SIZE,
	    .count = count,
	    .width = 8,
	    .height = height,
	    .bytes_per_row = 1,
	    .bytes_per_glyph = height,
	    .version = 1,
	};
	return 0;
}

static int psf_parse_v2(struct psf_font *f, const uint8_t *p, size_t size)
{
	if (size < PSF2_HEADER_SIZE)
		return -ERR_FORMAT;
	uint32_t version = get_le32(p + 4), hdrsize = get_le32(p + 8);
	uint32_t count = get_le32(p + 16), charsize = get_le32(p + 20);
	uint32_t height = get_le32(p + 24), width = get_le32(p + 28);
	if (version != 0 || hdrsize < PSF2_HEADER_SIZE || hdrsize > size)
		return -ERR_FORMAT;
	if (width == 0 || width > PSF_MAX_DIM || height == 0 || height > PSF_MAX_DIM)
		return -ERR_FORMAT;
	uint32_t bpr = (width + 7) / 8;
	/* A charsize that disagrees with width x height would make glyph rows
	 * land in the wrong place, or past the end of the last glyph. */
	if (charsize != bpr * height)
		return -ERR_FORMAT;
	if (count == 0 || count > PSF2_MAX_GLYPHS)
		return -ERR_FORMAT;
	/* count * charsize <= 2^16 * 2^13: fits easily in 64 bits. */
	if ((uint64_t)count * charsize > size - hdrsize)
		return -ERR_FORMAT;
	*f = (struct psf_font){
	    .glyphs = p + hdrsize,
	    .count = count,
	    .width = width,
	    .height = height,
	    .bytes_per_row = bpr,
	    .bytes_per_glyph = charsize,
	    .version = 2,
	};
	return 0;
}

int psf_parse(struct psf_font *f, const void *data, size_t size)
{
	const uint8_t *p = data;
	*f = (struct psf_font){0};
	if (!p || size < PSF1_HEADER_SIZE)
		return -ERR_FORMAT;
	if (p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1)
		return psf_parse_v1(f, p, size);
	if (get_le32(p) == PSF2_MAGIC)
		return psf_parse_v2(f, p, size);
	return -ERR_FORMAT;
}

const uint8_t *psf_glyph(const struct psf_font *f, unsigned ch)
{
	if (!f->glyphs || ch >= f->count)
		return NULL;
	return f->glyphs + (size_t)ch * f->bytes_per_glyph;
}
