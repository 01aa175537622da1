/*
 * Unit tests for orbvm's VM-exit dispatch (vcpu_handle_exit in vmm/vcpu.c)
 * and the bus (vmm/bus.c), driven with a fake struct kvm_run and real
 * devices, no KVM: port I/O (single and string), MMIO, unknown accesses,
 * malformed exits, and every way a guest can stop the VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bus.h"
#include "devices/acpi_pm.h"
#include "devices/debug_exit.h"
#include "devices/debug_port.h"
#include "devices/i8042.h"
#include "devices/serial.h"
#include "err.h"
#include "vcpu.h"

#define RUN_SIZE 8192

static _Alignas(struct kvm_run) uint8_t run_area[RUN_SIZE];
static struct kvm_run *run = (struct kvm_run *)run_area;
static struct bus bus;
static struct vmm_stop stop;
static struct serial uart;
static struct i8042 kbd;
static struct acpi_pm pm;
static struct debug_port dbg;
static struct debug_exit dexit;
static struct vcpu_exit_ctx ctx;
static char out[256];
static size_t out_len;

static void tx(void *c, uint8_t b)
{
	(void)c;
	if (out_len < sizeof(out) - 1)
		out[out_len++] = (char)b;
}

struct mmio_dev {
	uint64_t last_off;
	uint8_t last[8];
	uint32_t last_len;
	int writes, reads;
};
static struct mmio_dev mdev;

static void mmio_io(void *c, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct mmio_dev *d = c;
	d->last_off = off;
	d->last_len = len;
	if (is_write) {
		memcpy(d->last, data, len);
		d->writes++;
	} else {
		memset(data, 0x5a, len);
		d->reads++;
	}
}

static int setup(void **state)
{
	(void)state;
	memset(run_area, 0, sizeof(run_area));
	memset(&mdev, 0, sizeof(mdev));
	atomic_store(&stop.requested, 0);
	out_len = 0;
	bus_init(&bus);
	serial_init(&uart, tx, NULL, NULL, NULL);
	i8042_init(&kbd, &stop, NULL, NULL);
	acpi_pm_init(&pm, &stop);
	debug_port_init(&dbg, debug_port_now_ns());
	debug_exit_init(&dexit, &stop);
	assert_int_equal(bus_register(&bus, BUS_PIO, 0xf4, DEBUG_EXIT_PORTS, debug_exit_io, &dexit,
				      "debug-exit"),
			 0);
	assert_int_equal(bus_register(&bus, BUS_PIO, SERIAL_COM1_BASE, 8, serial_io, &uart, "COM1"),
			 0);
	assert_int_equal(
	    bus_register(&bus, BUS_PIO, I8042_COMMAND_PORT, 1, i8042_command_io, &kbd, "i8042"), 0);
	assert_int_equal(
	    bus_register(&bus, BUS_PIO, ACPI_PM_SLEEP_CONTROL, 2, acpi_pm_io, &pm, "pm"), 0);
	assert_int_equal(bus_register(&bus, BUS_PIO, DEBUG_PORT, 1, debug_port_io, &dbg, "dbg"), 0);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0xd0000000, 0x200, mmio_io, &mdev, "mmio"),
			 0);
	ctx = (struct vcpu_exit_ctx){.bus = &bus, .stop = &stop};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	serial_destroy(&uart);
	i8042_destroy(&kbd);
	return 0;
}

static void io_exit(uint16_t port, uint8_t dir, uint8_t size, uint32_t count, const void *data)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.port = port;
	run->io.direction = dir;
	run->io.size = size;
	run->io.count = count;
	run->io.data_offset = 4096;
	if (data)
		memcpy(run_area + 4096, data, (size_t)size * count);
}

static enum vmm_status stopped(void)
{
	enum vmm_status why;
	assert_true(vmm_stop_pending(&stop, &why));
	return why;
}

static void test_serial_output(void **state)
{
	(void)state;
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 1, 1, "H");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	/* rep outsb: a string of 5 bytes in one exit. */
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 1, 5, "ello!");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	out[out_len] = 0;
	assert_string_equal(out, "Hello!");
	/* A read: LSR says THR empty. */
	io_exit(0x3fd, KVM_EXIT_IO_IN, 1, 1, NULL);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_true(run_area[4096] & UART_LSR_THRE);
	assert_false(vmm_stop_pending(&stop, NULL));
}

static void test_unknown_ports_counted(void **state)
{
	(void)state;
	io_exit(0x80, KVM_EXIT_IO_OUT, 1, 1, "\x12");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	io_exit(0xcf8, KVM_EXIT_IO_IN, 4, 1, NULL);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	uint32_t v;
	memcpy(&v, run_area + 4096, 4);
	assert_int_equal(v, 0xffffffff); /* open bus */
	/* A word access straddling the end of COM1 is not COM1's. */
	io_exit(0x3ff, KVM_EXIT_IO_IN, 2, 1, NULL);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(bus_unknown(&bus, BUS_PIO), 3);
	assert_false(vmm_stop_pending(&stop, NULL));
}

static void test_mmio(void **state)
{
	(void)state;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000010;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x01\x02\x03\x04", 4);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(mdev.writes, 1);
	assert_int_equal(mdev.last_off, 0x10);
	assert_memory_equal(mdev.last, "\x01\x02\x03\x04", 4);
	run->mmio.is_write = 0;
	run->mmio.len = 8;
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(run->mmio.data[7], 0x5a);
	/* Unknown MMIO: reads give zeros, nothing crashes, it is counted. */
	run->mmio.phys_addr = 0xfed00000;
	memset(run->mmio.data, 0xee, 8);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(run->mmio.data[0], 0);
	run->mmio.phys_addr = 0xd00001fc; /* 8 bytes from here cross the end */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(bus_unknown(&bus, BUS_MMIO), 2);
	assert_int_equal(mdev.reads, 1);
}

static void test_malformed_exits(void **state)
{
	(void)state;
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 1, 1, "x");
	run->io.data_offset = RUN_SIZE; /* data outside the mapping */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), -ERR_FAULT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 4, 0x40000000, NULL); /* size * count too big */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), -ERR_FAULT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 3, 1, NULL);
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), -ERR_FAULT);
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.len = 9;
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), -ERR_FAULT);
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	assert_true(vcpu_handle_exit(&ctx, run, RUN_SIZE) < 0);
	assert_non_null(strstr(err_msg(), "internal error"));
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	assert_true(vcpu_handle_exit(&ctx, run, RUN_SIZE) < 0);
	run->exit_reason = 9999;
	assert_true(vcpu_handle_exit(&ctx, run, RUN_SIZE) < 0);
	assert_false(vmm_stop_pending(&stop, NULL));
	assert_int_equal(out_len, 0);
}

static void test_i8042_reset_is_reboot(void **state)
{
	(void)state;
	io_exit(0x64, KVM_EXIT_IO_OUT, 1, 1, "\x60"); /* other commands do nothing */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	io_exit(0x64, KVM_EXIT_IO_OUT, 1, 1, "\xfe");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_REBOOT);
}

static void test_acpi_s5_is_poweroff(void **state)
{
	(void)state;
	/* SLP_TYP=5 without SLP_EN, and SLP_EN with S3: ignored. */
	io_exit(0x600, KVM_EXIT_IO_OUT, 1, 1, "\x14");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	io_exit(0x600, KVM_EXIT_IO_OUT, 1, 1, "\x2c");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	/* What Linux writes for poweroff: (5 << 2) | SLP_EN. */
	io_exit(0x600, KVM_EXIT_IO_OUT, 1, 1, "\x34");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_POWEROFF);
	/* A later reboot request does not override the first. */
	io_exit(0x64, KVM_EXIT_IO_OUT, 1, 1, "\xfe");
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_POWEROFF);
}

/* --debug-exit: status (v << 1) | 1 of the value written, cut to 8 bits, as QEMU's. */
static void test_debug_exit(void **state)
{
	(void)state;
	uint8_t v = 0;
	io_exit(0xf4, KVM_EXIT_IO_IN, 1, 1, NULL); /* a read stops nothing */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(run_area[4096], 0xff);
	io_exit(0xf4, KVM_EXIT_IO_OUT, 1, 1, "\x10"); /* Orbital's pass: 33 */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), 33);
	atomic_store(&stop.requested, 0);
	io_exit(0xf6, KVM_EXIT_IO_OUT, 2, 1, "\x12\x00"); /* any of the four ports: 37 */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), 37);
	atomic_store(&stop.requested, 0);
	io_exit(0xf4, KVM_EXIT_IO_OUT, 4, 1, "\xff\xff\xff\xff"); /* (v << 1) | 1 = 0xff */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), 0xff);
	atomic_store(&stop.requested, 0);
	io_exit(0xf4, KVM_EXIT_IO_OUT, 1, 1, &v); /* 0 gives 1, as in QEMU */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), 1);
}

static void test_hlt_and_shutdown(void **state)
{
	(void)state;
	run->exit_reason = KVM_EXIT_HLT;
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_HALT);

	atomic_store(&stop.requested, 0);
	ctx.hlt_ends_guest = true; /* --real-mode */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_POWEROFF);

	atomic_store(&stop.requested, 0);
	run->exit_reason = KVM_EXIT_SHUTDOWN; /* triple fault */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_REBOOT);

	atomic_store(&stop.requested, 0);
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 1);
	assert_int_equal(stopped(), VMM_STATUS_POWEROFF);

	atomic_store(&stop.requested, 0);
	run->exit_reason = KVM_EXIT_INTR;
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
}

static void test_boot_time_marker(void **state)
{
	(void)state;
	io_exit(0x3f0, KVM_EXIT_IO_OUT, 1, 1, "\x7a"); /* 122: not the marker */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(dbg.count, 0);
	io_exit(0x3f0, KVM_EXIT_IO_OUT, 1, 1, "\x7b"); /* 123 */
	assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(dbg.count, 1);
	for (int i = 0; i < 40; i++)
		assert_int_equal(vcpu_handle_exit(&ctx, run, RUN_SIZE), 0);
	assert_int_equal(dbg.count, 41); /* counted; only the first 16 kept */
}

static void test_bus_register_rules(void **state)
{
	(void)state;
	assert_int_equal(bus_register(&bus, BUS_PIO, 0x3fc, 8, serial_io, &uart, "overlap"),
			 -ERR_EXIST);
	assert_int_equal(bus_register(&bus, BUS_PIO, 0x3f0, 8, serial_io, &uart, "overlap"),
			 -ERR_EXIST);
	assert_int_equal(bus_register(&bus, BUS_PIO, 0x100, 0, serial_io, &uart, "empty"),
			 -ERR_INVAL);
	assert_int_equal(bus_register(&bus, BUS_MMIO, UINT64_MAX - 4, 8, mmio_io, &mdev, "wrap"),
			 -ERR_INVAL);
	/* Same address in the other space is fine. */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x3f8, 8, mmio_io, &mdev, "mmio-3f8"), 0);
	int r = 0;
	for (int i = 0; i < BUS_MAX_DEVICES && r == 0; i++)
		r = bus_register(&bus, BUS_MMIO, 0x10000000ull + (uint64_t)i * 0x1000, 0x1000,
				 mmio_io, &mdev, "filler");
	assert_int_equal(r, -ERR_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_serial_output, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_ports_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_exits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_i8042_reset_is_reboot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acpi_s5_is_poweroff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hlt_and_shutdown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_debug_exit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boot_time_marker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bus_register_rules, setup, teardown),
	};
	return cmocka_run_group_tests_name("vmm_exit", tests, NULL, NULL);
}
