/*
 * Unit tests for orbvm's small devices and helpers: the CMOS RTC (BCD and
 * binary, 12/24-hour, read-only time), the terminal's escape handling and
 * bounded input, the boot-time marker report, the 64-bit entry's page
 * tables and GDT, the CPUID adjustments and real-mode loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/layout.h"
#include "boot/realmode.h"
#include "devices/debug_port.h"
#include "devices/rtc.h"
#include "devices/serial.h"
#include "devices/terminal.h"
#include "err.h"
#include "mem.h"
#include "x86/cpu_setup.h"

/* 2024-02-29 13:05:09 UTC, a Thursday. */
static time_t fixed_now(void)
{
	return 1709211909;
}

static uint8_t cmos(struct rtc *r, uint8_t idx)
{
	uint8_t v = idx;
	rtc_io(r, 0, &v, 1, true);
	rtc_io(r, 1, &v, 1, false);
	return v;
}

static void cmos_set(struct rtc *r, uint8_t idx, uint8_t val)
{
	rtc_io(r, 0, &idx, 1, true);
	rtc_io(r, 1, &val, 1, true);
}

static void test_rtc_bcd_24h(void **state)
{
	(void)state;
	struct rtc r;
	rtc_init(&r);
	r.now = fixed_now;
	assert_int_equal(cmos(&r, 0x00), 0x09);
	assert_int_equal(cmos(&r, 0x02), 0x05);
	assert_int_equal(cmos(&r, 0x04), 0x13);
	assert_int_equal(cmos(&r, 0x06), 0x05); /* Thursday: day 5 (Sunday = 1) */
	assert_int_equal(cmos(&r, 0x07), 0x29);
	assert_int_equal(cmos(&r, 0x08), 0x02);
	assert_int_equal(cmos(&r, 0x09), 0x24);
	assert_int_equal(cmos(&r, 0x32), 0x20);
	assert_int_equal(cmos(&r, 0x0a) & 0x80, 0); /* no update in progress */
	assert_int_equal(cmos(&r, 0x0b), 0x02);
	assert_int_equal(cmos(&r, 0x0d), 0x80);
	/* NMI-disable bit in the index is ignored. */
	assert_int_equal(cmos(&r, 0x80 | 0x04), 0x13);
}

static void test_rtc_binary_12h(void **state)
{
	(void)state;
	struct rtc r;
	rtc_init(&r);
	r.now = fixed_now;
	cmos_set(&r, 0x0b, RTC_B_BINARY);	    /* binary, 12-hour */
	assert_int_equal(cmos(&r, 0x04), 0x80 | 1); /* 1 PM */
	assert_int_equal(cmos(&r, 0x09), 24);
	assert_int_equal(cmos(&r, 0x07), 29);
	cmos_set(&r, 0x0b, 0); /* BCD, 12-hour */
	assert_int_equal(cmos(&r, 0x04), 0x81);
	/* The time cannot be set by the guest; other CMOS bytes are RAM. */
	cmos_set(&r, 0x00, 0x55);
	assert_int_equal(cmos(&r, 0x00), 0x09);
	cmos_set(&r, 0x40, 0xa5);
	assert_int_equal(cmos(&r, 0x40), 0xa5);
	/* Any index, any value: stays in bounds. */
	for (unsigned i = 0; i < 256; i++)
		cmos_set(&r, (uint8_t)i, (uint8_t)(i * 3));
}

static void test_terminal_filter(void **state)
{
	(void)state;
	struct terminal t;
	memset(&t, 0, sizeof(t));
	uint8_t out[16];
	bool quit;
	size_t n = terminal_filter(&t,
				   (const uint8_t *)"ab\x01\x01"
						    "c",
				   5, out, &quit);
	assert_false(quit);
	assert_int_equal(n, 4);
	assert_memory_equal(out,
			    "ab\x01"
			    "c",
			    4);
	/* Ctrl-A then another key: both dropped. */
	n = terminal_filter(&t, (const uint8_t *)"\x01qz", 3, out, &quit);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 'z');
	/* Escape split across reads. */
	n = terminal_filter(&t, (const uint8_t *)"k\x01", 2, out, &quit);
	assert_int_equal(n, 1);
	assert_false(quit);
	n = terminal_filter(&t, (const uint8_t *)"xIGNORED", 8, out, &quit);
	assert_true(quit);
	assert_int_equal(n, 0);
}

static void test_terminal_bounded_input(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	uint8_t big[4096];
	memset(big, 'y', sizeof(big));
	assert_int_equal(write(p[1], big, sizeof(big)), sizeof(big));
	struct terminal t;
	memset(&t, 0, sizeof(t));
	t.in_fd = p[0];
	t.out_fd = -1;
	struct serial s;
	serial_init(&s, NULL, NULL, NULL, NULL);
	uint8_t fcr = UART_FCR_ENABLE;
	serial_io(&s, UART_FCR, &fcr, 1, true);
	/* One read of at most TERMINAL_PENDING_MAX bytes; 16 go to the FIFO. */
	assert_int_equal(terminal_pump(&t, &s, true), 0);
	assert_int_equal(t.pend_len - t.pend_off, TERMINAL_PENDING_MAX - SERIAL_FIFO_SIZE);
	assert_false(terminal_wants_input(&t));
	/* While the guest reads nothing, further pumps read nothing more. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(terminal_pump(&t, &s, true), 0);
	assert_int_equal(t.pend_len - t.pend_off, TERMINAL_PENDING_MAX - SERIAL_FIFO_SIZE);
	/* Bytes left in the pipe: exactly what was not read. */
	int avail = 0;
	uint8_t tmp[4096];
	avail = (int)read(p[0], tmp, sizeof(tmp));
	assert_int_equal(avail, (int)sizeof(big) - TERMINAL_PENDING_MAX);
	close(p[1]);
	close(p[0]);
	serial_destroy(&s);
}

static void test_terminal_eof_and_quit(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hi\x01x", 4), 4);
	close(p[1]);
	struct terminal t;
	memset(&t, 0, sizeof(t));
	t.in_fd = p[0];
	struct serial s;
	serial_init(&s, NULL, NULL, NULL, NULL);
	assert_int_equal(terminal_pump(&t, &s, true), 1); /* Ctrl-A x */
	memset(&t, 0, sizeof(t));
	t.in_fd = p[0];
	assert_int_equal(terminal_pump(&t, &s, true), 0); /* end of the pipe */
	assert_true(t.eof);
	assert_false(terminal_wants_input(&t));
	close(p[0]);
	serial_destroy(&s);
}

static void test_debug_port_report(void **state)
{
	(void)state;
	struct debug_port d;
	debug_port_init(&d, 0);
	char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	debug_port_report(&d, f);
	fclose(f);
	assert_non_null(strstr(buf, "no marker"));
	d.count = 2;
	d.marks[0] = 1234567890ull;
	d.marks[1] = 2000000ull;
	f = fmemopen(buf, sizeof(buf), "w");
	debug_port_report(&d, f);
	fclose(f);
	assert_non_null(strstr(buf, "marker 1: 1.234567 s"));
	assert_non_null(strstr(buf, "marker 2: 0.002000 s"));
}

static struct guest_mem mem;

static int mem_setup(void **state)
{
	(void)state;
	return mem_alloc(&mem, 16ull << 20);
}

static int mem_teardown(void **state)
{
	(void)state;
	mem_free(&mem);
	return 0;
}

static void test_page_tables_and_gdt(void **state)
{
	(void)state;
	assert_int_equal(cpu_setup_page_tables(&mem), 0);
	assert_int_equal(cpu_setup_gdt(&mem), 0);
	const uint64_t *pml4 = mem_ptr(&mem, BOOT_PML4_ADDR, 4096);
	const uint64_t *pdpt = mem_ptr(&mem, BOOT_PDPT_ADDR, 4096);
	assert_int_equal(pml4[0], BOOT_PDPT_ADDR | 3);
	assert_int_equal(pml4[1], 0);
	/* Walk a few addresses through the tables: identity mapping, 2 MiB pages. */
	const uint64_t probes[] = {0, 0x1234567, 0xbfffffff, 0xfec00000, 0xffffffff};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint64_t va = probes[i];
		uint64_t pdpte = pdpt[(va >> 30) & 511];
		assert_true(pdpte & 1);
		const uint64_t *pd = mem_ptr(&mem, pdpte & ~0xfffull, 4096);
		uint64_t pde = pd[(va >> 21) & 511];
		assert_int_equal(pde & 0x83, 0x83); /* present, writable, 2 MiB */
		assert_int_equal((pde & ~0x1fffffull) | (va & 0x1fffff), va);
	}
	const uint64_t *gdt = mem_ptr(&mem, BOOT_GDT_ADDR, 32);
	assert_int_equal(gdt[BOOT_CS / 8] >> 53 & 1, 1); /* L bit */
	assert_int_equal(gdt[BOOT_DS / 8] >> 47 & 1, 1); /* present */
	struct kvm_sregs s;
	memset(&s, 0, sizeof(s));
	cpu_setup_long_mode_sregs(&s);
	assert_int_equal(s.cs.selector, BOOT_CS);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.ds.selector, BOOT_DS);
	assert_int_equal(s.cr3, BOOT_PML4_ADDR);
	assert_true(s.efer & 0x500);
	assert_true(s.cr0 & 0x80000001);
}

static void test_cpuid_adjust(void **state)
{
	(void)state;
	struct kvm_cpuid_entry2 e = {.function = 1, .ebx = 0x07080800, .ecx = 0, .edx = 1u << 28};
	cpu_setup_adjust_cpuid_entry(&e);
	assert_true(e.ecx & (1u << 31));
	assert_int_equal(e.ebx >> 24, 0);	   /* APIC id 0 */
	assert_int_equal((e.ebx >> 16) & 0xff, 1); /* one logical CPU */
	assert_int_equal(e.ebx & 0xffff, 0x0800);
	assert_false(e.edx & (1u << 28));
	struct kvm_cpuid_entry2 k = {.function = 0x40000000};
	cpu_setup_adjust_cpuid_entry(&k);
	char sig[13] = {0};
	memcpy(sig, &k.ebx, 4);
	memcpy(sig + 4, &k.ecx, 4);
	memcpy(sig + 8, &k.edx, 4);
	assert_string_equal(sig, "KVMKVMKVM");
	assert_true(k.eax >= 0x40000001);
	struct kvm_cpuid_entry2 t = {.function = 0xb, .index = 1, .ebx = 16, .edx = 5};
	cpu_setup_adjust_cpuid_entry(&t);
	assert_int_equal(t.ebx, 1);
	assert_int_equal((t.ecx >> 8) & 0xff, 2); /* core level */
	assert_int_equal(t.edx, 0);
	struct kvm_cpuid_entry2 c = {.function = 4, .eax = 0xfc004121};
	cpu_setup_adjust_cpuid_entry(&c);
	assert_int_equal(c.eax >> 14, 0);
}

static void test_realmode_load(void **state)
{
	(void)state;
	uint8_t bin[3] = {0xfa, 0xf4, 0xeb};
	assert_int_equal(realmode_load(&mem, bin, sizeof(bin)), 0);
	assert_memory_equal(mem_ptr(&mem, REALMODE_LOAD_ADDR, 3), bin, 3);
	assert_int_equal(realmode_load(&mem, bin, 0), -ERR_RANGE);
	static uint8_t huge[REALMODE_MAX_SIZE + 1];
	assert_int_equal(realmode_load(&mem, huge, sizeof(huge)), -ERR_RANGE);
	assert_int_equal(realmode_load(&mem, huge, REALMODE_MAX_SIZE), 0);
	struct kvm_sregs s;
	struct kvm_regs r;
	memset(&s, 0, sizeof(s));
	realmode_cpu_state(&s, &r);
	assert_int_equal(s.cs.base, 0x10000);
	assert_int_equal(s.cs.selector, 0x1000);
	assert_int_equal(r.rip, 0);
	/* mem_write refuses what is outside RAM. */
	assert_int_equal(mem_write(&mem, (16ull << 20) - 1, bin, 2), -ERR_FAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtc_bcd_24h),
	    cmocka_unit_test(test_rtc_binary_12h),
	    cmocka_unit_test(test_terminal_filter),
	    cmocka_unit_test(test_terminal_bounded_input),
	    cmocka_unit_test(test_terminal_eof_and_quit),
	    cmocka_unit_test(test_debug_port_report),
	    cmocka_unit_test_setup_teardown(test_page_tables_and_gdt, mem_setup, mem_teardown),
	    cmocka_unit_test(test_cpuid_adjust),
	    cmocka_unit_test_setup_teardown(test_realmode_load, mem_setup, mem_teardown),
	};
	return cmocka_run_group_tests_name("vmm_devices", tests, NULL, NULL);
}
