/*
 * Tests of lib/format.c (kvformat, kvsnprintf, ksnprintf).
 *
 * The reference is the host C library: every generated format (flags x width
 * x precision x length x conversion, over edge values such as INT64_MIN and
 * UINT64_MAX) must give the same text and return value from kvsnprintf as
 * from glibc's vsnprintf. The kernel's own choices (%p fixed width, "(null)",
 * unknown conversions printed literally) are checked against written-out
 * strings, and a counting sink checks that output is batched.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console/kprintf.h"

/* glibc knows %b (C23) but ASan's printf interceptor does not and warns
 * about it; its format-argument checks are not what these tests are about. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "check_printf=0";
}

static int mismatches;

/* Formats with both implementations and counts (and reports) differences. */
static void __printf(1, 2) check(const char *fmt, ...)
{
	char kb[512], lb[512];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int kn = kvsnprintf(kb, sizeof(kb), fmt, ap);
	int ln = vsnprintf(lb, sizeof(lb), fmt, aq);
	va_end(aq);
	va_end(ap);
	if (kn != ln || strcmp(kb, lb) != 0) {
		if (mismatches < 20)
			print_message("format \"%s\": kernel \"%s\" (%d), libc \"%s\" (%d)\n", fmt,
				      kb, kn, lb, ln);
		mismatches++;
	}
}

/* Writes into `out` the format "%<flags><width><prec><len><conv>". */
static void make_fmt(char *out, size_t size, const char *flags, const char *width, const char *prec,
		     const char *len, char conv)
{
	snprintf(out, size, "<%%%s%s%s%s%c>", flags, width, prec, len, conv);
}

static const char *const widths[] = {"", "1", "6", "25"};
static const char *const precs[] = {"", ".", ".0", ".1", ".5", ".22"};
static const char convs[] = "diuxXob";

/* All 32 combinations of the five flags, in a fixed order. */
static void flag_set(char *out, unsigned mask)
{
	static const char all[] = "-+ #0";
	size_t n = 0;
	for (unsigned i = 0; i < 5; i++)
		if (mask & (1u << i))
			out[n++] = all[i];
	out[n] = 0;
}

static void test_int_table(void **state)
{
	static const int vals[] = {0,	1,	-1,	7,     -42,	255,
				   256, 0x7fff, -32768, 99999, INT_MAX, INT_MIN};
	char fmt[64], flags[8];
	mismatches = 0;
	for (unsigned m = 0; m < 32; m++) {
		flag_set(flags, m);
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
				for (const char *c = convs; *c; c++) {
					make_fmt(fmt, sizeof(fmt), flags, widths[w], precs[p], "",
						 *c);
					for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
						if (*c == 'd' || *c == 'i')
							check(fmt, vals[v]);
						else
							check(fmt, (unsigned)vals[v]);
					}
				}
	}
	assert_int_equal(mismatches, 0);
}

static void test_ll_table(void **state)
{
	static const long long vals[] = {0,
					 1,
					 -1,
					 10,
					 -1000000007LL,
					 0x123456789abcdefLL,
					 INT64_MAX,
					 INT64_MIN,
					 INT64_MIN + 1,
					 (long long)UINT32_MAX + 1};
	char fmt[64], flags[8];
	mismatches = 0;
	for (unsigned m = 0; m < 32; m++) {
		flag_set(flags, m);
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
				for (const char *c = convs; *c; c++) {
					make_fmt(fmt, sizeof(fmt), flags, widths[w], precs[p], "ll",
						 *c);
					for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
						if (*c == 'd' || *c == 'i')
							check(fmt, vals[v]);
						else
							check(fmt, (unsigned long long)vals[v]);
					}
				}
	}
	/* UINT64_MAX is -1 above; say it once more in its own words. */
	check("%llu %llx %llo %#llX", (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX);
	assert_int_equal(mismatches, 0);
}

/* The other length modifiers, with values that need their truncation. */
static void test_length_modifiers(void **state)
{
	static const char *const fl[] = {"", "-", "0", "#", "+", " "};
	static const long long vals[] = {
	    0,	   1,	   -1,	    127,     128,	-129,	   300,	       65535,
	    70000, -40000, INT_MAX, INT_MIN, INT64_MAX, INT64_MIN, UINT32_MAX, -4294967296LL};
	char fmt[64];
	mismatches = 0;
	for (size_t f = 0; f < ARRAY_SIZE(fl); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
				for (const char *c = convs; *c; c++) {
					bool sgn = *c == 'd' || *c == 'i';
					for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
						long long x = vals[v];
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "hh", *c);
						check(fmt, (int)x); /* promoted char */
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "h", *c);
						check(fmt, (int)x); /* promoted short */
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "l", *c);
						if (sgn)
							check(fmt, (long)x);
						else
							check(fmt, (unsigned long)x);
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "z", *c);
						if (sgn)
							check(fmt, (ptrdiff_t)x);
						else
							check(fmt, (size_t)x);
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "t", *c);
						check(fmt, (ptrdiff_t)x);
						make_fmt(fmt, sizeof(fmt), fl[f], widths[w],
							 precs[p], "j", *c);
						if (sgn)
							check(fmt, (intmax_t)x);
						else
							check(fmt, (uintmax_t)x);
					}
				}
	assert_int_equal(mismatches, 0);
}

static void test_strings_and_chars(void **state)
{
	static const char *const strs[] = {"", "a", "hello", "a longer string, 29 chars...."};
	static const char *const sw[] = {"", "3", "10", "40"};
	static const char *const sp[] = {"", ".", ".0", ".2", ".5", ".40"};
	char fmt[64];
	mismatches = 0;
	for (int left = 0; left < 2; left++)
		for (size_t w = 0; w < ARRAY_SIZE(sw); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(sp); p++)
				for (size_t s = 0; s < ARRAY_SIZE(strs); s++) {
					make_fmt(fmt, sizeof(fmt), left ? "-" : "", sw[w], sp[p],
						 "", 's');
					check(fmt, strs[s]);
				}
			make_fmt(fmt, sizeof(fmt), left ? "-" : "", sw[w], "", "", 'c');
			check(fmt, 'x');
			check(fmt, 'A' + (int)w);
		}
	check("%s=%d (%#x) %c%% [%5s|%-5s] %.3s", "irq", 14, 14, 'k', "ab", "cd", "truncate");
	check("%%%d%%%s%%", 5, "x");
	check("%c%c%c", 'a', 0x80 | 'b', 'c');
	check("no conversions at all, just a fairly long literal string of text: %s", "");
	assert_int_equal(mismatches, 0);
}

static void test_star_width_precision(void **state)
{
	static const int ws[] = {-30, -5, -1, 0, 1, 5, 30};
	/* '0' counts only when the precision turns out negative; not a literal,
	 * so the compiler does not warn that it is ignored. */
	const char *zero_fmt = "[%0*.*lld]";
	mismatches = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ws); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(ws); j++) {
			check("[%*.*d]", ws[i], ws[j], -123);
			check("[%-*.*x]", ws[i], ws[j], 0xbeefu);
			check(zero_fmt, ws[i], ws[j], (long long)INT64_MIN);
			check("[%*.*s]", ws[i], ws[j], "string");
		}
		check("[%*c]", ws[i], 'q');
		check("[%0*d]", ws[i], -77);
	}
	assert_int_equal(mismatches, 0);
}

/* Not __printf: the compiler rightly objects to a NULL %s, which is tested here. */
static void expect(const char *want, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

/* %p is always "0x" and 16 digits; the libc form is only used as a cross-check. */
static void test_pointer(void **state)
{
	expect("0x0000000000000000", "%p", NULL);
	expect("0xffffffff80001234", "%p", (void *)0xffffffff80001234ull);
	expect("0x00000000deadbeef", "%p", (void *)0xdeadbeefull);
	expect("[  0x0000000000000010]", "[%20p]", (void *)16);
	expect("[0x0000000000000010  ]", "[%-20p]", (void *)16);
	expect("0x0000000000000001", "%5p", (void *)1);

	char want[64], buf[64];
	void *p = &mismatches;
	snprintf(want, sizeof(want), "<0x%016" PRIxPTR ">", (uintptr_t)p);
	ksnprintf(buf, sizeof(buf), "<%p>", p);
	assert_string_equal(buf, want);
}

static void test_null_string(void **state)
{
	const char *null = NULL;
	expect("(null)", "%s", null);
	expect("[  (null)]", "[%8s]", null);
	expect("[(null)  ]", "[%-8s]", null);
	expect("(nu", "%.3s", null);
	expect("a(null)b", "a%sb", null);
}

/* Calls kvsnprintf without the compiler's printf format checking. */
static int raw_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_unknown_conversions(void **state)
{
	char buf[64];
	const char *fmts[][2] = {
	    {"%q", "%q"},     {"a%-5qb", "a%-5qb"}, {"%n", "%n"},	  {"x%Ly", "x%Ly"},
	    {"abc%", "abc%"}, {"%5", "%5"},	    {"%-08.3", "%-08.3"}, {"%ll", "%ll"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		int n = raw_format(buf, sizeof(buf), fmts[i][0], 1, 2, 3);
		assert_string_equal(buf, fmts[i][1]);
		assert_int_equal(n, (int)strlen(fmts[i][1]));
	}
	/* An unknown conversion consumes no argument: the next one still lines up. */
	raw_format(buf, sizeof(buf), "%y %d", 42);
	assert_string_equal(buf, "%y 42");
}

/* kvsnprintf must behave like vsnprintf at every buffer size. */
static void test_truncation(void **state)
{
	const char *fmt = "%s:%08x:%-6d|";
	char kb[64], lb[64];
	int full = snprintf(NULL, 0, fmt, "trunc", 0xabcu, -17);
	assert_int_equal(ksnprintf(NULL, 0, fmt, "trunc", 0xabcu, -17), full);
	for (size_t size = 0; size <= (size_t)full + 2; size++) {
		memset(kb, 'Z', sizeof(kb));
		memset(lb, 'Z', sizeof(lb));
		int kn = ksnprintf(kb, size, fmt, "trunc", 0xabcu, -17);
		int ln = snprintf(lb, size, fmt, "trunc", 0xabcu, -17);
		assert_int_equal(kn, ln);
		assert_memory_equal(kb, lb, sizeof(kb));
		if (size == 0)
			assert_int_equal(kb[0], 'Z');
		else
			assert_int_equal(kb[MIN(size - 1, (size_t)full)], 0);
	}
	/* Output far longer than any internal buffer. */
	char big[300];
	int n = ksnprintf(big, sizeof(big), "%500d|", 7);
	assert_int_equal(n, 501);
	assert_int_equal(strlen(big), sizeof(big) - 1);
	assert_int_equal(big[0], ' ');
}

struct count_sink {
	int calls;
	size_t len;
	char text[4096];
};

static void count_write(void *ctx, const char *s, size_t n)
{
	struct count_sink *c = ctx;
	assert_true(n > 0);
	assert_true(c->len + n < sizeof(c->text));
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->calls++;
}

static int sink_format(struct count_sink *c, const char *fmt, ...)
{
	struct fmt_sink sink = {count_write, c};
	memset(c, 0, sizeof(*c));
	va_list ap;
	va_start(ap, fmt);
	int n = kvformat(&sink, fmt, ap);
	va_end(ap);
	c->text[c->len] = 0;
	return n;
}

/* Output is handed over in pieces, not one character at a time. */
static void test_sink_batching(void **state)
{
	struct count_sink c;
	char want[4096];
	int n = sink_format(&c, "cpu%d: %s at %p (%#x)\n", 1, "fault", (void *)0x1000, 14u);
	snprintf(want, sizeof(want), "cpu%d: %s at 0x%016x (%#x)\n", 1, "fault", 0x1000, 14u);
	assert_string_equal(c.text, want);
	assert_int_equal(n, (int)strlen(want));
	assert_int_equal(c.calls, 1);

	char longstr[1001];
	memset(longstr, 'L', 1000);
	longstr[1000] = 0;
	n = sink_format(&c, "<%s>", longstr);
	assert_int_equal(n, 1002);
	assert_int_equal(c.len, 1002);
	assert_true(c.calls <= 3);

	n = sink_format(&c, "%1000d", 5);
	assert_int_equal(n, 1000);
	assert_int_equal(c.text[999], '5');
	assert_true(c.calls <= 1000 / 32);

	n = sink_format(&c, "%s", "");
	assert_int_equal(n, 0);
	assert_int_equal(c.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_int_table),
	    cmocka_unit_test(test_ll_table),
	    cmocka_unit_test(test_length_modifiers),
	    cmocka_unit_test(test_strings_and_chars),
	    cmocka_unit_test(test_star_width_precision),
	    cmocka_unit_test(test_pointer),
	    cmocka_unit_test(test_null_string),
	    cmocka_unit_test(test_unknown_conversions),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_sink_batching),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
