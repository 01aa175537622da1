/*
 * Tests of standard output's logic in the user library (user/lib/stream.c):
 * line buffering, the order of output, and formatting through the stream.
 *
 * The sink records every write() call. Formatting results are compared with
 * the host C library's snprintf (an independent implementation of the same
 * conversions), except where Orbital documents a difference (%p).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stream.h"

static char out[1 << 16];
static size_t out_len;
static size_t calls;
static size_t call_len[4096];

static void sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	assert_true(n > 0);
	assert_true(out_len + n <= sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	if (calls < 4096)
		call_len[calls] = n;
	calls++;
}

static struct stream st;

static int setup(void **state)
{
	(void)state;
	out_len = 0;
	calls = 0;
	stream_init(&st, sink, NULL);
	return 0;
}

static void test_line_buffered(void **state)
{
	(void)state;
	stream_write(&st, "abc", 3);
	stream_write(&st, "def", 3);
	assert_int_equal(calls, 0); /* no newline yet */
	stream_write(&st, "g\nhi", 4);
	assert_int_equal(calls, 1);
	assert_int_equal(out_len, 8);
	assert_memory_equal(out, "abcdefg\n", 8);
	stream_write(&st, "\n\n", 2);
	assert_int_equal(calls, 3);
	assert_memory_equal(out, "abcdefg\nhi\n\n", 12);
	stream_write(&st, "tail", 4);
	stream_flush(&st);
	stream_flush(&st); /* nothing more */
	assert_int_equal(calls, 4);
	assert_memory_equal(out, "abcdefg\nhi\n\ntail", 16);
}

static void test_full_buffer_and_long_writes(void **state)
{
	(void)state;
	char big[STREAM_BUF * 3];
	memset(big, 'x', sizeof(big));
	stream_write(&st, "ab", 2);
	stream_write(&st, big, sizeof(big)); /* longer than the buffer: out after "ab" */
	assert_int_equal(calls, 2);
	assert_int_equal(call_len[0], 2);
	assert_int_equal(call_len[1], sizeof(big));
	/* Filling the buffer exactly, then one more byte. */
	stream_write(&st, big, STREAM_BUF - 1);
	stream_write(&st, "y", 1);
	assert_int_equal(calls, 2);
	stream_write(&st, "z", 1);
	assert_int_equal(calls, 3);
	assert_int_equal(call_len[2], STREAM_BUF);
	stream_flush(&st);
	assert_int_equal(out_len, 2 + sizeof(big) + STREAM_BUF + 1);
	assert_int_equal(out[out_len - 1], 'z');
}

/* Random pieces: the output is the input, in order, cut only where it must be. */
static void test_random_order(void **state)
{
	(void)state;
	static char in[40000];
	size_t n = 0;
	srand(99);
	while (n < sizeof(in) - 700) {
		size_t k = (size_t)rand() % ((rand() % 20) ? 40 : 600);
		for (size_t i = 0; i < k; i++)
			in[n + i] = (rand() % 30) ? (char)('a' + rand() % 26) : '\n';
		stream_write(&st, in + n, k);
		n += k;
	}
	stream_flush(&st);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, in, n);
	/* A write that does not end a line happens only when the next piece did not fit. */
	assert_true(calls < 4096);
	size_t pos = 0;
	for (size_t c = 0; c + 1 < calls; c++) {
		pos += call_len[c];
		if (out[pos - 1] != '\n' && call_len[c] < STREAM_BUF)
			assert_true(call_len[c] + call_len[c + 1] > STREAM_BUF);
	}
}

static int t_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = stream_vprintf(&st, fmt, ap);
	va_end(ap);
	stream_flush(&st);
	return n;
}

/* Formats through the stream and through the C library; both must agree. */
#define SAME(fmt, ...)                                                                             \
	do {                                                                                       \
		char want[512];                                                                    \
		int wn = snprintf(want, sizeof(want), fmt, __VA_ARGS__);                           \
		out_len = 0;                                                                       \
		int n = t_printf(fmt, __VA_ARGS__);                                                \
		assert_int_equal(n, wn);                                                           \
		assert_int_equal(out_len, (size_t)wn);                                             \
		if (memcmp(out, want, out_len) != 0)                                               \
			fail_msg("format \"%s\": got \"%.*s\", want \"%s\"", fmt, (int)out_len,    \
				 out, want);                                                       \
	} while (0)

static void test_formats(void **state)
{
	(void)state;
	SAME("%d %i %d", 0, -1, INT_MIN);
	SAME("%d|%5d|%-5d|%05d|%+d|% d", INT_MAX, 42, 42, -42, 7, 7);
	SAME("%u %x %X %o", 4000000000u, 0xdeadbeefu, 0xdeadbeefu, 0755u);
	SAME("%02x%02x %2x %08X", 1u, 0xabu, 0x123u, 0xbeefu);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	SAME("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, 1ULL << 63);
	SAME("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)4096);
	SAME("%hhu %hd", (unsigned char)200, (short)-300);
	SAME("%s|%10s|%-10s|%.3s|%c%c", "hello", "right", "left", "truncate", 'o', 'k');
	SAME("100%% %s", "done");
	SAME("%#x %#o %*d %-*d|", 255u, 8u, 6, 12, 6, 12);
	SAME("%.5d %.0d|%8.3d", 42, 0, 7);
	SAME("line one\nline %d\n", 2);
}

static void test_pointer_and_null(void **state)
{
	(void)state;
	out_len = 0;
	t_printf("%p %p", (void *)0x1234, (void *)0);
	out[out_len] = 0;
	assert_string_equal(out, "0x0000000000001234 0x0000000000000000");
	out_len = 0;
	t_printf("%s", (char *)NULL);
	out[out_len] = 0;
	assert_string_equal(out, "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_line_buffered, setup),
	    cmocka_unit_test_setup(test_full_buffer_and_long_writes, setup),
	    cmocka_unit_test_setup(test_random_order, setup),
	    cmocka_unit_test_setup(test_formats, setup),
	    cmocka_unit_test_setup(test_pointer_and_null, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
