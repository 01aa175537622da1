/*
 * The architecture's start-up steps, called by kmain in this order:
 *   arch_console_init()   serial console (works before anything else)
 *   arch_cpu_init()       CPU features, GDT/TSS with IST stacks, IDT
 *   arch_screen_init()    VGA text or framebuffer console, once memory is mapped
 * and the machine-level services kmain and the tests need.
 */
#ifndef ORB_ARCH_INIT_H
#define ORB_ARCH_INIT_H

#include "core/bootinfo.h"

void arch_console_init(void);
void arch_cpu_init(void);
void arch_screen_init(const struct boot_info *bi);

struct orb_screen_info;
/* What the screen is (for the console server): false if there is none. */
bool arch_screen_describe(struct orb_screen_info *info, paddr_t *base, size_t *bytes);

/* The kernel stops drawing its log on the screen (a user-space console took it over). */
void arch_screen_release(void);

/* Checks that text written to the framebuffer console is really drawn there:
 * 0 yes, 1 no framebuffer console, -1 the pixels are wrong. */
int screen_selftest(void);

/* Name of the CPU ("AMD EPYC ..."), for the banner. */
const char *arch_cpu_name(void);

/* Leaves the emulator with a status (QEMU isa-debug-exit); returns if there is none. */
void arch_emulator_exit(uint8_t code);

/* Interrupt controllers, ACPI, timer calibration and the clock (after the heap). */
void arch_platform_init(const struct boot_info *bi);

/* Starts the other CPUs; returns how many CPUs are online. */
unsigned arch_start_cpus(void);

/* Stops every other CPU (panic). */
void arch_stop_other_cpus(void);

/* Waits for an interrupt. */
void arch_idle(void);

#endif
