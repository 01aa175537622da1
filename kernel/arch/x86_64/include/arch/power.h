/*
 * Rebooting and powering off (arch/x86_64/power.c).
 */
#ifndef ORB_ARCH_POWER_H
#define ORB_ARCH_POWER_H

#include "lib/types.h"

#define POWER_REBOOT 1
#define POWER_HALT   2

/* Finds how to power off (after the ACPI tables are parsed). */
void power_init(void);

/* Reboots or powers off; never returns. */
noreturn void arch_power(int op);

#endif
