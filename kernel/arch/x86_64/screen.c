/*
 * Choosing the screen console: VGA text mode when the loader left the
 * machine in it (BIOS boots; PVH boots under QEMU's SeaBIOS), a framebuffer
 * text console drawn with the embedded PSF font when firmware gave us a
 * linear framebuffer (UEFI boots). A PVH boot says nothing about video, so
 * VGA text is assumed there until the FADT says there is no VGA (orbvm):
 * then that screen is dropped (screen_drop_assumed_vga).
 */
#include <orbital/proc.h>
#include "arch/init.h"
#include "arch/screen.h"
#include "boot/bootinfo.h"
#include "console/console.h"
#include "console/fbcon.h"
#include "console/kprintf.h"
#include "console/psf.h"
#include "mm/phys.h"
#include "vga_text.h"

extern const uint8_t font_psf_start[], font_psf_end[];

static struct psf_font font;
static struct fbcon fbcon;
static bool fb_active;

static void fb_console_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	fbcon_write(&fbcon, s, n);
}

static struct console fb_console = {
    .name = "framebuffer",
    .write = fb_console_write,
};

static void fb_init(const struct boot_framebuffer *fb)
{
	if (psf_parse(&font, font_psf_start, (size_t)(font_psf_end - font_psf_start))) {
		kwarn("screen: embedded console font is invalid; no framebuffer console\n");
		return;
	}
	struct fbcon_fb desc = {
	    .base = phys_to_virt(fb->addr),
	    .pitch = fb->pitch,
	    .width = fb->width,
	    .height = fb->height,
	    .bpp = fb->bpp,
	    .red_pos = fb->red_pos,
	    .red_size = fb->red_size,
	    .green_pos = fb->green_pos,
	    .green_size = fb->green_size,
	    .blue_pos = fb->blue_pos,
	    .blue_size = fb->blue_size,
	};
	if (fbcon_init(&fbcon, &desc, &font)) {
		kwarn("screen: unsupported framebuffer (%ux%u, %u bpp)\n", fb->width, fb->height,
		      fb->bpp);
		return;
	}
	console_register(&fb_console);
	fb_active = true;
	kinfo("screen: framebuffer console %ux%u, %u bpp, font %ux%u\n", fb->width, fb->height,
	      fb->bpp, font.width, font.height);
}

/* Reads one pixel of the framebuffer back as a packed value. */
static uint32_t fb_read(uint32_t x, uint32_t y)
{
	const uint8_t *p = fbcon.fb.base + (size_t)y * fbcon.fb.pitch + x * (fbcon.fb.bpp / 8);
	uint32_t v = 0;
	for (unsigned i = 0; i < fbcon.fb.bpp / 8u; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int arch_screen_selftest(void)
{
	if (!fb_active)
		return 1; /* no framebuffer console: nothing to check */
	/* Print a line starting with '#' and check, pixel by pixel, that the
	 * framebuffer now shows that glyph in the first cell of the row it went to. */
	kprintf("\n");
	uint32_t row = fbcon.cy;
	kprintf("#screen self-test\n");
	if (fbcon.cy != row + 1 && row != fbcon.rows - 1)
		return -1;
	if (fbcon.cy == row) /* it scrolled: the line is now one row up */
		row--;
	const uint8_t *g = psf_glyph(&font, '#');
	if (!g)
		return -1;
	unsigned fg = 0, bg = 0;
	for (uint32_t y = 0; y < font.height; y++) {
		for (uint32_t x = 0; x < font.width; x++) {
			uint32_t want = psf_pixel(&font, g, x, y) ? fbcon.fg : fbcon.bg;
			if (fb_read(x, row * font.height + y) != want)
				return -1;
			if (want == fbcon.fg)
				fg++;
			else
				bg++;
		}
	}
	return fg && bg ? 0 : -1;
}

/* The screen the kernel draws its log on (NULL: none, or handed over). */
static struct console *screen_console;
static struct orb_screen_info screen_info;
static paddr_t screen_base;
static size_t screen_bytes;
static bool screen_assumed; /* VGA text on a PVH boot, no loader's word for it */

void arch_screen_init(const struct boot_info *bi)
{
	if (bi->fb.type == BOOT_FB_RGB) {
		fb_init(&bi->fb);
		screen_console = &fb_console;
		screen_info = (struct orb_screen_info){
		    .type = ORB_SCREEN_RGB,
		    .width = bi->fb.width,
		    .height = bi->fb.height,
		    .pitch = bi->fb.pitch,
		    .bpp = bi->fb.bpp,
		    .red_pos = bi->fb.red_pos,
		    .red_size = bi->fb.red_size,
		    .green_pos = bi->fb.green_pos,
		    .green_size = bi->fb.green_size,
		    .blue_pos = bi->fb.blue_pos,
		    .blue_size = bi->fb.blue_size,
		};
		screen_base = bi->fb.addr;
		screen_bytes = (size_t)bi->fb.pitch * bi->fb.height;
	} else if (bi->fb.type == BOOT_FB_EGA_TEXT || bi->protocol == BOOT_PROTO_PVH) {
		/* PVH under QEMU: SeaBIOS left the VGA in 80x25 text mode. */
		bool given = bi->fb.type == BOOT_FB_EGA_TEXT;
		paddr_t base = given ? bi->fb.addr : 0xb8000;
		unsigned w = given ? bi->fb.width : 80, h = given ? bi->fb.height : 25;
		screen_console = vga_text_init(phys_to_virt(base), w, h);
		kinfo("screen: VGA text console %ux%u\n", w, h);
		screen_info = (struct orb_screen_info){
		    .type = ORB_SCREEN_TEXT, .width = w, .height = h, .pitch = w * 2, .bpp = 16};
		screen_base = base;
		screen_bytes = (size_t)w * h * 2;
		screen_assumed = !given;
	}
}

void screen_drop_assumed_vga(void)
{
	if (!screen_assumed)
		return;
	arch_screen_release();
	screen_info = (struct orb_screen_info){.type = ORB_SCREEN_NONE};
	screen_assumed = false;
	kinfo("screen: the firmware says there is no VGA; no screen console\n");
}

bool arch_screen_describe(struct orb_screen_info *info, paddr_t *base, size_t *bytes)
{
	if (screen_info.type == ORB_SCREEN_NONE)
		return false;
	*info = screen_info;
	*base = screen_base;
	*bytes = screen_bytes;
	return true;
}

void arch_screen_release(void)
{
	if (screen_console)
		console_unregister(screen_console);
	screen_console = NULL;
}
