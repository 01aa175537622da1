/*
 * Choosing the screen console: VGA text mode when the loader left the
 * machine in it (BIOS boots; PVH boots under QEMU's SeaBIOS), a framebuffer
 * text console drawn with the embedded PSF font when firmware gave us a
 * linear framebuffer (UEFI boots).
 */
#include <arch/init.h>
#include "core/console.h"
#include "lib/fbcon.h"
#include "lib/kprintf.h"
#include "lib/psf.h"
#include "mm/phys.h"
#include "vga_text.h"

extern const uint8_t font_psf_start[], font_psf_end[];

static struct psf_font font;
static struct fbcon fbcon;

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
	kinfo("screen: framebuffer console %ux%u, %u bpp, font %ux%u\n", fb->width, fb->height,
	      fb->bpp, font.width, font.height);
}

void arch_screen_init(const struct boot_info *bi)
{
	if (bi->fb.type == BOOT_FB_RGB) {
		fb_init(&bi->fb);
	} else if (bi->fb.type == BOOT_FB_EGA_TEXT) {
		vga_text_init(phys_to_virt(bi->fb.addr), bi->fb.width, bi->fb.height);
		kinfo("screen: VGA text console %ux%u\n", bi->fb.width, bi->fb.height);
	} else if (bi->protocol == BOOT_PROTO_PVH) {
		/* PVH under QEMU: SeaBIOS left the VGA in 80x25 text mode. */
		vga_text_init(phys_to_virt(0xb8000), 80, 25);
		kinfo("screen: VGA text console 80x25\n");
	}
}
