/*
 * PIT channel 2 as a stopwatch, and the 8259 PICs put to sleep (see pit.h).
 *
 * Channel 2's gate is bit 0 of port 0x61 and its output can be read back in
 * bit 5, so no interrupt is needed: program mode 0 (count down once), open
 * the gate, poll until the output goes high. No PIT is told by port 0x61
 * itself, never by timing: its gate bit is a latch that reads back what was
 * written, while a port with nothing behind it floats at 0xff. (The output
 * cannot tell: QEMU and KVM ignore a closed gate in mode 0 and count from
 * the moment the count is loaded, so a vCPU stalled there by its host reads
 * the output high, and a PIT that is there would be taken for none.)
 */
#include "pit.h"
#include "arch/cpu.h"
#include "boot/kmain.h"
#include "x86/lapic.h"
#include "x86/io.h"

/* Fault injection for tests: the boot option pit.stall makes each measurement
 * stall (10^8 TSC cycles, over 20 ms at any TSC up to 5 GHz) right after the
 * count is loaded, where a preempted vCPU thread may stall; a PIT is still a PIT. */
static void pit_test_stall(void)
{
	if (!bootinfo_cmdline_has(&boot_info, "pit.stall"))
		return;
	for (uint64_t t0 = arch_read_tsc(); arch_read_tsc() - t0 < 100000000u;)
		;
}

bool pit_wait_ms(unsigned ms)
{
	uint32_t count = PIT_HZ / 1000 * ms;
	if (count > 0xffff)
		count = 0xffff;
	uint8_t gate = inb(0x61);
	outb(0x61, (gate & ~0x02) & ~0x01); /* speaker off, gate closed */
	if (inb(0x61) & 0x01) {
		outb(0x61, gate); /* the gate reads open: a floating port, no PIT */
		return false;
	}
	outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	pit_test_stall();
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* open the gate: counting starts */
	bool done = false;
	for (uint32_t spins = 0; !done && spins <= 100000000u; spins++)
		done = inb(0x61) & 0x20; /* (bounded: a PIT that never counts is none) */
	outb(0x61, gate);
	return done;
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
