/*
 * The console's COM1 driver: a 16550 UART at 0x3f8, in polled output and
 * interrupt-driven input.
 *
 * Owns the UART's interrupt enable and modem control registers (the kernel
 * set the line up, 115200 8N1 with FIFOs, and keeps writing its own log to
 * the transmitter by polling, which this driver tolerates: bytes interleave,
 * none is lost). Input: the receive interrupt (IER bit 0, routed to IRQ 4 by
 * MCR OUT2) tells the server to drain the receive buffer; every wait on the
 * transmitter is bounded, so an absent or stuck UART cannot hang the server.
 */
#include <orb/sys.h>
#include "con.h"

#define COM1 0x3f8

#define UART_DATA 0 /* RBR (read) / THR (write) */
#define UART_IER  1
#define UART_MCR  4
#define UART_LSR  5

#define IER_RX_DATA   0x01
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08 /* connects the UART's interrupt to the PIC / I/O APIC */
#define LSR_DATA      0x01
#define LSR_THR_EMPTY 0x20

#define UART_SPIN_MAX 100000 /* status reads per byte before giving up on the transmitter */

static inline uint8_t uart_inb(unsigned reg)
{
	uint8_t v;
	/* SAFETY: COM1 + reg lies in 0x3f8..0x3ff, the ports SYS_IOPORT_ENABLE opened for this
	 * process; any other port would raise #GP and the kernel would kill us. */
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)(COM1 + reg)));
	return v;
}

static inline void uart_outb(unsigned reg, uint8_t v)
{
	/* SAFETY: as for uart_inb. */
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"((uint16_t)(COM1 + reg)));
}

void uart_init(void)
{
	uint8_t junk[64];
	uart_outb(UART_MCR, uart_inb(UART_MCR) | MCR_DTR_RTS | MCR_OUT2);
	uart_outb(UART_IER, IER_RX_DATA);
	for (int i = 0; i < 16 && uart_read(junk, sizeof(junk)) == sizeof(junk); i++)
		; /* bounded: a missing UART reads 0xff, "data ready" forever */
}

void uart_fini(void)
{
	uart_outb(UART_IER, 0);
}

size_t uart_read(uint8_t *buf, size_t max)
{
	size_t n = 0;
	while (n < max && (uart_inb(UART_LSR) & LSR_DATA))
		buf[n++] = uart_inb(UART_DATA);
	return n;
}

static void uart_putc(uint8_t c)
{
	for (int i = 0; i < UART_SPIN_MAX && !(uart_inb(UART_LSR) & LSR_THR_EMPTY); i++)
		;
	uart_outb(UART_DATA, c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc((uint8_t)s[i]);
	}
}
