/*
 * Tests of kernel/console/fbcon.c: render into a heap framebuffer (exactly
 * pitch * height bytes, with padding at the end of each line, so ASan sees
 * any write outside it) and compare every pixel of the cells drawn against
 * the font bitmap read straight from the font file. Covers 16, 24 and 32 bpp
 * with different channel layouts, wrapping, tabs and other control
 * characters, and scrolling. Fonts: Lat2-Terminus16 (PSF1, 8x16, the one the
 * kernel embeds) and Lat2-Terminus20x10 (PSF2, 10 pixels wide).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "console/fbcon.h"

struct font_file {
	uint8_t data[65536];
	size_t size;
	struct psf_font font;
	size_t glyph_off;   /* where glyph 0 starts in data */
	uint32_t w, h, bpr; /* read from the header by the test itself */
};

static struct font_file font8x16, font10x20;

static void load(struct font_file *ff, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "/usr/share/consolefonts/%s", name);
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		fail_msg("cannot open %s (is the kbd package installed?)", path);
	int n = gzread(gz, ff->data, sizeof(ff->data));
	gzclose(gz);
	assert_true(n > 0 && (size_t)n < sizeof(ff->data));
	ff->size = (size_t)n;
	assert_int_equal(psf_parse(&ff->font, ff->data, ff->size), 0);
	if (ff->data[0] == 0x36) {
		ff->glyph_off = 4;
		ff->w = 8;
		ff->h = ff->data[3];
	} else {
		ff->glyph_off = ff->data[8];
		ff->h = ff->data[24];
		ff->w = ff->data[28];
	}
	ff->bpr = (ff->w + 7) / 8;
}

static int setup(void **state)
{
	load(&font8x16, "Lat2-Terminus16.psf.gz");
	load(&font10x20, "Lat2-Terminus20x10.psf.gz");
	return 0;
}

/* Pixel (x, y) of glyph ch, from the raw font bytes. */
static bool font_bit(const struct font_file *ff, unsigned ch, uint32_t x, uint32_t y)
{
	const uint8_t *g = ff->data + ff->glyph_off + (size_t)ch * ff->bpr * ff->h;
	return (g[y * ff->bpr + x / 8] >> (7 - x % 8)) & 1;
}

struct layout {
	uint8_t bpp, rp, rs, gp, gs, bp, bs;
};

static const struct layout xrgb32 = {32, 16, 8, 8, 8, 0, 8};
static const struct layout xbgr32 = {32, 0, 8, 8, 8, 16, 8};
static const struct layout rgb24 = {24, 16, 8, 8, 8, 0, 8};
static const struct layout bgr24 = {24, 0, 8, 8, 8, 16, 8};
static const struct layout rgb565 = {16, 11, 5, 5, 6, 0, 5};
static const struct layout rgb555 = {16, 10, 5, 5, 5, 0, 5};

/* The test's own packing: top `size` bits of each 8-bit channel. */
static uint32_t pack(const struct layout *l, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	return (r >> (8 - l->rs)) << l->rp | (g >> (8 - l->gs)) << l->gp |
	       (b >> (8 - l->bs)) << l->bp;
}

#define PAD 12 /* bytes after each line that fbcon must not touch */

struct screen {
	struct fbcon con;
	struct fbcon_fb fb;
	const struct font_file *ff;
	size_t bytes;
};

static void screen_open(struct screen *s, const struct layout *l, uint32_t w, uint32_t h,
			const struct font_file *ff)
{
	memset(s, 0, sizeof(*s));
	s->fb = (struct fbcon_fb){.pitch = w * (l->bpp / 8) + PAD,
				  .width = w,
				  .height = h,
				  .bpp = l->bpp,
				  .red_pos = l->rp,
				  .red_size = l->rs,
				  .green_pos = l->gp,
				  .green_size = l->gs,
				  .blue_pos = l->bp,
				  .blue_size = l->bs};
	s->bytes = (size_t)s->fb.pitch * h;
	s->fb.base = malloc(s->bytes);
	assert_non_null(s->fb.base);
	memset(s->fb.base, 0x5a, s->bytes);
	s->ff = ff;
	assert_int_equal(fbcon_init(&s->con, &s->fb, &ff->font), 0);
}

static void screen_close(struct screen *s)
{
	/* The padding at the end of every line is as it was. */
	for (uint32_t y = 0; y < s->fb.height; y++)
		for (uint32_t i = 0; i < PAD; i++)
			assert_int_equal(
			    s->fb.base[(size_t)y * s->fb.pitch + s->fb.pitch - PAD + i], 0x5a);
	free(s->fb.base);
}

static uint32_t pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->fb.base + (size_t)y * s->fb.pitch + (size_t)x * (s->fb.bpp / 8);
	uint32_t v = 0;
	for (uint32_t i = 0; i < s->fb.bpp / 8u; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Cell (col, row) shows ch in colours fg/bg (packed); ch 0 = blank. */
static void expect_cell(const struct screen *s, uint32_t col, uint32_t row, unsigned ch,
			uint32_t fg, uint32_t bg)
{
	const struct font_file *ff = s->ff;
	for (uint32_t y = 0; y < ff->h; y++)
		for (uint32_t x = 0; x < ff->w; x++) {
			bool on = ch && font_bit(ff, ch, x, y);
			uint32_t got = pixel(s, col * ff->w + x, row * ff->h + y);
			if (got != (on ? fg : bg))
				fail_msg("cell (%u,%u) '%c' pixel (%u,%u): %#x, want %#x", col, row,
					 ch ? ch : ' ', x, y, got, on ? fg : bg);
		}
}

static void expect_text(const struct screen *s, uint32_t row, const char *text, uint32_t fg,
			uint32_t bg)
{
	for (uint32_t i = 0; text[i]; i++)
		expect_cell(s, i, row, text[i] == ' ' ? 0 : (unsigned char)text[i], fg, bg);
}

static void put(struct screen *s, const char *text)
{
	fbcon_write(&s->con, text, strlen(text));
}

static void test_geometry(void **state)
{
	struct screen s;
	screen_open(&s, &xrgb32, 803, 601, &font8x16);
	assert_int_equal(s.con.cols, 100);
	assert_int_equal(s.con.rows, 37);
	/* init cleared every pixel of the screen to the background. */
	uint32_t bg = pack(&xrgb32, FBCON_DEFAULT_BG);
	for (uint32_t y = 0; y < 601; y++)
		for (uint32_t x = 0; x < 803; x++)
			assert_int_equal(pixel(&s, x, y), bg);
	screen_close(&s);

	screen_open(&s, &rgb24, 800, 600, &font10x20);
	assert_int_equal(s.con.cols, 80);
	assert_int_equal(s.con.rows, 30);
	screen_close(&s);
}

static void test_bad_init(void **state)
{
	uint8_t buf[64 * 64 * 4];
	struct fbcon c;
	struct fbcon_fb good = {buf, 64 * 4, 64, 64, 32, 16, 8, 8, 8, 0, 8};
	assert_int_equal(fbcon_init(&c, &good, &font8x16.font), 0);

	struct fbcon_fb fb = good;
	fb.base = NULL;
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.bpp = 8;
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.pitch = 64 * 4 - 1; /* a line does not fit its pitch */
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.red_pos = 30; /* channel past the pixel */
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.blue_size = 0;
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.height = 15; /* not one text row */
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	fb = good;
	fb.width = 7;
	assert_int_equal(fbcon_init(&c, &fb, &font8x16.font), -ERR_INVAL);
	struct psf_font none = {0};
	assert_int_equal(fbcon_init(&c, &good, &none), -ERR_INVAL);
}

/* Text, in every pixel format, against the font bitmap. */
static void test_draw_formats(void **state)
{
	const struct layout *ls[] = {&xrgb32, &xbgr32, &rgb24, &bgr24, &rgb565, &rgb555};
	const struct font_file *fonts[] = {&font8x16, &font10x20};
	for (size_t f = 0; f < ARRAY_SIZE(fonts); f++)
		for (size_t i = 0; i < ARRAY_SIZE(ls); i++) {
			struct screen s;
			screen_open(&s, ls[i], 321, 203, fonts[f]);
			put(&s, "Hi, @Wz!");
			uint32_t fg = pack(ls[i], FBCON_DEFAULT_FG);
			uint32_t bg = pack(ls[i], FBCON_DEFAULT_BG);
			expect_text(&s, 0, "Hi, @Wz!  ", fg, bg);
			expect_text(&s, 1, "   ", fg, bg);
			assert_int_equal(s.con.cx, 8);
			assert_int_equal(s.con.cy, 0);

			fbcon_set_colors(&s.con, 0xff8000, 0x0000ff);
			put(&s, "#q");
			uint32_t fg2 = pack(ls[i], 0xff8000), bg2 = pack(ls[i], 0x0000ff);
			assert_int_not_equal(fg2, bg2);
			expect_cell(&s, 8, 0, '#', fg2, bg2);
			expect_cell(&s, 9, 0, 'q', fg2, bg2);
			expect_cell(&s, 7, 0, '!', fg, bg); /* earlier text keeps its colours */
			screen_close(&s);
		}
}

/* Channel packing, checked with written-out values. */
static void test_pack(void **state)
{
	struct fbcon_fb fb = {.bpp = 16,
			      .red_pos = 11,
			      .red_size = 5,
			      .green_pos = 5,
			      .green_size = 6,
			      .blue_pos = 0,
			      .blue_size = 5};
	assert_int_equal(fbcon_pack(&fb, 0xffffff), 0xffff);
	assert_int_equal(fbcon_pack(&fb, 0xff0000), 0xf800);
	assert_int_equal(fbcon_pack(&fb, 0x00ff00), 0x07e0);
	assert_int_equal(fbcon_pack(&fb, 0x0000ff), 0x001f);
	assert_int_equal(fbcon_pack(&fb, 0x808080), 0x8410);
	fb = (struct fbcon_fb){.bpp = 32,
			       .red_pos = 0,
			       .red_size = 8,
			       .green_pos = 8,
			       .green_size = 8,
			       .blue_pos = 16,
			       .blue_size = 8};
	assert_int_equal(fbcon_pack(&fb, 0x123456), 0x563412);
	fb = (struct fbcon_fb){.bpp = 32,
			       .red_pos = 20,
			       .red_size = 10,
			       .green_pos = 10,
			       .green_size = 10,
			       .blue_pos = 0,
			       .blue_size = 10};
	assert_int_equal(fbcon_pack(&fb, 0xff0001), 0x3fc00004);

	/* 24 bpp bytes land in memory low byte first: blue, green, red. */
	struct screen s;
	screen_open(&s, &rgb24, 16, 16, &font8x16);
	fbcon_set_colors(&s.con, 0x112233, 0x445566);
	fbcon_clear(&s.con);
	assert_int_equal(s.fb.base[0], 0x66);
	assert_int_equal(s.fb.base[1], 0x55);
	assert_int_equal(s.fb.base[2], 0x44);
	assert_int_equal(s.fb.base[3], 0x66);
	screen_close(&s);
}

static void test_wrap(void **state)
{
	struct screen s;
	screen_open(&s, &xrgb32, 80, 64, &font8x16); /* 10 x 4 cells */
	uint32_t fg = pack(&xrgb32, FBCON_DEFAULT_FG), bg = 0;
	put(&s, "0123456789");
	assert_int_equal(s.con.cy, 0); /* the wrap waits for the next character */
	put(&s, "X");
	expect_text(&s, 0, "0123456789", fg, bg);
	expect_text(&s, 1, "X ", fg, bg);
	assert_int_equal(s.con.cx, 1);
	assert_int_equal(s.con.cy, 1);

	/* A full line then \n: no blank line in between. */
	put(&s, "\nabcdefghij\nY");
	expect_text(&s, 2, "abcdefghij", fg, bg);
	expect_text(&s, 3, "Y ", fg, bg);
	screen_close(&s);
}

static void test_control_chars(void **state)
{
	struct screen s;
	screen_open(&s, &xrgb32, 240, 128, &font8x16); /* 30 x 8 cells */
	uint32_t fg = pack(&xrgb32, FBCON_DEFAULT_FG), bg = 0;
	put(&s, "ab\rc\n");
	expect_text(&s, 0, "cb ", fg, bg);
	put(&s, "abc\b\bX\n");
	expect_text(&s, 1, "aXc ", fg, bg);
	put(&s, "\tT\n");
	expect_text(&s, 2, "        T ", fg, bg);
	put(&s, "abcdefgh\tU\n");
	expect_text(&s, 3, "abcdefgh        U ", fg, bg);
	put(&s, "a\a\x1b\x7f"
		"b\xc3\xa9"
		"c\n"); /* bell, escape, DEL ignored; UTF-8 as ?? */
	expect_text(&s, 4, "ab??c ", fg, bg);
	put(&s, "\b\bq"); /* \b at column 0 stays there */
	expect_text(&s, 5, "q ", fg, bg);
	assert_int_equal(s.con.cx, 1);

	/* A tab past the last stop leaves the cursor at the end, wrap pending. */
	put(&s, "\n01234567890123456789012345\t");
	assert_int_equal(s.con.cx, 30);
	put(&s, "\bY\tZ");
	expect_cell(&s, 29, 6, 'Y', fg, bg);
	/* A tab with the wrap pending: the new line, then its first stop. */
	assert_int_equal(s.con.cy, 7);
	expect_text(&s, 7, "        Z ", fg, bg);
	screen_close(&s);
}

static void test_scroll(void **state)
{
	struct screen s;
	screen_open(&s, &rgb565, 80, 70, &font8x16); /* 10 x 4 cells, 6 spare lines */
	uint32_t fg = pack(&rgb565, FBCON_DEFAULT_FG), bg = 0;
	put(&s, "row0\nrow1\nrow2\nrow3");
	expect_text(&s, 0, "row0 ", fg, bg);
	expect_text(&s, 3, "row3 ", fg, bg);
	put(&s, "\n");
	/* The first row's content moved up: row1 is now on top, bottom blank. */
	expect_text(&s, 0, "row1 ", fg, bg);
	expect_text(&s, 1, "row2 ", fg, bg);
	expect_text(&s, 2, "row3 ", fg, bg);
	expect_text(&s, 3, "          ", fg, bg);
	assert_int_equal(s.con.cx, 0);
	assert_int_equal(s.con.cy, 3);

	/* Many lines, and a wrap that scrolls. */
	char line[16];
	for (int i = 4; i < 40; i++) {
		snprintf(line, sizeof(line), "row%d\n", i);
		put(&s, line);
	}
	put(&s, "abcdefghijKL");
	expect_text(&s, 0, "row38 ", fg, bg);
	expect_text(&s, 1, "row39 ", fg, bg);
	expect_text(&s, 2, "abcdefghij", fg, bg);
	expect_text(&s, 3, "KL        ", fg, bg);
	/* The spare lines below the last text row are still background. */
	for (uint32_t y = 64; y < 70; y++)
		for (uint32_t x = 0; x < 80; x++)
			assert_int_equal(pixel(&s, x, y), bg);
	screen_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_geometry),	 cmocka_unit_test(test_bad_init),
	    cmocka_unit_test(test_draw_formats), cmocka_unit_test(test_pack),
	    cmocka_unit_test(test_wrap),	 cmocka_unit_test(test_control_chars),
	    cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
