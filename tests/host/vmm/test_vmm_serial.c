/*
 * Unit tests for orbvm's 16550A UART (vmm/devices/serial.c): register
 * semantics, interrupt identification and priorities, FIFO trigger levels,
 * loopback, divisor latch, LSR/MSR bits and the IRQ line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "devices/serial.h"

static uint8_t out_buf[256];
static size_t out_len;
static int irq_level = -1;
static int irq_changes;
static int room_calls;

static void tx(void *ctx, uint8_t b)
{
	(void)ctx;
	if (out_len < sizeof(out_buf))
		out_buf[out_len++] = b;
}

static void irq(void *ctx, bool level)
{
	(void)ctx;
	irq_level = level;
	irq_changes++;
}

static void room(void *ctx)
{
	(void)ctx;
	room_calls++;
}

static struct serial s;

static int setup(void **state)
{
	(void)state;
	out_len = 0;
	irq_level = 0;
	irq_changes = 0;
	room_calls = 0;
	serial_init(&s, tx, NULL, irq, NULL);
	s.rx_room = room;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	serial_destroy(&s);
	return 0;
}

static uint8_t rd(unsigned reg)
{
	uint8_t v = 0xaa;
	serial_io(&s, reg, &v, 1, false);
	return v;
}

static void wr(unsigned reg, uint8_t v)
{
	serial_io(&s, reg, &v, 1, true);
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(rd(UART_IER), 0);
	assert_int_equal(irq_level, 0);
}

static void test_transmit(void **state)
{
	(void)state;
	wr(UART_THR, 'H');
	wr(UART_THR, 'i');
	assert_int_equal(out_len, 2);
	assert_memory_equal(out_buf, "Hi", 2);
	assert_true(rd(UART_LSR) & UART_LSR_THRE);
	/* THRE interrupt is not enabled: no IRQ. */
	assert_int_equal(irq_level, 0);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	wr(UART_IER, 0x05);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	assert_int_equal(rd(UART_DLL), 0x01);
	assert_int_equal(rd(UART_DLM), 0x02);
	assert_int_equal(out_len, 0); /* DLL write is not a transmit */
	wr(UART_LCR, 0x03);
	assert_int_equal(rd(UART_IER), 0x05); /* IER untouched by the DLM write */
	assert_int_equal(rd(UART_LCR), 0x03);
	/* Reserved IER bits are masked. */
	wr(UART_IER, 0xff);
	assert_int_equal(rd(UART_IER), 0x0f);
}

static void test_scratch(void **state)
{
	(void)state;
	wr(UART_SCR, 0x5a);
	assert_int_equal(rd(UART_SCR), 0x5a);
}

static void test_thre_interrupt_and_iir_read_clears(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_THRI);
	/* Enabling ETBEI with THR empty raises THRE. */
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(UART_IIR), UART_IIR_THRI);
	/* Reading IIR acknowledged it. */
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
	/* A transmit empties THR again: new THRE interrupt. */
	wr(UART_THR, 'x');
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(UART_IIR), UART_IIR_THRI);
	assert_int_equal(irq_level, 0);
	/* Re-writing IER with ETBEI already on does not re-raise. */
	wr(UART_IER, UART_IER_THRI);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
}

static void test_rx_non_fifo(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_RDI);
	assert_int_equal(serial_rx_room(&s), 1);
	assert_int_equal(serial_rx_push(&s, (const uint8_t *)"ab", 2), 1);
	assert_int_equal(irq_level, 1);
	assert_true(rd(UART_LSR) & UART_LSR_DR);
	assert_int_equal(rd(UART_IIR), UART_IIR_RDI);
	assert_int_equal(rd(UART_RBR), 'a');
	assert_int_equal(irq_level, 0);
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	assert_int_equal(room_calls, 1); /* full -> not full */
}

static void test_fifo_trigger_levels(void **state)
{
	(void)state;
	static const uint8_t fcr_bits[4] = {0x00, 0x40, 0x80, 0xc0};
	static const unsigned level[4] = {1, 4, 8, 14};
	for (int i = 0; i < 4; i++) {
		wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | fcr_bits[i]);
		wr(UART_IER, UART_IER_RDI);
		assert_int_equal(rd(UART_IIR) & 0xc0, UART_IIR_FIFO);
		for (unsigned n = 1; n <= level[i]; n++) {
			uint8_t c = (uint8_t)('0' + n);
			assert_int_equal(serial_rx_push(&s, &c, 1), 1);
			if (n < level[i]) {
				assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_NO_INT);
				assert_int_equal(irq_level, 0);
			}
		}
		assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_RDI);
		assert_int_equal(irq_level, 1);
		assert_int_equal(rd(UART_RBR), '1');
	}
}

static void test_fifo_timeout(void **state)
{
	(void)state;
	wr(UART_FCR, UART_FCR_ENABLE | 0xc0); /* trigger 14 */
	wr(UART_IER, UART_IER_RDI);
	serial_rx_push(&s, (const uint8_t *)"abc", 3);
	assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_NO_INT);
	serial_rx_idle(&s);
	assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_CTI);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(UART_RBR), 'a');
	assert_int_equal(rd(UART_RBR), 'b');
	assert_int_equal(rd(UART_RBR), 'c');
	assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_NO_INT);
	assert_int_equal(irq_level, 0);
}

static void test_fifo_full_and_overrun(void **state)
{
	(void)state;
	uint8_t buf[20];
	for (int i = 0; i < 20; i++)
		buf[i] = (uint8_t)i;
	wr(UART_FCR, UART_FCR_ENABLE);
	/* Host input never overruns: the push stops at 16. */
	assert_int_equal(serial_rx_push(&s, buf, 20), SERIAL_FIFO_SIZE);
	assert_int_equal(serial_rx_room(&s), 0);
	assert_false(rd(UART_LSR) & UART_LSR_OE);
	/* Loopback bytes do overrun. */
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_IER, UART_IER_RLSI | UART_IER_RDI);
	wr(UART_THR, 0x77);
	assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_RLSI); /* highest priority */
	uint8_t lsr = rd(UART_LSR);
	assert_true(lsr & UART_LSR_OE);
	assert_true(lsr & UART_LSR_DR);
	assert_false(rd(UART_LSR) & UART_LSR_OE); /* cleared by the read */
	assert_int_equal(rd(UART_IIR) & 0x0f, UART_IIR_RDI);
	for (int i = 0; i < 16; i++)
		assert_int_equal(rd(UART_RBR), i);
	assert_int_equal(room_calls, 1);
	/* FCR clear empties the FIFO. */
	serial_rx_push(&s, buf, 3); /* dropped: loopback disconnects the line */
	assert_false(rd(UART_LSR) & UART_LSR_DR);
}

static void test_loopback(void **state)
{
	(void)state;
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_IER, UART_IER_RDI);
	wr(UART_THR, 'L');
	assert_int_equal(out_len, 0); /* nothing leaves in loopback */
	assert_int_equal(rd(UART_IIR), UART_IIR_RDI);
	assert_int_equal(rd(UART_RBR), 'L');
	/* Modem lines loop back: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
	rd(UART_MSR);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	uint8_t msr = rd(UART_MSR);
	assert_int_equal(msr & 0xf0, UART_MSR_CTS);
	assert_true(msr & UART_MSR_DCTS);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1 | UART_MCR_OUT2);
	msr = rd(UART_MSR);
	assert_int_equal(msr & 0xf0, UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD);
	assert_true(msr & UART_MSR_DDSR);
	assert_true(msr & UART_MSR_DDCD);
	assert_int_equal(rd(UART_MSR) & 0x0f, 0); /* deltas cleared by the read */
	/* RI trailing edge. */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
	assert_true(rd(UART_MSR) & UART_MSR_TERI);
	/* Host input is discarded in loopback, not queued. */
	assert_int_equal(serial_rx_push(&s, (const uint8_t *)"zz", 2), 2);
	assert_false(rd(UART_LSR) & UART_LSR_DR);
}

static void test_modem_status_interrupt(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_MSI);
	wr(UART_MCR, UART_MCR_LOOP); /* CTS/DSR/DCD drop: deltas */
	assert_int_equal(rd(UART_IIR), UART_IIR_MSI);
	assert_int_equal(irq_level, 1);
	rd(UART_MSR);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(irq_level, 0);
}

static void test_priority_order(void **state)
{
	(void)state;
	wr(UART_MCR, UART_MCR_LOOP); /* MSR deltas pending */
	wr(UART_THR, 'a');	     /* RX data + THRE pending */
	wr(UART_IER, 0x0f);
	assert_int_equal(rd(UART_IIR), UART_IIR_RDI);
	rd(UART_RBR);
	assert_int_equal(rd(UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(UART_IIR), UART_IIR_MSI);
	rd(UART_MSR);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
}

static void test_garbage_never_breaks(void **state)
{
	(void)state;
	/* Every value into every register, wide accesses too. */
	for (unsigned reg = 0; reg < 8; reg++) {
		for (unsigned v = 0; v < 256; v++) {
			wr(reg, (uint8_t)v);
			uint8_t w[4] = {0};
			serial_io(&s, reg, w, 4, false);
			assert_int_equal(w[1] | w[2] | w[3], 0);
		}
	}
	assert_true(s.rx_count <= SERIAL_FIFO_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scratch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_thre_interrupt_and_iir_read_clears, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rx_non_fifo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fifo_trigger_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fifo_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fifo_full_and_overrun, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modem_status_interrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_priority_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_never_breaks, setup, teardown),
	};
	return cmocka_run_group_tests_name("vmm_serial", tests, NULL, NULL);
}
