/*
 * A 16550A UART (the PC's COM1 at I/O 0x3F8, IRQ 4).
 *
 * Registers (offset from the base): 0 RBR/THR (DLL with LCR.DLAB), 1 IER (DLM
 * with DLAB), 2 IIR (read) / FCR (write), 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR.
 * Transmission is instant: a byte written to THR goes straight to the output
 * callback (or, in loopback, into the receive FIFO), so THRE and TEMT are
 * always set. The receive FIFO holds 16 bytes (1 with FIFOs off).
 *
 * Interrupts, highest priority first: receiver line status (ELSI, overrun),
 * received data (ERBFI; at the FCR trigger level, or the character timeout
 * once the host input pauses), THR empty (ETBEI; cleared by a THR write or by
 * reading IIR while it reports THRE), modem status (EDSSI, MSR deltas). The
 * IRQ line follows "an interrupt is pending" and is driven through the
 * irq callback only when it changes.
 *
 * Locking: the vCPU threads (register access, any number at once) and the
 * terminal thread (serial_rx_push/serial_rx_idle) all enter through
 * functions that take s->lock; the callbacks run with it held and must not call back in.
 */
#ifndef ORBVM_SERIAL_H
#define ORBVM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ	 4
#define SERIAL_FIFO_SIZE 16

/* Register offsets. */
#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c
#define UART_IIR_FIFO	0xc0

#define UART_FCR_ENABLE	  0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

struct serial {
	pthread_mutex_t lock;
	/* Everything below is guarded by lock. */
	uint8_t ier, lcr, mcr, msr, scr, dll, dlm, fcr;
	uint8_t lsr_err; /* pending LSR error bits (OE), cleared by reading LSR */
	uint8_t rx_fifo[SERIAL_FIFO_SIZE];
	unsigned rx_head, rx_count;
	bool thr_ipending; /* THR-empty interrupt condition */
	bool rx_timeout;   /* host input paused with data below the trigger */
	bool irq_level;	   /* current state of the IRQ line */
	/* Callbacks, fixed at init. */
	void (*tx)(void *ctx, uint8_t byte);
	void *tx_ctx;
	void (*irq)(void *ctx, bool level); /* NULL: no interrupt controller */
	void *irq_ctx;
	void (*rx_room)(void *ctx); /* the receive FIFO went from full to not full */
	void *rx_room_ctx;
};

void serial_init(struct serial *s, void (*tx)(void *, uint8_t), void *tx_ctx,
		 void (*irq)(void *, bool), void *irq_ctx);
void serial_destroy(struct serial *s);

/* Bus handler for the 8 registers (ctx is the struct serial). */
void serial_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/*
 * Host input: queues up to n bytes into the receive FIFO and returns how many
 * were taken (fewer when it is full: the caller keeps the rest; nothing is
 * ever dropped here, except in loopback mode where the line is disconnected
 * and input is discarded).
 */
size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t n);
/* Free space in the receive FIFO. */
size_t serial_rx_room(struct serial *s);
/* Host input paused: arms the FIFO character-timeout interrupt. */
void serial_rx_idle(struct serial *s);

#endif
