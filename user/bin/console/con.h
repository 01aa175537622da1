/*
 * The console server's parts (user/bin/console/): what main.c (the server
 * loop, clients and input), start.c (the start capabilities and arguments),
 * uart.c (COM1) and vga.c (the VGA text screen) share. Each part owns its own state; only main.c
 * calls the others, always from the server's main thread.
 */
#ifndef CON_CON_H
#define CON_CON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <orb/sys.h>

/* --- start.c: what the spawner gave --- */

struct con_start {
	cap_handle_t ep;	/* own Endpoint [RECV (+ SEND, GRANT)], unbadged */
	cap_handle_t com1;	/* IoPorts 0x3f8..0x3ff */
	cap_handle_t irq;	/* IRQ 4 */
	cap_handle_t screen;	/* Memory of the screen, or 0 */
	cap_handle_t crt;	/* IoPorts 0x3d4..0x3d5, or 0 */
	cap_handle_t ns;	/* the name service, or 0 */
	cap_handle_t log;	/* the kernel log [READ], or 0: it is not drawn */
	bool threaded;		/* ep has SEND: ticks come from an interrupt thread */
	bool self_register;	/* ep has SEND and GRANT: register with ns */
	unsigned screen_type;	/* ORB_SCREEN_*: NONE if there is no usable screen */
	unsigned width, height; /* of a text screen, within VGA_MAX_W x VGA_MAX_H */
};

/* Reads the start capabilities and argv[1]; -ERR_INVAL (logged) if they do not fit. */
long con_start_read(int argc, char **argv, struct con_start *st);

/* --- uart.c: COM1 (ports 0x3f8..0x3ff, enabled by the caller) --- */

/* Turns on the receive interrupt (IER bit 0, MCR OUT2) and drops stale input. */
void uart_init(void);
/* Reads the bytes the UART holds into buf (at most max); returns how many. */
size_t uart_read(uint8_t *buf, size_t max);
/* Writes s, "\n" as "\r\n", waiting (bounded) for the transmitter each byte. */
void uart_write(const char *s, size_t n);
/* Turns the receive interrupt off again. */
void uart_fini(void);

/* --- vga.c: a VGA text screen of width x height cells --- */

#define VGA_ATTR_LOG	0x07 /* the kernel log: grey on black */
#define VGA_ATTR_CLIENT 0x0f /* clients' output and the echo: white on black */

#define VGA_MAX_W 256
#define VGA_MAX_H 128

/*
 * Starts drawing on vram (width x height cells of char + attribute, already
 * mapped): clears it, cursor at the top left. crt: the CRT controller's ports
 * 0x3d4/0x3d5 are enabled (else no hardware cursor). -ERR_INVAL for a size
 * beyond VGA_MAX_W x VGA_MAX_H, -ERR_NOMEM without memory for the copy.
 */
long vga_init(volatile uint16_t *vram, unsigned width, unsigned height, bool crt);
/* Draws text ('\n' new line, '\r', '\b', '\t'; other control bytes skipped) in attribute attr. */
void vga_write(const char *s, size_t n, uint8_t attr);
/* Starts a new line unless the cursor is at the start of one. */
void vga_line_start(void);
/* Copies the changed rows to the screen and moves the hardware cursor. */
void vga_flush(void);

#endif
