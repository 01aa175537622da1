/*
 * Tests of the start block a spawner writes into a child
 * (user/lib/start_layout.c): the layout is read back the way crt0 reads it,
 * through child addresses translated to the buffer, and start_valid() must
 * accept what start_layout() writes and refuse damaged blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "start_layout.h"

#define CHILD 0x7ffffff11000ull /* where the block is in the child */

static _Alignas(8) unsigned char buf[8192 + 64];

/* The buffer address of child address a inside the block. */
static const void *at(uint64_t a)
{
	assert_true(a >= CHILD && a < CHILD + 8192);
	return buf + (a - CHILD);
}

static const struct orb_start tmpl = {
    .self = 0x1001,
    .self_thread = 0x1002,
    .ipc_buffer = CHILD - 4096,
    .stack_lo = 0x7fffffef0000ull,
    .stack_hi = 0x7ffffff00000ull,
    .ncaps = 2,
    .caps = {0x3005, 0x4006},
};

static void check_block(const char *const *argv, long used)
{
	const struct orb_start *st = (const struct orb_start *)buf;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	assert_int_equal(st->magic, ORB_START_MAGIC);
	assert_int_equal(st->size, sizeof(struct orb_start));
	assert_int_equal(st->self, 0x1001);
	assert_int_equal(st->self_thread, 0x1002);
	assert_int_equal(st->ncaps, 2);
	assert_int_equal(st->caps[1], 0x4006);
	assert_int_equal(st->stack_hi, 0x7ffffff00000ull);
	assert_int_equal(st->argc, argc);
	assert_true(start_valid(st, CHILD, CHILD + 8192));
	uint64_t vec[300];
	memcpy(vec, at(st->argv), (argc + 1) * 8);
	for (size_t i = 0; i < argc; i++) {
		assert_string_equal((const char *)at(vec[i]), argv[i]);
		assert_true(vec[i] + strlen(argv[i]) + 1 <= CHILD + (uint64_t)used);
	}
	assert_int_equal(vec[argc], 0);
	assert_int_equal((long)start_layout_size(argv), used);
}

static void test_layout(void **state)
{
	(void)state;
	const char *a1[] = {"hello", NULL};
	const char *a2[] = {"prog", "", "x y z", "a much longer argument string", NULL};
	const char *a0[] = {NULL};
	const char *const *cases[] = {a1, a2, a0};
	for (size_t c = 0; c < 3; c++) {
		memset(buf, 0x5a, sizeof(buf));
		long used = start_layout(buf, 8192, CHILD, cases[c], &tmpl);
		assert_true(used > 0);
		check_block(cases[c], used);
		for (size_t i = (size_t)used; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0x5a);
	}
}

static void test_too_big(void **state)
{
	(void)state;
	const char *argv[] = {"prog", "arg", NULL};
	size_t need = start_layout_size(argv);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(start_layout(buf, need - 1, CHILD, argv, &tmpl), -ERR_INVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x5a); /* nothing written */
	assert_int_equal(start_layout(buf, need, CHILD, argv, &tmpl), (long)need);

	static const char *many[START_ARGS_MAX + 2];
	for (size_t i = 0; i <= START_ARGS_MAX; i++)
		many[i] = "a";
	many[START_ARGS_MAX + 1] = NULL;
	assert_int_equal(start_layout_size(many), 0);
	many[START_ARGS_MAX] = NULL; /* exactly the limit */
	assert_true(start_layout_size(many) > 0);
}

static void test_valid_refuses(void **state)
{
	(void)state;
	const char *argv[] = {"prog", "arg", NULL};
	struct orb_start *st = (struct orb_start *)buf;
	assert_true(start_layout(buf, 8192, CHILD, argv, &tmpl) > 0);
	assert_true(start_valid(st, CHILD, CHILD + 8192));
	struct orb_start good = *st;

	st->magic ^= 1;
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->size = 8;
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->ncaps = ORB_START_CAPS_MAX + 1;
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->argv = CHILD - 8; /* outside */
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->argv += 4; /* misaligned */
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->argv = CHILD + 8192 - 16; /* room for 2 entries, argc + 1 = 3 needed */
	assert_false(start_valid(st, CHILD, CHILD + 8192));
	st->argc = 1;
	assert_true(start_valid(st, CHILD, CHILD + 8192));
	*st = good;
	st->argc = 0xffffffffu;
	assert_false(start_valid(st, CHILD, CHILD + 8192));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_valid_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
