/*
 * Tests of kernel/api/syscall.c, the system call table and syscall_invoke.
 *
 * The handlers here are stubs, one per `#define SYS_NAME N` of
 * include/orbital/syscall.h (SYS_COUNT aside), generated from the header at
 * build time as T_CALL(SYS_NAME, sys_name) lines (syscall_table.mk): so the
 * list cannot fall behind the ABI. A handler the table names that the header
 * does not define fails to link; a number the header defines that the table
 * lacks fails test_every_call_reaches_its_handler.
 *
 * The cases check that each defined number reaches its own handler with the
 * six arguments unchanged and returns its result; that every other number
 * below SYS_COUNT, SYS_COUNT and above, and 64-bit numbers whose low bits name
 * a call are -ERR_NOSYS without any handler running; and that every call is
 * counted in syscall_count_total.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hosted.h"
#include "api/syscall.h"
#include "api/sys_table.h"
#include <orbital/errors.h>

#define T_NONE	 UINT64_MAX /* no stub ran */
#define T_RESULT 1000	    /* a stub returns T_RESULT + its number */

static uint64_t t_called = T_NONE;
static struct syscall_args t_seen;

static int64_t t_stub(uint64_t nr, const struct syscall_args *a)
{
	assert_int_equal(t_called, T_NONE); /* one handler per call */
	t_called = nr;
	t_seen = *a;
	return T_RESULT + (int64_t)nr;
}

/* The stub handlers: sys_name for SYS_NAME. */
#define T_CALL(nr, fn)                                                                             \
	int64_t fn(const struct syscall_args *a)                                                   \
	{                                                                                          \
		return t_stub(nr, a);                                                              \
	}
#include "syscall_numbers.h"
#undef T_CALL

static const struct t_call {
	uint64_t nr;
	const char *name, *fn_name;
	syscall_fn *fn;
} t_calls[] = {
#define T_CALL(nr, fn) {nr, #nr, #fn, fn},
#include "syscall_numbers.h"
#undef T_CALL
};

#define T_NCALLS (sizeof(t_calls) / sizeof(t_calls[0]))

static const struct t_call *t_find(uint64_t nr)
{
	for (size_t i = 0; i < T_NCALLS; i++)
		if (t_calls[i].nr == nr)
			return &t_calls[i];
	return NULL;
}

/* syscall_invoke(nr) with recognisable arguments; checks the count went up by one. */
static int64_t t_invoke(uint64_t nr)
{
	uint64_t before = syscall_count_total;
	t_called = T_NONE;
	int64_t r =
	    syscall_invoke(nr, 0xa0 + nr, 0xa1 + nr, 0xa2 + nr, 0xa3 + nr, 0xa4 + nr, 0xa5 + nr);
	assert_int_equal(syscall_count_total, before + 1);
	return r;
}

static void test_header_lists_the_calls(void **state)
{
	/* The generated list is the ABI header's: not empty, and what the header says. */
	assert_true(T_NCALLS >= 40);
	assert_non_null(t_find(SYS_NULL));
	assert_ptr_equal(t_find(SYS_NULL)->fn, sys_null);
	assert_ptr_equal(t_find(SYS_QUOTA_INFO)->fn, sys_quota_info);
	for (size_t i = 0; i < T_NCALLS; i++) {
		assert_true(t_calls[i].nr < SYS_COUNT);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(t_calls[i].nr, t_calls[j].nr); /* numbers are unique */
	}
}

static void test_every_call_reaches_its_handler(void **state)
{
	for (size_t i = 0; i < T_NCALLS; i++) {
		const struct t_call *c = &t_calls[i];
		if (syscall_table[c->nr] != c->fn)
			fail_msg("%s (%lu): the table does not name %s", c->name,
				 (unsigned long)c->nr, c->fn_name);
		assert_int_equal(t_invoke(c->nr), T_RESULT + (int64_t)c->nr);
		assert_int_equal(t_called, c->nr);
		assert_int_equal(t_seen.a0, 0xa0 + c->nr);
		assert_int_equal(t_seen.a1, 0xa1 + c->nr);
		assert_int_equal(t_seen.a2, 0xa2 + c->nr);
		assert_int_equal(t_seen.a3, 0xa3 + c->nr);
		assert_int_equal(t_seen.a4, 0xa4 + c->nr);
		assert_int_equal(t_seen.a5, 0xa5 + c->nr);
	}
}

static void test_unassigned_numbers_are_nosys(void **state)
{
	size_t unassigned = 0;
	for (uint64_t nr = 0; nr < SYS_COUNT; nr++) {
		if (t_find(nr))
			continue;
		unassigned++;
		if (syscall_table[nr])
			fail_msg("number %lu is no call but has a table entry", (unsigned long)nr);
		assert_int_equal(t_invoke(nr), -ERR_NOSYS);
		assert_int_equal(t_called, T_NONE);
	}
	assert_int_equal(unassigned + T_NCALLS, SYS_COUNT);
	assert_true(unassigned > 0);
}

static void test_out_of_range_numbers_are_nosys(void **state)
{
	static const uint64_t numbers[] = {
	    SYS_COUNT,
	    SYS_COUNT + 1,
	    2 * SYS_COUNT,
	    255,
	    256,
	    (1ull << 32) | SYS_CLOCK, /* the low 32 bits name a call: never truncated */
	    (1ull << 32) | SYS_NULL,
	    1ull << 40,
	    (1ull << 63) | SYS_YIELD,
	    (uint64_t)-SYS_COUNT,
	    (uint64_t)-1,
	};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		assert_int_equal(t_invoke(numbers[i]), -ERR_NOSYS);
		assert_int_equal(t_called, T_NONE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_lists_the_calls),
	    cmocka_unit_test(test_every_call_reaches_its_handler),
	    cmocka_unit_test(test_unassigned_numbers_are_nosys),
	    cmocka_unit_test(test_out_of_range_numbers_are_nosys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
