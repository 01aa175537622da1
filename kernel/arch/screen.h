/*
 * The screen the kernel logs to (VGA text or a framebuffer), after
 * arch_screen_init() (arch/init.h) set it up. The architecture implements
 * these (kernel/arch/<arch>/screen.c).
 */
#ifndef ORB_ARCH_SCREEN_H
#define ORB_ARCH_SCREEN_H

#include "lib/types.h"

struct orb_screen_info;

/* What the screen is (for the console server): false if there is none. */
bool arch_screen_describe(struct orb_screen_info *info, paddr_t *base, size_t *bytes);

/* The kernel stops drawing its log on the screen (a user-space console took it over). */
void arch_screen_release(void);

/* Checks that text written to the framebuffer console is really drawn there:
 * 0 yes, 1 no framebuffer console, -1 the pixels are wrong. */
int arch_screen_selftest(void);

#endif
