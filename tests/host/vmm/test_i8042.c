/*
 * Unit tests for orbvm's i8042 controller and its PS/2 keyboard and mouse
 * (vmm/devices/i8042.c, ps2.c), driven through the bus exactly as a guest
 * drives ports 0x60 and 0x64: the controller's commands and command byte,
 * the keyboard's and mouse's answers (ACK, reset, identify with and without
 * translation, arguments, echo, resend), interrupts raised only when enabled
 * and once per byte, port disabling, bounded queues under a hostile guest,
 * and the reset line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bus.h"
#include "devices/i8042.h"
#include "stop.h"

static struct bus bus;
static struct i8042 kbc;
static struct vmm_stop stop;
static bool line[13];	   /* the level of IRQ 1 and IRQ 12 */
static unsigned rises[13]; /* rising edges seen on each */

static void irq(void *ctx, unsigned n, bool level)
{
	(void)ctx;
	assert_true(n == I8042_KBD_IRQ || n == I8042_AUX_IRQ);
	assert_true(line[n] != level); /* only changes are reported */
	line[n] = level;
	if (level)
		rises[n]++;
}

static int setup(void **state)
{
	(void)state;
	memset(line, 0, sizeof(line));
	memset(rises, 0, sizeof(rises));
	atomic_store(&stop.requested, 0);
	bus_init(&bus);
	i8042_init(&kbc, &stop, irq, NULL);
	assert_int_equal(bus_register(&bus, BUS_PIO, I8042_DATA_PORT, 1, i8042_data_io, &kbc, "d"),
			 0);
	assert_int_equal(
	    bus_register(&bus, BUS_PIO, I8042_COMMAND_PORT, 1, i8042_command_io, &kbc, "c"), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	i8042_destroy(&kbc);
	return 0;
}

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;
	assert_true(bus_pio(&bus, port, &v, 1, false));
	return v;
}

static void out(uint16_t port, uint8_t v)
{
	assert_true(bus_pio(&bus, port, &v, 1, true));
}

static uint8_t status(void)
{
	return in(I8042_COMMAND_PORT);
}

/* The next byte the controller offers (the test fails if there is none). */
static uint8_t next(void)
{
	assert_true(status() & I8042_STR_OBF);
	return in(I8042_DATA_PORT);
}

static void assert_empty(void)
{
	assert_false(status() & I8042_STR_OBF);
}

static void command(uint8_t cmd)
{
	out(I8042_COMMAND_PORT, cmd);
}

static void write_ctr(uint8_t v)
{
	command(0x60);
	out(I8042_DATA_PORT, v);
}

static uint8_t read_ctr(void)
{
	command(0x20);
	return next();
}

/* The keyboard's or mouse's answer to one byte, as a list of bytes. */
static void expect(const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(next(), want[i]);
	assert_empty();
}

#define EXPECT(...)                                                                                \
	do {                                                                                       \
		const uint8_t want_[] = {__VA_ARGS__};                                             \
		expect(want_, sizeof(want_));                                                      \
	} while (0)

static void test_start_state(void **state)
{
	(void)state;
	/* Nothing waiting, input buffer free, system flag, not inhibited. */
	assert_int_equal(status(), I8042_STR_SYS | I8042_STR_UNLOCKED);
	/* As a BIOS leaves it: keyboard interrupt, system flag, mouse off, translation. */
	assert_int_equal(read_ctr(), 0x65);
	assert_int_equal(status() & I8042_STR_CMD, I8042_STR_CMD); /* the last write: a command */
	assert_false(stop.requested);
}

static void test_controller_commands(void **state)
{
	(void)state;
	command(0xaa);
	EXPECT(0x55);
	command(0xab);
	EXPECT(0x00);
	command(0xa9);
	EXPECT(0x00);
	write_ctr(0x00);
	assert_int_equal(read_ctr(), 0x00);
	assert_false(status() & I8042_STR_SYS);
	command(0xaa); /* a passed self test sets the system flag */
	EXPECT(0x55);
	assert_true(status() & I8042_STR_SYS);
	/* Port disable / enable are the command byte's bits 4 and 5. */
	write_ctr(0x00);
	command(0xad);
	command(0xa7);
	assert_int_equal(read_ctr(), 0x30);
	command(0xae);
	assert_int_equal(read_ctr(), 0x20);
	command(0xa8);
	assert_int_equal(read_ctr(), 0x00);
	/* Other RAM bytes. */
	command(0x65);
	out(I8042_DATA_PORT, 0x5a);
	command(0x25);
	EXPECT(0x5a);
	/* Output port: reset line high, A20 on; A20 off is recorded. */
	command(0xd0);
	EXPECT(0x03);
	command(0xdd);
	command(0xd0);
	EXPECT(0x01);
	command(0x12); /* unknown: ignored */
	assert_empty();
	assert_false(stop.requested);
}

static void test_keyboard_identify_translated(void **state)
{
	(void)state;
	write_ctr(0x40 | 0x20); /* translation on, no interrupts */
	out(I8042_DATA_PORT, 0xf2);
	EXPECT(0xfa, 0xab, 0x41);
	/* The scan code set number is translated too: set 2 reads 0x41. */
	out(I8042_DATA_PORT, 0xf0);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x00);
	EXPECT(0xfa, 0x41);
}

static void test_keyboard_commands(void **state)
{
	(void)state;
	write_ctr(0x20); /* translation off */
	out(I8042_DATA_PORT, 0xff);
	EXPECT(0xfa, 0xaa);
	out(I8042_DATA_PORT, 0xf2);
	EXPECT(0xfa, 0xab, 0x83);
	out(I8042_DATA_PORT, 0xf5);
	EXPECT(0xfa);
	assert_false(kbc.kbd.scanning);
	out(I8042_DATA_PORT, 0xf4);
	EXPECT(0xfa);
	assert_true(kbc.kbd.scanning);
	/* Commands with an argument: both bytes acknowledged. */
	out(I8042_DATA_PORT, 0xed);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x07);
	EXPECT(0xfa);
	assert_int_equal(kbc.kbd.leds, 7);
	out(I8042_DATA_PORT, 0xf3);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x20);
	EXPECT(0xfa);
	assert_int_equal(kbc.kbd.typematic, 0x20);
	out(I8042_DATA_PORT, 0xf0);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x01);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0xf0);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x00);
	EXPECT(0xfa, 0x01);
	out(I8042_DATA_PORT, 0xf0);
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0x07); /* no such set */
	EXPECT(0xfe);
	out(I8042_DATA_PORT, 0xee);
	EXPECT(0xee);
	out(I8042_DATA_PORT, 0xfe); /* resend: the last byte again */
	EXPECT(0xee);
	out(I8042_DATA_PORT, 0x42); /* not a command */
	EXPECT(0xfe);
	out(I8042_DATA_PORT, 0xfa); /* scan code set 3's key modes: acknowledged */
	EXPECT(0xfa);
	out(I8042_DATA_PORT, 0xf6);
	EXPECT(0xfa);
	assert_int_equal(kbc.kbd.scan_set, 2);
}

static void test_mouse_commands(void **state)
{
	(void)state;
	write_ctr(0x00); /* both ports on, no interrupts */
	command(0xd4);
	out(I8042_DATA_PORT, 0xff);
	static const uint8_t reset_answer[] = {0xfa, 0xaa, 0x00};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(status() & (I8042_STR_OBF | I8042_STR_AUXDATA),
				 I8042_STR_OBF | I8042_STR_AUXDATA);
		assert_int_equal(in(I8042_DATA_PORT), reset_answer[i]);
	}
	assert_empty();
	command(0xd4);
	out(I8042_DATA_PORT, 0xf2);
	EXPECT(0xfa, 0x00);
	command(0xd4);
	out(I8042_DATA_PORT, 0xf3);
	EXPECT(0xfa);
	command(0xd4);
	out(I8042_DATA_PORT, 200);
	EXPECT(0xfa);
	command(0xd4);
	out(I8042_DATA_PORT, 0xf4);
	EXPECT(0xfa);
	command(0xd4);
	out(I8042_DATA_PORT, 0xe9);
	EXPECT(0xfa, 0x20, 0x02, 200);
	command(0xd4);
	out(I8042_DATA_PORT, 0xeb);
	EXPECT(0xfa, 0x08, 0x00, 0x00);
	command(0xd4);
	out(I8042_DATA_PORT, 0xee); /* wrap mode: echo */
	EXPECT(0xfa);
	command(0xd4);
	out(I8042_DATA_PORT, 0x33);
	EXPECT(0x33);
	command(0xd4);
	out(I8042_DATA_PORT, 0xec);
	EXPECT(0xfa);
	command(0xd4);
	out(I8042_DATA_PORT, 0x33);
	EXPECT(0xfe);
	/* With the mouse port off its answer waits until the port is on again. */
	command(0xa7);
	command(0xd4);
	out(I8042_DATA_PORT, 0xf2);
	assert_empty();
	command(0xa8);
	EXPECT(0xfa, 0x00);
}

/* Linux's AUX loop test: 0xD3 puts a byte out as the mouse's, with IRQ 12 if enabled. */
static void test_loopback_and_irq12(void **state)
{
	(void)state;
	write_ctr(0x30); /* both ports off, no interrupts */
	command(0xd3);
	out(I8042_DATA_PORT, 0x5a);
	assert_true(status() & I8042_STR_AUXDATA);
	EXPECT(0x5a);
	assert_int_equal(rises[12], 0);
	write_ctr(0x02); /* mouse interrupt on */
	command(0xd3);
	out(I8042_DATA_PORT, 0xa5);
	assert_true(line[12]);
	assert_false(line[1]);
	assert_int_equal(next(), 0xa5);
	assert_false(line[12]);
	assert_int_equal(rises[12], 1);
	command(0xd2); /* the same as the keyboard's: IRQ 1, not enabled */
	out(I8042_DATA_PORT, 0x11);
	assert_false(status() & I8042_STR_AUXDATA);
	assert_false(line[1]);
	EXPECT(0x11);
}

/* IRQ 1 follows "a keyboard byte waits and its interrupt is on"; one edge per byte. */
static void test_irq1_only_when_enabled(void **state)
{
	(void)state;
	write_ctr(0x00);
	out(I8042_DATA_PORT, 0xf2); /* three bytes, interrupt off */
	assert_false(line[1]);
	EXPECT(0xfa, 0xab, 0x83);
	assert_int_equal(rises[1], 0);
	write_ctr(0x01);
	out(I8042_DATA_PORT, 0xf2);
	assert_true(line[1]);
	for (int i = 0; i < 3; i++)
		(void)next();
	assert_false(line[1]);
	assert_int_equal(rises[1], 3);
	assert_int_equal(rises[12], 0);
	/* A byte already waiting raises the line when the interrupt is enabled. */
	write_ctr(0x00);
	out(I8042_DATA_PORT, 0xee);
	assert_false(line[1]);
	write_ctr(0x01);
	assert_true(line[1]);
	EXPECT(0xee);
	/* Keyboard port off: its bytes wait, no interrupt; on again: delivered. */
	command(0xad);
	rises[1] = 0;
	ps2_kbd_write(&kbc.kbd, 0xee); /* as if sent earlier, while the port is off */
	assert_empty();
	command(0xae);
	assert_int_equal(rises[1], 1);
	EXPECT(0xee);
}

/* A data byte for the keyboard opens its port, as on the AT's controller. */
static void test_keyboard_write_enables_port(void **state)
{
	(void)state;
	write_ctr(0x10);
	out(I8042_DATA_PORT, 0xf4);
	assert_int_equal(next(), 0xfa);
	assert_int_equal(read_ctr(), 0x00);
}

/* A guest that writes and never reads: every queue stops at its bound. */
static void test_queues_bounded(void **state)
{
	(void)state;
	write_ctr(0x00);
	for (int i = 0; i < 10000; i++) {
		out(I8042_DATA_PORT, 0xf2);
		command(0xd4);
		out(I8042_DATA_PORT, 0xe9);
		command(0x20);
	}
	unsigned n = 0;
	while ((status() & I8042_STR_OBF) && n < 1000) {
		(void)in(I8042_DATA_PORT);
		n++;
	}
	/* The output buffer, the controller's replies and each device's queue. */
	assert_int_equal(n, 1 + I8042_REPLY_QUEUE + 2 * PS2_QUEUE_SIZE);
	/* Reading an empty buffer gives the last byte again and changes nothing. */
	uint8_t last = in(I8042_DATA_PORT);
	assert_int_equal(in(I8042_DATA_PORT), last);
	assert_empty();
	/* Still working. */
	command(0xaa);
	EXPECT(0x55);
}

/* Every byte value to both ports, reads in between: no crash, no stop but a reset. */
static void test_hostile_bytes(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		if (c >= 0xf0 && !(c & 1))
			continue; /* the reset pulses; see below */
		for (unsigned d = 0; d < 256; d += 7) {
			command((uint8_t)c);
			out(I8042_DATA_PORT, (uint8_t)d);
			(void)in(I8042_DATA_PORT);
			(void)status();
		}
		if (c == 0xd1) {
			command(0xd1); /* keep the reset line up */
			out(I8042_DATA_PORT, 0x03);
			atomic_store(&stop.requested, 0);
		}
	}
	/* A dword at 0x64 runs past the device's one port: the bus does not hand it over. */
	uint8_t wide[4] = {0};
	assert_false(bus_pio(&bus, I8042_COMMAND_PORT, wide, 4, false));
	assert_false(stop.requested);
	for (int i = 0; i < 100 && (status() & I8042_STR_OBF); i++)
		(void)in(I8042_DATA_PORT);
	assert_empty();
	command(0xaa);
	EXPECT(0x55);
}

static void test_reset_line(void **state)
{
	(void)state;
	command(0xfe);
	assert_int_equal(stop.requested, 1 + VMM_STATUS_REBOOT);
}

static void test_reset_pulses_and_output_port(void **state)
{
	(void)state;
	command(0xff); /* pulses nothing */
	assert_false(stop.requested);
	command(0xd1);
	out(I8042_DATA_PORT, 0xdf); /* Linux's A20 gate: reset line stays up */
	assert_false(stop.requested);
	command(0xd1);
	out(I8042_DATA_PORT, 0xde); /* bit 0 low: reset */
	assert_int_equal(stop.requested, 1 + VMM_STATUS_REBOOT);
	atomic_store(&stop.requested, 0);
	command(0xf0); /* pulses every line, reset among them */
	assert_int_equal(stop.requested, 1 + VMM_STATUS_REBOOT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_start_state),
	    T(test_controller_commands),
	    T(test_keyboard_identify_translated),
	    T(test_keyboard_commands),
	    T(test_mouse_commands),
	    T(test_loopback_and_irq12),
	    T(test_irq1_only_when_enabled),
	    T(test_keyboard_write_enables_port),
	    T(test_queues_bounded),
	    T(test_hostile_bytes),
	    T(test_reset_line),
	    T(test_reset_pulses_and_output_port),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
