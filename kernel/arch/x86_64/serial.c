/*
 * 16550 UART: the kernel's first and most reliable console.
 *
 * Output is polled (no interrupts), so it works from the first instruction of
 * kmain to the last line of a panic. A transmit wait is bounded, so a missing
 * or stuck UART slows the kernel down instead of hanging it. Newlines are sent
 * as CR LF for terminals.
 */
#include "serial.h"
#include "console/console.h"
#include "x86/io.h"

#define UART_THR 0 /* transmit holding (write), receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0 /* with LCR.DLAB */
#define UART_DLM 1

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

static uint16_t console_port;

void serial_putc(uint16_t port, char c)
{
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(port + UART_LSR) & LSR_THR_EMPTY)
			break;
		arch_cpu_relax();
	}
	outb(port + UART_THR, (uint8_t)c);
}

int serial_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(port + UART_THR);
}

static void serial_console_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc(console_port, '\r');
		serial_putc(console_port, s[i]);
	}
}

static struct console serial_console = {
    .name = "serial",
    .write = serial_console_write,
};

bool serial_init(uint16_t port)
{
	/* Is there a UART? The scratch register holds what we write. */
	outb(port + UART_SCR, 0xa5);
	if (inb(port + UART_SCR) != 0xa5)
		return false;

	outb(port + UART_IER, 0x00); /* no interrupts */
	outb(port + UART_LCR, 0x80); /* DLAB on */
	outb(port + UART_DLL, 0x01); /* divisor 1: 115200 baud */
	outb(port + UART_DLM, 0x00);
	outb(port + UART_LCR, 0x03); /* 8 bits, no parity, 1 stop; DLAB off */
	outb(port + UART_FCR, 0xc7); /* FIFOs on and cleared, 14-byte trigger */
	outb(port + UART_MCR, 0x0b); /* DTR, RTS, OUT2 */

	console_port = port;
	console_register(&serial_console);
	return true;
}
