/*
 * Tests of the user library's own string and number functions
 * (user/lib/string.c, user/lib/strtol.c). Those files define C library
 * names, so they are #included here under ulib_* names, which leaves the
 * host C library's functions in place as the reference: every case is run
 * through both and the results (value, end pointer, returned pointer,
 * buffer contents) must agree.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define strrchr ulib_strrchr
#define strcpy	ulib_strcpy
#define strncpy ulib_strncpy
#define strcat	ulib_strcat
#define strdup	ulib_strdup
#define strtol	ulib_strtol
#define strtoul ulib_strtoul
#define atoi	ulib_atoi
#include "user/lib/string.c"
#include "user/lib/strtol.c"
#undef strrchr
#undef strcpy
#undef strncpy
#undef strcat
#undef strdup
#undef strtol
#undef strtoul
#undef atoi

static const char *const numbers[] = {
    "0",
    "1",
    "-1",
    "+7",
    "  42",
    "\t\n-13x",
    "0x1f",
    "0X1F",
    "0x",
    "0xg",
    "017",
    "08",
    "-0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "-18446744073709551615",
    "99999999999999999999999",
    "zz",
    "Zz",
    "",
    "   ",
    "-",
    "+-1",
    "123abc",
    "1_000",
    "7fffffffffffffff",
    "ffffffffffffffffff",
};
static const int bases[] = {0, 2, 8, 10, 16, 36, 1, 37, -1};

static void test_strtol(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			const char *s = numbers[i];
			int base = bases[b];
			if (base == 1 || base > 36 || base < 0) {
				/* Invalid bases: no conversion (C leaves them undefined; glibc
				 * agrees). */
				char *e;
				assert_int_equal(ulib_strtol(s, &e, base), 0);
				assert_ptr_equal(e, s);
				continue;
			}
			char *e1, *e2;
			long v1 = strtol(s, &e1, base), v2 = ulib_strtol(s, &e2, base);
			if (v1 != v2 || e1 != e2)
				fail_msg("strtol(\"%s\", %d): %ld end +%td, want %ld end +%td", s,
					 base, v2, e2 - s, v1, e1 - s);
			unsigned long u1 = strtoul(s, &e1, base), u2 = ulib_strtoul(s, &e2, base);
			if (u1 != u2 || e1 != e2)
				fail_msg("strtoul(\"%s\", %d): %lu end +%td, want %lu end +%td", s,
					 base, u2, e2 - s, u1, e1 - s);
		}
		assert_int_equal(ulib_atoi("  -123z"), atoi("  -123z"));
	}
	assert_int_equal(ulib_strtol("5", NULL, 10), 5);
}

static void test_strings(void **state)
{
	(void)state;
	const char *s = "a/b/c//d";
	for (int c = 0; c < 128; c++)
		assert_ptr_equal(ulib_strrchr(s, c), strrchr(s, c));
	assert_ptr_equal(ulib_strrchr(s, 0), s + strlen(s));
	assert_ptr_equal(ulib_strrchr(s, '/' + 256), strrchr(s, '/' + 256));

	char a[32], b[32];
	memset(a, 'x', sizeof(a));
	memset(b, 'x', sizeof(b));
	assert_ptr_equal(ulib_strcpy(a, "hello"), a);
	strcpy(b, "hello");
	assert_memory_equal(a, b, sizeof(a));
	for (size_t n = 0; n < 12; n++) {
		memset(a, 'x', sizeof(a));
		memset(b, 'x', sizeof(b));
		assert_ptr_equal(ulib_strncpy(a, "hello", n), a);
		strncpy(b, "hello", n);
		assert_memory_equal(a, b, sizeof(a));
	}
	strcpy(a, "ab");
	strcpy(b, "ab");
	assert_ptr_equal(ulib_strcat(a, "cde"), a);
	strcat(b, "cde");
	assert_memory_equal(a, b, 6);
	char *d = ulib_strdup("copy me");
	assert_non_null(d);
	assert_string_equal(d, "copy me");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strtol),
	    cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
