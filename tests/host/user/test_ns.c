/*
 * Tests of the name server's table (user/bin/ns/ns_table.c): which names
 * are valid, decoding names from untrusted message words (canonical packing
 * only), register / lookup / unregister, ownership by client id (replace by
 * the owner, -ERR_EXIST for anyone else), the capability handed back when
 * an entry goes, and a full table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <orbital/errors.h>
#include "ns_table.h"

static void test_name_ok(void **state)
{
	(void)state;
	assert_true(ns_table_name_ok("vfs"));
	assert_true(ns_table_name_ok("a"));
	assert_true(ns_table_name_ok("net.tcp-4_x9"));
	assert_true(ns_table_name_ok("abcdefghijklmnopqrstuvwxyz01234"));   /* 31 bytes */
	assert_false(ns_table_name_ok("abcdefghijklmnopqrstuvwxyz012345")); /* 32 bytes */
	assert_false(ns_table_name_ok(""));
	assert_false(ns_table_name_ok(NULL));
	assert_false(ns_table_name_ok("VFS"));
	assert_false(ns_table_name_ok("a b"));
	assert_false(ns_table_name_ok("a/b"));
	assert_false(ns_table_name_ok("caf\xc3\xa9"));
}

static void test_name_decode(void **state)
{
	uint64_t w[4];
	char out[NS_NAME_MAX + 1];
	(void)state;

	assert_int_equal(ns_name_pack("console", w), 0);
	assert_int_equal(ns_table_name_decode(w, out), 0);
	assert_string_equal(out, "console");

	assert_int_equal(ns_name_pack("abcdefghijklmnopqrstuvwxyz01234", w), 0);
	assert_int_equal(ns_table_name_decode(w, out), 0);
	assert_string_equal(out, "abcdefghijklmnopqrstuvwxyz01234");

	/* 32 bytes with no 0 at all. */
	memset(w, 'a', sizeof(w));
	assert_int_equal(ns_table_name_decode(w, out), -ERR_INVAL);
	/* Empty. */
	memset(w, 0, sizeof(w));
	assert_int_equal(ns_table_name_decode(w, out), -ERR_INVAL);
	/* Bytes after the terminating 0: not the canonical packing. */
	assert_int_equal(ns_name_pack("vfs", w), 0);
	((unsigned char *)w)[10] = 'x';
	assert_int_equal(ns_table_name_decode(w, out), -ERR_INVAL);
	/* A bad character. */
	assert_int_equal(ns_name_pack("vfs", w), 0);
	((unsigned char *)w)[1] = '/';
	assert_int_equal(ns_table_name_decode(w, out), -ERR_INVAL);
	/* Too long for ns_name_pack. */
	assert_int_equal(ns_name_pack("abcdefghijklmnopqrstuvwxyz012345", w), -1);
	assert_int_equal(ns_name_pack("", w), -1);
}

static void test_register_lookup(void **state)
{
	struct ns_table t;
	uint32_t cap = 0, old = 99;
	(void)state;

	ns_table_init(&t);
	assert_int_equal(ns_table_lookup(&t, "vfs", &cap), -ERR_NOENT);
	assert_int_equal(ns_table_register(&t, "vfs", 1, 0x1001, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(ns_table_register(&t, "console", 1, 0x1002, &old), 0);
	assert_int_equal(t.count, 2);
	assert_int_equal(ns_table_lookup(&t, "vfs", &cap), 0);
	assert_int_equal(cap, 0x1001);
	assert_int_equal(ns_table_lookup(&t, "console", &cap), 0);
	assert_int_equal(cap, 0x1002);
	assert_int_equal(ns_table_lookup(&t, "vf", &cap), -ERR_NOENT);
	assert_int_equal(ns_table_lookup(&t, "vfs2", &cap), -ERR_NOENT);
	assert_int_equal(ns_table_lookup(&t, "Bad", &cap), -ERR_INVAL);

	/* Bad arguments change nothing. */
	assert_int_equal(ns_table_register(&t, "x", 1, 0, &old), -ERR_INVAL);
	assert_int_equal(ns_table_register(&t, "x", 0, 5, &old), -ERR_INVAL);
	assert_int_equal(ns_table_register(&t, "X", 1, 5, &old), -ERR_INVAL);
	assert_int_equal(t.count, 2);
}

static void test_owner(void **state)
{
	struct ns_table t;
	uint32_t cap = 0, old = 0;
	(void)state;

	ns_table_init(&t);
	assert_int_equal(ns_table_register(&t, "vfs", 7, 0x10, &old), 0);
	/* Another client id can neither replace nor remove it. */
	assert_int_equal(ns_table_register(&t, "vfs", 8, 0x20, &old), -ERR_EXIST);
	assert_int_equal(old, 0);
	assert_int_equal(ns_table_unregister(&t, "vfs", 8, &old), -ERR_EXIST);
	assert_int_equal(old, 0);
	assert_int_equal(ns_table_lookup(&t, "vfs", &cap), 0);
	assert_int_equal(cap, 0x10);
	/* The owner replaces it, and gets the old capability back to delete. */
	assert_int_equal(ns_table_register(&t, "vfs", 7, 0x30, &old), 0);
	assert_int_equal(old, 0x10);
	assert_int_equal(ns_table_lookup(&t, "vfs", &cap), 0);
	assert_int_equal(cap, 0x30);
	assert_int_equal(t.count, 1);
	/* And removes it. */
	assert_int_equal(ns_table_unregister(&t, "vfs", 7, &old), 0);
	assert_int_equal(old, 0x30);
	assert_int_equal(ns_table_lookup(&t, "vfs", &cap), -ERR_NOENT);
	assert_int_equal(ns_table_unregister(&t, "vfs", 7, &old), -ERR_NOENT);
	assert_int_equal(t.count, 0);
	/* A removed name is free for anyone. */
	assert_int_equal(ns_table_register(&t, "vfs", 8, 0x40, &old), 0);
	assert_int_equal(old, 0);
}

static void test_full(void **state)
{
	struct ns_table t;
	uint32_t cap, old;
	char name[16];
	(void)state;

	ns_table_init(&t);
	for (unsigned i = 0; i < NS_TABLE_MAX; i++) {
		snprintf(name, sizeof(name), "svc%u", i);
		assert_int_equal(ns_table_register(&t, name, 1, 100 + i, &old), 0);
	}
	assert_int_equal(t.count, NS_TABLE_MAX);
	assert_int_equal(ns_table_register(&t, "onemore", 1, 5, &old), -ERR_NOSPACE);
	/* Replacing still works when full. */
	assert_int_equal(ns_table_register(&t, "svc3", 1, 7, &old), 0);
	assert_int_equal(old, 103);
	/* A freed slot is reused. */
	assert_int_equal(ns_table_unregister(&t, "svc10", 1, &old), 0);
	assert_int_equal(ns_table_register(&t, "onemore", 1, 5, &old), 0);
	for (unsigned i = 0; i < NS_TABLE_MAX; i++) {
		snprintf(name, sizeof(name), "svc%u", i);
		int r = ns_table_lookup(&t, name, &cap);
		if (i == 10) {
			assert_int_equal(r, -ERR_NOENT);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(cap, i == 3 ? 7u : 100 + i);
	}
	assert_int_equal(ns_table_lookup(&t, "onemore", &cap), 0);
	assert_int_equal(cap, 5);
}

/* One owner holds at most per_owner names: it cannot fill the table the others share. */
static void test_per_owner(void **state)
{
	struct ns_table t;
	uint32_t cap, old;
	char name[16];
	(void)state;

	ns_table_init(&t);
	t.per_owner = 4;
	for (unsigned i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "mine%u", i);
		assert_int_equal(ns_table_register(&t, name, 9, 100 + i, &old), 0);
	}
	assert_int_equal(ns_table_register(&t, "mine4", 9, 5, &old), -ERR_NOSPACE);
	assert_int_equal(ns_table_lookup(&t, "mine4", &cap), -ERR_NOENT);
	/* Replacing one of its own names still works; another owner still registers. */
	assert_int_equal(ns_table_register(&t, "mine2", 9, 7, &old), 0);
	assert_int_equal(old, 102);
	assert_int_equal(ns_table_register(&t, "other", 10, 8, &old), 0);
	/* A name given up makes room for another. */
	assert_int_equal(ns_table_unregister(&t, "mine0", 9, &old), 0);
	assert_int_equal(ns_table_register(&t, "mine4", 9, 5, &old), 0);
	assert_int_equal(t.count, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_ok),
	    cmocka_unit_test(test_name_decode),
	    cmocka_unit_test(test_register_lookup),
	    cmocka_unit_test(test_owner),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_per_owner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
