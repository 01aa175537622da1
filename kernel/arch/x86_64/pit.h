/*
 * The legacy 8253/8254 PIT, used only as a known clock (1.193182 MHz) to
 * measure the TSC frequency at boot, and the 8259 PICs,
 * which are remapped away from the exception vectors and masked.
 */
#ifndef ORB_X86_64_PIT_H
#define ORB_X86_64_PIT_H

#include "lib/types.h"

#define PIT_HZ 1193182u

/* Whether there is a PIT: port 0x61's gate bit is a latch that reads back
 * what was written, while a port with nothing behind it (QEMU's `pc,pit=off`)
 * floats at 0xff. Told without timing, so a stalled vCPU cannot fool it.
 * Leaves the gate closed and the speaker off. */
bool pit_present(void);

/* Channel 2 as a stopwatch that runs while the boot CPU does other work: it
 * counts down from 0xffff at PIT_HZ and wraps (mode 0, gate open). Its output
 * goes high once it has run 0x10000 ticks (54.9 ms) and stays high, so a
 * reader can tell that a count may have wrapped. pit_stopwatch_stop() closes
 * the gate again. */
void pit_stopwatch_start(void);
uint16_t pit_stopwatch_read(bool *wrapped);
void pit_stopwatch_stop(void);

/* Remaps the 8259s to VEC_PIC_BASE and masks every line. */
void pic_disable(void);

#endif
