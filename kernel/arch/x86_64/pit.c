/*
 * PIT channel 2 as a stopwatch, and the 8259 PICs put to sleep (see pit.h).
 *
 * Channel 2's gate is bit 0 of port 0x61 and its output can be read back in
 * bit 5, so no interrupt is needed: program mode 0 (count down once), open
 * the gate, poll until the output goes high. An output already high before
 * the gate opens means there is no PIT.
 */
#include "pit.h"
#include "x86/lapic.h"
#include "x86/io.h"

bool pit_wait_ms(unsigned ms)
{
	uint32_t count = PIT_HZ / 1000 * ms;
	if (count > 0xffff)
		count = 0xffff;
	uint8_t gate = inb(0x61);
	outb(0x61, (gate & ~0x02) & ~0x01); /* speaker off, gate closed */
	outb(0x43, 0xb0);		    /* channel 2, lo/hi byte, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	/* Mode 0 holds the output low until the count runs out, and the gate is shut. */
	if (inb(0x61) & 0x20) {
		outb(0x61, gate);
		return false;
	}
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* open the gate: counting starts */
	for (uint32_t spins = 0; !(inb(0x61) & 0x20); spins++) {
		if (spins > 100000000u)
			break; /* no PIT: give up rather than hang */
	}
	outb(0x61, gate);
	return true;
}

void pic_disable(void)
{
	/* ICW1: init, ICW4 follows */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	/* ICW2: vector offsets */
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	/* ICW3: master has the slave on IRQ2 */
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	/* ICW4: 8086 mode */
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	/* mask everything */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
