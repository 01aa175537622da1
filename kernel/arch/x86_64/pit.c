/*
 * PIT channel 2 as a stopwatch, and the 8259 PICs put to sleep (see pit.h).
 *
 * Channel 2's gate is bit 0 of port 0x61 and its output can be read back in
 * bit 5, so no interrupt is needed: program mode 0 (count down; after zero the
 * count goes on from 0xffff and the output stays high), open the gate, and
 * read the count through the latch command whenever wanted.
 *
 * No PIT is told by port 0x61 itself, never by timing: its gate bit is a
 * latch that reads back what was written, while a port with nothing behind it
 * floats at 0xff. (The output cannot tell: QEMU and KVM ignore a closed gate
 * in mode 0 and count from the moment the count is loaded, so a vCPU stalled
 * by its host reads the output high, and a PIT that is there would be taken
 * for none.)
 */
#include "pit.h"
#include "arch/cpu.h"
#include "boot/kmain.h"
#include "x86/lapic.h"
#include "x86/io.h"

static uint8_t saved_gate;

/* Fault injection for tests: the boot option pit.stall stalls the first
 * stopwatch start until the PIT has outrun it (its output high: 54.9 ms;
 * bounded by 10^10 TSC cycles), as a vCPU thread preempted there by its host
 * may stall; a PIT is still a PIT, and the calibration must still come out
 * right, through a new window. */
static void pit_test_stall(void)
{
	static bool stalled;
	if (stalled || !bootinfo_cmdline_has(&boot_info, "pit.stall"))
		return;
	stalled = true;
	for (uint64_t t0 = arch_read_tsc(); arch_read_tsc() - t0 < 10000000000u;)
		if (inb(0x61) & 0x20)
			break;
}

bool pit_present(void)
{
	uint8_t gate = inb(0x61);
	outb(0x61, (gate & ~0x02) & ~0x01); /* speaker off, gate closed */
	return (inb(0x61) & 0x01) == 0;	    /* a floating port reads the gate open */
}

void pit_stopwatch_start(void)
{
	saved_gate = inb(0x61);
	outb(0x61, (saved_gate & ~0x02) & ~0x01); /* speaker off, gate closed */
	outb(0x43, 0xb0);			  /* channel 2, lo/hi byte, mode 0, binary */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* open the gate: counting starts */
	pit_test_stall();
}

uint16_t pit_stopwatch_read(bool *wrapped)
{
	outb(0x43, 0x80); /* latch channel 2's count */
	uint8_t lo = inb(0x42);
	uint8_t hi = inb(0x42);
	*wrapped = (inb(0x61) & 0x20) != 0;
	return (uint16_t)(lo | hi << 8);
}

void pit_stopwatch_stop(void)
{
	outb(0x61, saved_gate);
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
