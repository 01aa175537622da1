/*
 * The legacy 8253/8254 PIT, used only as a known clock (1.193182 MHz) to
 * measure the APIC timer and TSC frequencies at boot, and the 8259 PICs,
 * which are remapped away from the exception vectors and masked.
 */
#ifndef ORB_X86_64_PIT_H
#define ORB_X86_64_PIT_H

#include "lib/types.h"

#define PIT_HZ 1193182u

/* Busy-waits about ms milliseconds on PIT channel 2 (ms <= 50). Returns false at
 * once if there is no PIT (port 0x61 floats at 0xff on a machine without one,
 * such as QEMU's `pc,pit=off`: the gate bit just cleared reads back set), or
 * if its output never went high. */
bool pit_wait_ms(unsigned ms);

/* Remaps the 8259s to VEC_PIC_BASE and masks every line. */
void pic_disable(void);

#endif
