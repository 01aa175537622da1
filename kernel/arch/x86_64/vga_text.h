/*
 * VGA text-mode console (80x25 at physical 0xB8000), used when the machine
 * boots in text mode (BIOS).
 */
#ifndef ORB_X86_64_VGA_TEXT_H
#define ORB_X86_64_VGA_TEXT_H

#include "lib/types.h"

/* Clears the screen and registers the console. buffer is the mapped text
 * buffer (cols*rows 16-bit cells). */
struct console;
/* Clears the screen and registers it as a console; returns that console. */
struct console *vga_text_init(volatile uint16_t *buffer, unsigned cols, unsigned rows);

/* screen.c: forgets the VGA text console a PVH boot assumed (the FADT says
 * there is no VGA); a screen the loader described stays. */
void screen_drop_assumed_vga(void);

#endif
