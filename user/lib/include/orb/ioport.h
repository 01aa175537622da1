/*
 * x86 port I/O for drivers and the tests that act as drivers: the instructions
 * themselves. Whether a port may be used is the CPU's check, through the I/O
 * bitmap the kernel sets up when the process enables an IoPorts capability
 * (SYS_IOPORT_ENABLE); a port the process did not enable raises #GP and the
 * kernel kills the process.
 */
#ifndef ORB_IOPORT_H
#define ORB_IOPORT_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	/* SAFETY: the CPU checks the port against this process's I/O bitmap (see above). */
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	/* SAFETY: as for inb. */
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

#endif
