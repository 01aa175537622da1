/*
 * Powering off on x86-64 (power.c): the part the rest of the arch code calls.
 * arch_power() itself is in arch/power.h.
 */
#ifndef ORB_X86_64_POWER_H
#define ORB_X86_64_POWER_H

/* Finds how to power off (the ACPI S5 sleep type), once the ACPI tables are
 * parsed (platform.c). */
void power_init(void);

#endif
