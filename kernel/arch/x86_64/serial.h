/*
 * 16550 UART driver for the kernel console (COM1 at 0x3F8).
 */
#ifndef ORB_X86_64_SERIAL_H
#define ORB_X86_64_SERIAL_H

#include "lib/types.h"

#define COM1_PORT 0x3f8

/* Programs the UART (115200 8N1, FIFOs on) and registers it as a console.
 * Returns false if no UART answers at that port (nothing is registered). */
bool serial_init(uint16_t port);

void serial_putc(uint16_t port, char c);
/* Returns a received byte, or -1 if none is waiting. */
int serial_getc(uint16_t port);

#endif
