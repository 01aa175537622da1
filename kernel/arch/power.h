/*
 * Rebooting, powering off, and leaving an emulator. The architecture
 * implements these (kernel/arch/<arch>/power.c, arch_init.c).
 */
#ifndef ORB_ARCH_POWER_H
#define ORB_ARCH_POWER_H

#include "lib/types.h"

#define POWER_REBOOT 1
#define POWER_HALT   2

/* Reboots or powers off (op: POWER_REBOOT or POWER_HALT); never returns. */
noreturn void arch_power(int op);

/* Leaves the emulator with a status (QEMU's isa-debug-exit on x86-64); returns
 * if there is none. The in-kernel tests report their result this way. */
void arch_emulator_exit(uint8_t code);

#endif
