/*
 * Tests of kernel/console/psf.c with the real console fonts from Debian's kbd
 * package (gunzipped in memory with zlib): PSF1 with 256 and 512 glyphs,
 * PSF2 with 10- and 16-pixel-wide glyphs. Every truncated prefix of a font,
 * and headers that lie about their sizes, must be rejected; a fuzz loop flips
 * header bytes and checks that whatever parses stays inside the buffer. Each
 * parse runs on an exactly-sized heap copy, so ASan catches any read past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "console/psf.h"

#define FONT_DIR "/usr/share/consolefonts/"

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob load_font(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), FONT_DIR "%s", name);
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		fail_msg("cannot open %s (is the kbd package installed?)", path);
	struct blob b = {NULL, 0};
	size_t cap = 0;
	for (;;) {
		if (b.size == cap) {
			cap = cap ? cap * 2 : 16384;
			b.data = realloc(b.data, cap);
			assert_non_null(b.data);
		}
		int n = gzread(gz, b.data + b.size, (unsigned)(cap - b.size));
		assert_true(n >= 0);
		if (n == 0)
			break;
		b.size += (size_t)n;
	}
	gzclose(gz);
	return b;
}

/* Parses the first `size` bytes of b from an exactly-sized copy. */
static int parse_prefix(const struct blob *b, size_t size, struct psf_font *f, uint8_t **copy)
{
	*copy = malloc(size ? size : 1);
	assert_non_null(*copy);
	memcpy(*copy, b->data, size);
	return psf_parse(f, *copy, size);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_psf1_256(void **state)
{
	struct blob b = load_font("Lat2-Terminus16.psf.gz");
	struct psf_font f;
	assert_int_equal(b.data[0], 0x36);
	assert_int_equal(psf_parse(&f, b.data, b.size), 0);
	assert_int_equal(f.version, 1);
	assert_int_equal(f.count, 256);
	assert_int_equal(f.width, 8);
	assert_int_equal(f.height, b.data[3]);
	assert_int_equal(f.bytes_per_row, 1);
	assert_int_equal(f.bytes_per_glyph, f.height);
	/* Glyph i starts at 4 + i * charsize. */
	for (unsigned ch = 0; ch < 256; ch++)
		assert_ptr_equal(psf_glyph(&f, ch), b.data + 4 + ch * b.data[3]);
	assert_null(psf_glyph(&f, 256));
	assert_null(psf_glyph(&f, 0x10000));

	/* The glyphs are the font's ASCII: space is blank, 'A' is an A. */
	const uint8_t *sp = psf_glyph(&f, ' ');
	for (unsigned y = 0; y < f.height; y++)
		assert_int_equal(sp[y], 0);
	const uint8_t *a = psf_glyph(&f, 'A');
	assert_int_equal(a[2], 0x3c); /* "..####.." : the top of the A */
	assert_int_equal(a[7], 0x7e); /* ".######." : the crossbar */
	assert_true(psf_pixel(&f, a, 2, 2));
	assert_false(psf_pixel(&f, a, 1, 2));
	assert_true(psf_pixel(&f, a, 1, 7));
	assert_false(psf_pixel(&f, a, 0, 7));
	free(b.data);
}

static void test_psf1_512(void **state)
{
	struct blob b = load_font("Arabic-VGA16.psf.gz");
	struct psf_font f;
	assert_int_equal(b.data[2] & 1, 1);
	assert_int_equal(psf_parse(&f, b.data, b.size), 0);
	assert_int_equal(f.count, 512);
	assert_ptr_equal(psf_glyph(&f, 511), b.data + 4 + 511 * f.height);
	assert_null(psf_glyph(&f, 512));
	free(b.data);
}

static void test_psf2(void **state)
{
	static const struct {
		const char *name;
		uint32_t w, h, count;
	} fonts[] = {
	    {"Lat2-Terminus20x10.psf.gz", 10, 20, 256},
	    {"Uni2-Terminus32x16.psf.gz", 16, 32, 512},
	    {"Lat2-Terminus12x6.psf.gz", 6, 12, 256},
	};
	for (size_t i = 0; i < ARRAY_SIZE(fonts); i++) {
		struct blob b = load_font(fonts[i].name);
		struct psf_font f;
		assert_int_equal(psf_parse(&f, b.data, b.size), 0);
		assert_int_equal(f.version, 2);
		assert_int_equal(f.width, fonts[i].w);
		assert_int_equal(f.height, fonts[i].h);
		assert_int_equal(f.count, fonts[i].count);
		assert_int_equal(f.bytes_per_row, (fonts[i].w + 7) / 8);
		assert_int_equal(f.bytes_per_glyph, le32(b.data + 20));
		size_t hdr = le32(b.data + 8);
		assert_ptr_equal(psf_glyph(&f, 'A'), b.data + hdr + 'A' * f.bytes_per_glyph);
		assert_null(psf_glyph(&f, f.count));

		/* psf_pixel reads the right bit of the right byte. */
		const uint8_t *g = psf_glyph(&f, 'W');
		size_t set = 0;
		for (uint32_t y = 0; y < f.height; y++)
			for (uint32_t x = 0; x < f.width; x++) {
				uint8_t byte = g[y * f.bytes_per_row + x / 8];
				bool want = byte & (0x80 >> (x % 8));
				assert_int_equal(psf_pixel(&f, g, x, y), want);
				set += want;
			}
		assert_true(set > f.height); /* a W has ink */
		free(b.data);
	}
}

/* Every prefix shorter than header + glyphs is refused, and leaves f zeroed. */
static void check_truncations(const char *name)
{
	struct blob b = load_font(name);
	struct psf_font f;
	assert_int_equal(psf_parse(&f, b.data, b.size), 0);
	size_t need = (size_t)(f.glyphs - b.data) + (size_t)f.count * f.bytes_per_glyph;
	assert_true(need <= b.size);
	for (size_t size = 0; size < need; size++) {
		uint8_t *copy;
		memset(&f, 0xaa, sizeof(f));
		int rc = parse_prefix(&b, size, &f, &copy);
		if (rc != -ERR_FORMAT)
			fail_msg("%s: prefix of %zu bytes gave %d", name, size, rc);
		assert_null(f.glyphs);
		assert_int_equal(f.count, 0);
		free(copy);
	}
	uint8_t *copy;
	assert_int_equal(parse_prefix(&b, need, &f, &copy), 0);
	free(copy);
	free(b.data);
}

static void test_truncated(void **state)
{
	check_truncations("Lat2-Terminus16.psf.gz");
	check_truncations("Arabic-VGA16.psf.gz");
	check_truncations("Lat2-Terminus20x10.psf.gz");
}

/* Applies edit to a copy of the font's header and expects a refusal. */
static void expect_bad(const struct blob *b, size_t off, uint32_t value, bool word)
{
	uint8_t *copy = malloc(b->size);
	assert_non_null(copy);
	memcpy(copy, b->data, b->size);
	if (word)
		put_le32(copy + off, value);
	else
		copy[off] = (uint8_t)value;
	struct psf_font f;
	int rc = psf_parse(&f, copy, b->size);
	if (rc != -ERR_FORMAT)
		fail_msg("header byte %zu = %#x accepted (%d)", off, value, rc);
	free(copy);
}

static void test_lying_headers(void **state)
{
	struct blob v1 = load_font("Lat2-Terminus16.psf.gz");
	expect_bad(&v1, 0, 0x37, false); /* magic */
	expect_bad(&v1, 1, 0x05, false); /* magic */
	expect_bad(&v1, 2, 0x08, false); /* unknown mode bit */
	expect_bad(&v1, 2, 0x03, false); /* claims 512 glyphs; the file has 256 */
	expect_bad(&v1, 3, 0x00, false); /* zero height */
	expect_bad(&v1, 3, 0xff, false); /* 256 * 255 bytes of glyphs: past the end */
	free(v1.data);

	struct blob v2 = load_font("Lat2-Terminus20x10.psf.gz");
	expect_bad(&v2, 0, 0x12345678, true);		   /* magic */
	expect_bad(&v2, 4, 1, true);			   /* version */
	expect_bad(&v2, 8, 31, true);			   /* header smaller than the header */
	expect_bad(&v2, 8, 0xfffffff0u, true);		   /* header beyond the buffer */
	expect_bad(&v2, 8, (uint32_t)v2.size - 100, true); /* glyphs run off the end */
	expect_bad(&v2, 16, 0, true);			   /* no glyphs */
	expect_bad(&v2, 16, 0xffffffffu, true);		   /* count * charsize wraps 32 bits */
	expect_bad(&v2, 16, 0x08000000u, true);
	expect_bad(&v2, 16, 1024, true); /* more glyphs than the file holds */
	expect_bad(&v2, 20, 41, true);	 /* charsize != 2 * 20 */
	expect_bad(&v2, 20, 0, true);
	expect_bad(&v2, 24, 0, true);  /* height */
	expect_bad(&v2, 24, 21, true); /* height disagrees with charsize */
	expect_bad(&v2, 24, 0x80000000u, true);
	expect_bad(&v2, 28, 0, true);		/* width */
	expect_bad(&v2, 28, 17, true);		/* 3 bytes a row: charsize wrong */
	expect_bad(&v2, 28, 0xfffffff9u, true); /* (width + 7) would wrap */
	free(v2.data);

	struct psf_font f;
	assert_int_equal(psf_parse(&f, NULL, 100), -ERR_FORMAT);
	assert_int_equal(psf_parse(&f, "\x36\x04", 2), -ERR_FORMAT);
	assert_null(psf_glyph(&f, 0));
}

/* Random header damage: whatever still parses must stay inside the buffer. */
static void test_fuzz_headers(void **state)
{
	struct blob fonts[2] = {load_font("Lat2-Terminus16.psf.gz"),
				load_font("Lat2-Terminus20x10.psf.gz")};
	unsigned seed = 12345;
	int accepted = 0;
	for (int iter = 0; iter < 4000; iter++) {
		const struct blob *b = &fonts[iter & 1];
		seed = seed * 1103515245u + 12345u;
		size_t size = (seed >> 8) % (b->size + 1);
		uint8_t *copy = malloc(size ? size : 1);
		assert_non_null(copy);
		memcpy(copy, b->data, size);
		for (int k = 0; k < 3 && size; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t off = (seed >> 8) % (size < 32 ? size : 32);
			copy[off] = (uint8_t)(seed >> 20);
		}
		struct psf_font f;
		if (psf_parse(&f, copy, size) == 0) {
			accepted++;
			assert_true(f.glyphs >= copy);
			size_t end =
			    (size_t)(f.glyphs - copy) + (size_t)f.count * f.bytes_per_glyph;
			assert_true(end <= size);
			assert_int_equal(f.bytes_per_glyph, f.bytes_per_row * f.height);
			/* Touch the last byte of the last glyph (ASan checks it). */
			volatile uint8_t last = psf_glyph(&f, f.count - 1)[f.bytes_per_glyph - 1];
			(void)last;
		}
		free(copy);
	}
	assert_true(accepted > 0); /* the loop exercised the success path too */
	free(fonts[0].data);
	free(fonts[1].data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_psf1_256),	  cmocka_unit_test(test_psf1_512),
	    cmocka_unit_test(test_psf2),	  cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_lying_headers), cmocka_unit_test(test_fuzz_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
