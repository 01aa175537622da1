/*
 * Flat 16-bit real-mode binaries (--real-mode): loaded at REALMODE_LOAD_ADDR
 * (0x10000) and started at 1000:0000 with DS = ES = SS = 0x1000, SP = 0xfffe,
 * interrupts off. The binary may be at most EBDA_START - 0x10000 bytes.
 * Such a guest ends by executing hlt (orbvm then exits 0).
 */
#ifndef ORBVM_REALMODE_H
#define ORBVM_REALMODE_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem.h"

#define REALMODE_SEGMENT  0x1000
#define REALMODE_MAX_SIZE (0x9fc00 - 0x10000)

/* Copies the binary into guest memory; -ERR_RANGE if too large or empty. */
int realmode_load(struct guest_mem *m, const uint8_t *bin, size_t len);

/* Adjusts KVM's reset-state sregs/regs to enter the binary. */
void realmode_cpu_state(struct kvm_sregs *sregs, struct kvm_regs *regs);

#endif
