/*
 * VGA text console: writes characters with an attribute into the text buffer,
 * scrolls by moving rows up, and moves the hardware cursor through the CRT
 * controller ports 0x3D4/0x3D5. Output only; the cell buffer is the single
 * piece of state, guarded by the console lock (callers hold it).
 */
#include "vga_text.h"
#include "console/console.h"
#include "x86/io.h"

#define ATTR 0x07 /* light grey on black */

static struct {
	volatile uint16_t *buf;
	unsigned cols, rows;
	unsigned x, y;
} vga;

static void vga_cursor(void)
{
	uint16_t pos = (uint16_t)(vga.y * vga.cols + vga.x);
	outb(0x3d4, 0x0f);
	outb(0x3d5, pos & 0xff);
	outb(0x3d4, 0x0e);
	outb(0x3d5, pos >> 8);
}

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (vga.rows - 1) * vga.cols; i++)
		vga.buf[i] = vga.buf[i + vga.cols];
	for (unsigned i = 0; i < vga.cols; i++)
		vga.buf[(vga.rows - 1) * vga.cols + i] = (ATTR << 8) | ' ';
	vga.y = vga.rows - 1;
}

static void vga_putc(char c)
{
	switch (c) {
	case '\n':
		vga.x = 0;
		vga.y++;
		break;
	case '\r':
		vga.x = 0;
		break;
	case '\b':
		if (vga.x)
			vga.x--;
		break;
	case '\t':
		vga.x = (vga.x + 8) & ~7u;
		break;
	default:
		vga.buf[vga.y * vga.cols + vga.x] = (uint16_t)((ATTR << 8) | (uint8_t)c);
		vga.x++;
	}
	if (vga.x >= vga.cols) {
		vga.x = 0;
		vga.y++;
	}
	if (vga.y >= vga.rows)
		vga_scroll();
}

static void vga_console_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++)
		vga_putc(s[i]);
	vga_cursor();
}

static struct console vga_console = {
    .name = "vga",
    .write = vga_console_write,
};

struct console *vga_text_init(volatile uint16_t *buffer, unsigned cols, unsigned rows)
{
	vga.buf = buffer;
	vga.cols = cols;
	vga.rows = rows;
	vga.x = vga.y = 0;
	for (unsigned i = 0; i < cols * rows; i++)
		vga.buf[i] = (ATTR << 8) | ' ';
	vga_cursor();
	console_register(&vga_console);
	return &vga_console;
}
