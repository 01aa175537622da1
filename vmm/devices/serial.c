/*
 * 16550A UART emulation; see serial.h for the register model.
 *
 * Trust boundary: every register value comes from the guest. Any byte is
 * accepted in any register; reserved bits are masked, the FIFO indices are
 * kept in range by construction (rx_count <= capacity <= SERIAL_FIFO_SIZE), so
 * garbage from a guest can change what the guest sees but never orbvm.
 */
#include <string.h>

#include "serial.h"

static unsigned serial_rx_capacity(const struct serial *s)
{
	return (s->fcr & UART_FCR_ENABLE) ? SERIAL_FIFO_SIZE : 1;
}

static unsigned serial_rx_trigger(const struct serial *s)
{
	static const unsigned levels[4] = {1, 4, 8, 14};
	return levels[s->fcr >> 6];
}

/* The interrupt identification for the highest-priority pending condition. */
static uint8_t serial_iir_id(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) &&
	    (s->lsr_err & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count) {
		if (!(s->fcr & UART_FCR_ENABLE) || s->rx_count >= serial_rx_trigger(s))
			return UART_IIR_RDI;
		if (s->rx_timeout)
			return UART_IIR_CTI;
	}
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & 0x0f))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void serial_update_irq(struct serial *s)
{
	bool level = serial_iir_id(s) != UART_IIR_NO_INT;
	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->irq)
			s->irq(s->irq_ctx, level);
	}
}

static void serial_rx_clear(struct serial *s)
{
	bool was_full = s->rx_count == serial_rx_capacity(s);
	s->rx_head = 0;
	s->rx_count = 0;
	s->rx_timeout = false;
	if (was_full && s->rx_room)
		s->rx_room(s->rx_room_ctx);
}

/* Appends one byte to the receive FIFO; sets OE and drops it when full. */
static void serial_rx_put(struct serial *s, uint8_t byte)
{
	unsigned cap = serial_rx_capacity(s);
	if (s->rx_count >= cap) {
		s->lsr_err |= UART_LSR_OE;
		return;
	}
	s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
	s->rx_count++;
}

static uint8_t serial_rx_get(struct serial *s)
{
	if (!s->rx_count)
		return 0;
	bool was_full = s->rx_count == serial_rx_capacity(s);
	uint8_t byte = s->rx_fifo[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	s->rx_count--;
	if (!s->rx_count)
		s->rx_timeout = false;
	if (was_full && s->rx_room)
		s->rx_room(s->rx_room_ctx);
	return byte;
}

/* Recomputes the MSR status bits from MCR (loopback) and records deltas. */
static void serial_update_msr(struct serial *s)
{
	uint8_t st;
	if (s->mcr & UART_MCR_LOOP) {
		st = 0;
		if (s->mcr & UART_MCR_RTS)
			st |= UART_MSR_CTS;
		if (s->mcr & UART_MCR_DTR)
			st |= UART_MSR_DSR;
		if (s->mcr & UART_MCR_OUT1)
			st |= UART_MSR_RI;
		if (s->mcr & UART_MCR_OUT2)
			st |= UART_MSR_DCD;
	} else {
		/* A terminal is always attached: carrier, data set ready, clear to send. */
		st = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	}
	uint8_t old = s->msr & 0xf0, changed = old ^ st, delta = 0;
	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(st & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	s->msr = st | ((s->msr | delta) & 0x0f);
}

void serial_init(struct serial *s, void (*tx)(void *, uint8_t), void *tx_ctx,
		 void (*irq)(void *, bool), void *irq_ctx)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->tx = tx;
	s->tx_ctx = tx_ctx;
	s->irq = irq;
	s->irq_ctx = irq_ctx;
	serial_update_msr(s);
	s->msr &= 0xf0; /* no deltas at power-on */
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}

static uint8_t serial_read(struct serial *s, unsigned reg)
{
	uint8_t v;
	switch (reg) {
	case UART_RBR:
		return (s->lcr & UART_LCR_DLAB) ? s->dll : serial_rx_get(s);
	case UART_IER:
		return (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
	case UART_IIR:
		v = serial_iir_id(s);
		/* Reading IIR while it reports THR empty acknowledges that interrupt. */
		if (v == UART_IIR_THRI)
			s->thr_ipending = false;
		return v | ((s->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err;
		if (s->rx_count)
			v |= UART_LSR_DR;
		s->lsr_err = 0;
		return v;
	case UART_MSR:
		v = s->msr;
		s->msr &= 0xf0;
		return v;
	default: /* UART_SCR */
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (s->lcr & UART_LCR_DLAB) {
			s->dll = v;
			return;
		}
		if (s->mcr & UART_MCR_LOOP)
			serial_rx_put(s, v);
		else if (s->tx)
			s->tx(s->tx_ctx, v);
		/* The byte left at once: THR is empty again. */
		s->thr_ipending = true;
		return;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
			return;
		}
		/* Enabling ETBEI while THR is empty raises the THRE interrupt. */
		if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
			s->thr_ipending = true;
		s->ier = v & 0x0f;
		return;
	case UART_FCR: {
		bool was_full = s->rx_count == serial_rx_capacity(s);
		if ((v ^ s->fcr) & UART_FCR_ENABLE || (v & UART_FCR_CLEAR_RX)) {
			s->fcr = v & 0xc1;
			serial_rx_clear(s);
		} else {
			s->fcr = v & 0xc1;
		}
		if (!(s->fcr & UART_FCR_ENABLE))
			s->fcr = 0; /* trigger bits mean nothing with FIFOs off */
		if (was_full && s->rx_count < serial_rx_capacity(s) && s->rx_room)
			s->rx_room(s->rx_room_ctx);
		return;
	}
	case UART_LCR:
		s->lcr = v;
		return;
	case UART_MCR:
		s->mcr = v & 0x1f;
		serial_update_msr(s);
		return;
	case UART_SCR:
		s->scr = v;
		return;
	default: /* LSR and MSR are read-only (writes are factory tests) */
		return;
	}
}

void serial_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct serial *s = ctx;
	unsigned reg = (unsigned)(offset & 7);
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		serial_write(s, reg, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = serial_read(s, reg);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t n)
{
	size_t taken = 0;
	pthread_mutex_lock(&s->lock);
	if (s->mcr & UART_MCR_LOOP) {
		taken = n; /* the line is disconnected in loopback */
	} else {
		while (taken < n && s->rx_count < serial_rx_capacity(s))
			serial_rx_put(s, buf[taken++]);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return taken;
}

size_t serial_rx_room(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	size_t room = serial_rx_capacity(s) - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return room;
}

void serial_rx_idle(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->rx_count)
		s->rx_timeout = true;
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}
