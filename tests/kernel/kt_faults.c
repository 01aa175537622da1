/*
 * Tests that crash the kernel on purpose. Each ends in the exception report
 * (or panic) and the panic exit status; the harness checks the report's text:
 * exception name, error code, CR2, registers and a backtrace naming these
 * functions.
 */
#include "tests/kernel/ktest.h"
#include "debug/panic.h"

__attribute__((noinline)) static void kt_pagefault_victim(void)
{
	*(volatile uint64_t *)0xdead000 = 1;
}

static int kt_pagefault(void)
{
	kt_pagefault_victim();
	return -1;
}

__attribute__((noinline)) static void kt_gp_victim(void)
{
	*(volatile uint64_t *)0x8000000000000000ull = 1; /* non-canonical: #GP */
}

static int kt_gpfault(void)
{
	kt_gp_victim();
	return -1;
}

__attribute__((noinline)) static uint64_t kt_recurse(volatile uint64_t depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth > (1ull << 40)) /* never: the stack is far smaller */
		return pad[0];
	return kt_recurse(depth + 1) + pad[0];
}

static int kt_stack_overflow(void)
{
	kt_recurse(0);
	return -1;
}

static int kt_panic(void)
{
	panic("deliberate test panic (%d)", 42);
}

const struct ktest ktests_faults[] = {
    {"pagefault", kt_pagefault},
    {"gpfault", kt_gpfault},
    {"stack_overflow", kt_stack_overflow},
    {"panic", kt_panic},
    {NULL, NULL},
};
