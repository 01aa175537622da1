/*
 * The console's VGA text screen: a terminal of width x height cells drawn
 * from two streams, the clients' output and the kernel log.
 *
 * Owns a copy of the screen in ordinary memory (the VGA memory is mapped
 * uncached and slow to read): text is drawn into the copy, and vga_flush()
 * writes the rows that changed since the last flush to the screen and moves
 * the hardware cursor (through the CRT controller's index/data ports
 * 0x3d4/0x3d5, only when the server was given them).
 *
 * Invariant: 0 <= vga_row < vga_h and 0 <= vga_col <= vga_w; vga_col ==
 * vga_w means the line is full and wraps before the next character is drawn
 * (so a line of exactly vga_w characters and its '\n' take one row, not
 * two); rows [vga_dirty_lo, vga_dirty_hi) differ from the screen.
 */
#include <stdlib.h>
#include <string.h>
#include <orb/sys.h>
#include "con.h"

#define CRT_INDEX	    0x3d4
#define CRT_DATA	    0x3d5
#define CRT_CURSOR_START    0x0a /* bit 5: cursor off */
#define CRT_CURSOR_LOCATION 0x0e /* high byte; 0x0f: low byte */

static volatile uint16_t *vga_vram;
static uint16_t *vga_copy;
static unsigned vga_w, vga_h, vga_row, vga_col;
static unsigned vga_dirty_lo, vga_dirty_hi;
static bool vga_crt;

static inline void crt_outb(uint16_t port, uint8_t v)
{
	/* SAFETY: only 0x3d4 and 0x3d5, which the server enabled before passing crt = true. */
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static uint16_t vga_blank(uint8_t attr)
{
	return (uint16_t)(attr << 8 | ' ');
}

static void vga_dirty(unsigned lo, unsigned hi)
{
	if (vga_dirty_lo >= vga_dirty_hi) {
		vga_dirty_lo = lo;
		vga_dirty_hi = hi;
		return;
	}
	if (lo < vga_dirty_lo)
		vga_dirty_lo = lo;
	if (hi > vga_dirty_hi)
		vga_dirty_hi = hi;
}

long vga_init(volatile uint16_t *vram, unsigned width, unsigned height, bool crt)
{
	if (width == 0 || height == 0 || width > VGA_MAX_W || height > VGA_MAX_H)
		return -ERR_INVAL;
	vga_copy = malloc((size_t)width * height * sizeof(uint16_t));
	if (!vga_copy)
		return -ERR_NOMEM;
	vga_vram = vram;
	vga_w = width;
	vga_h = height;
	vga_row = vga_col = 0;
	vga_crt = crt;
	for (size_t i = 0; i < (size_t)width * height; i++)
		vga_copy[i] = vga_blank(VGA_ATTR_LOG);
	vga_dirty(0, height);
	if (crt) { /* the kernel may have turned the cursor off */
		crt_outb(CRT_INDEX, CRT_CURSOR_START);
		crt_outb(CRT_DATA, 0x0e); /* scan lines 14..15, on */
	}
	vga_flush();
	return 0;
}

static void vga_newline(void)
{
	vga_col = 0;
	if (vga_row + 1 < vga_h) {
		vga_row++;
		return;
	}
	memmove(vga_copy, vga_copy + vga_w, (size_t)vga_w * (vga_h - 1) * sizeof(uint16_t));
	for (unsigned x = 0; x < vga_w; x++)
		vga_copy[(size_t)(vga_h - 1) * vga_w + x] = vga_blank(VGA_ATTR_LOG);
	vga_dirty(0, vga_h);
}

static void vga_put(uint8_t c, uint8_t attr)
{
	if (vga_col == vga_w) /* the wrap a full line left pending */
		vga_newline();
	vga_copy[(size_t)vga_row * vga_w + vga_col] = (uint16_t)(attr << 8 | c);
	vga_dirty(vga_row, vga_row + 1);
	vga_col++;
}

void vga_write(const char *s, size_t n, uint8_t attr)
{
	if (!vga_copy)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		switch (c) {
		case '\n':
			vga_newline();
			break;
		case '\r':
			vga_col = 0;
			break;
		case '\b':
			if (vga_col > 0)
				vga_col--;
			break;
		case '\t':
			do
				vga_put(' ', attr);
			while (vga_col % 8 != 0);
			break;
		default:
			if (c >= 0x20)
				vga_put(c, attr);
			break;
		}
	}
}

void vga_line_start(void)
{
	if (vga_copy && vga_col != 0)
		vga_newline();
}

void vga_flush(void)
{
	if (!vga_copy)
		return;
	for (unsigned y = vga_dirty_lo; y < vga_dirty_hi; y++)
		for (unsigned x = 0; x < vga_w; x++)
			vga_vram[(size_t)y * vga_w + x] = vga_copy[(size_t)y * vga_w + x];
	vga_dirty_lo = vga_dirty_hi = 0;
	if (vga_crt) {
		unsigned pos = vga_row * vga_w + (vga_col < vga_w ? vga_col : vga_w - 1);
		crt_outb(CRT_INDEX, CRT_CURSOR_LOCATION);
		crt_outb(CRT_DATA, (uint8_t)(pos >> 8));
		crt_outb(CRT_INDEX, CRT_CURSOR_LOCATION + 1);
		crt_outb(CRT_DATA, (uint8_t)pos);
	}
}
