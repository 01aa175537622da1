/*
 * The legacy 8253/8254 PIT, used only as a known clock (1.193182 MHz) to
 * measure the TSC frequency at boot, and the 8259 PICs,
 * which are remapped away from the exception vectors and masked.
 */
#ifndef ORB_X86_64_PIT_H
#define ORB_X86_64_PIT_H

#include "lib/types.h"

#define PIT_HZ 1193182u

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
