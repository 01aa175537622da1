/*
 * Tests of the line discipline (user/lib/ldisc.c).
 *
 * The echo callback appends to a buffer; each case types a string one byte
 * at a time and checks the exact echo, the events in order and the lines
 * completed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <orb/keymap.h>
#include <orb/ldisc.h>

struct term {
	char echo[4096];
	size_t echo_len;
	unsigned calls;
	/* what typing produced: events (one letter each) and the completed lines */
	char events[256]; /* L = line, I = interrupt, E = end of input */
	size_t nevents;
	char lines[8][LDISC_LINE_MAX];
	size_t nlines;
};

static void echo_fn(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;
	assert_true(n > 0);
	assert_true(t->echo_len + n < sizeof(t->echo));
	memcpy(t->echo + t->echo_len, s, n);
	t->echo_len += n;
	t->echo[t->echo_len] = '\0';
	t->calls++;
}

static void setup_term(struct term *t, struct ldisc *ld)
{
	memset(t, 0, sizeof(*t));
	ldisc_init(ld, echo_fn, t);
}

/* Feeds one input and records what it produced. */
static void input(struct term *t, struct ldisc *ld, int c)
{
	enum ldisc_event ev = ldisc_input(ld, c);
	size_t len;
	const char *line = ldisc_line(ld, &len);
	assert_int_equal(strlen(line), len); /* NUL-terminated at len, always */
	assert_true(len < LDISC_LINE_MAX);
	switch (ev) {
	case LDISC_NONE:
		return;
	case LDISC_LINE:
		assert_true(t->nlines < 8);
		memcpy(t->lines[t->nlines++], line, len + 1);
		t->events[t->nevents++] = 'L';
		return;
	case LDISC_INTR:
		assert_int_equal(len, 0);
		t->events[t->nevents++] = 'I';
		return;
	case LDISC_EOF:
		t->events[t->nevents++] = 'E';
		return;
	}
	fail_msg("unknown event %d", (int)ev);
}

static void type(struct term *t, struct ldisc *ld, const char *s)
{
	for (; *s; s++)
		input(t, ld, (unsigned char)*s);
}

static void test_enter_cr_lf_crlf(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld, "hi\r");
	type(&t, &ld, "ls\n");
	type(&t, &ld, "cat\r\n"); /* one line, not two */
	type(&t, &ld, "\n");	  /* an empty line (no "\r" before it) */
	type(&t, &ld, "\r\r");	  /* two empty lines */
	type(&t, &ld, "\ra\n");	  /* the '\n' is not right after the '\r': two lines */
	assert_string_equal(t.events, "LLLLLLLL");
	assert_int_equal(t.nlines, 8);
	const char *want[] = {"hi", "ls", "cat", "", "", "", "", "a"};
	for (int i = 0; i < 8; i++)
		assert_string_equal(t.lines[i], want[i]);
	assert_string_equal(t.echo, "hi\nls\ncat\n\n\n\n\na\n");
}

static void test_backspace_and_del(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld,
	     "abc\b\x7f"
	     "d\r");
	assert_string_equal(t.events, "L");
	assert_string_equal(t.lines[0], "ad");
	assert_string_equal(t.echo, "abc\b \b\b \bd\n");
	/* erasing an empty line echoes nothing */
	setup_term(&t, &ld);
	type(&t, &ld, "\b\x7f\b");
	assert_int_equal(t.echo_len, 0);
	assert_int_equal(t.calls, 0);
	type(&t, &ld, "x\b\by\r");
	assert_string_equal(t.lines[0], "y");
	assert_string_equal(t.echo, "x\b \by\n");
}

static void test_ctrl_c(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld, "sleep 10\x03");
	assert_string_equal(t.events, "I");
	assert_string_equal(t.echo, "sleep 10^C\n");
	type(&t, &ld, "x\r");
	assert_string_equal(t.events, "IL");
	assert_string_equal(t.lines[0], "x");
	/* on an empty line too */
	type(&t, &ld, "\x03");
	assert_string_equal(t.events, "ILI");
	assert_string_equal(t.echo, "sleep 10^C\nx\n^C\n");
}

static void test_ctrl_u(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld,
	     "abc\x15"
	     "d\r");
	assert_string_equal(t.events, "L");
	assert_string_equal(t.lines[0], "d");
	assert_string_equal(t.echo, "abc\b \b\b \b\b \bd\n");
	/* on an empty line: nothing */
	setup_term(&t, &ld);
	type(&t, &ld, "\x15");
	assert_int_equal(t.echo_len, 0);
	assert_int_equal(t.nevents, 0);
}

static void test_ctrl_d(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld, "\x04");
	assert_string_equal(t.events, "E");
	type(&t, &ld, "a\x04");
	assert_string_equal(t.events, "E"); /* not on a non-empty line */
	size_t len;
	assert_string_equal(ldisc_line(&ld, &len), "a");
	assert_int_equal(len, 1);
	assert_int_equal(t.echo_len, 1); /* "a": Ctrl-D echoes nothing */
}

static void test_length_limit(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	for (int i = 0; i < 300; i++)
		input(&t, &ld, 'x');
	size_t len;
	ldisc_line(&ld, &len);
	assert_int_equal(len, LDISC_LINE_MAX - 1);
	assert_int_equal(t.echo_len, LDISC_LINE_MAX - 1); /* dropped bytes are not echoed */
	/* there is room again after an erase */
	type(&t, &ld, "\byz\r");
	assert_int_equal(t.nlines, 1);
	assert_int_equal(strlen(t.lines[0]), LDISC_LINE_MAX - 1);
	assert_int_equal(t.lines[0][LDISC_LINE_MAX - 2], 'y');
	assert_int_equal(t.lines[0][LDISC_LINE_MAX - 3], 'x');
	assert_memory_equal(t.echo + t.echo_len - 5, "\b \by\n", 5);
}

static void test_ignored_inputs(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	/* other control characters and the key codes of the keymap */
	static const int ignored[] = {0x00,	  0x01,	     0x07,	  0x1b,
				      0x1f,	  KEYMAP_UP, KEYMAP_LEFT, KEYMAP_DELETE,
				      KEYMAP_F12, -1,	     0x1000};
	type(&t, &ld, "a");
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		input(&t, &ld, ignored[i]);
	type(&t, &ld, "\r");
	assert_string_equal(t.lines[0], "a");
	assert_string_equal(t.echo, "a\n");
}

static void test_tab_and_high_bytes(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	type(&t, &ld, "a\tb\xc3\xa9~\r");
	assert_string_equal(t.lines[0], "a\tb\xc3\xa9~");
	assert_string_equal(t.echo, "a\tb\xc3\xa9~\n");
}

static void test_echo_off_and_no_callback(void **state)
{
	(void)state;
	struct term t;
	struct ldisc ld;
	setup_term(&t, &ld);
	ldisc_set_echo(&ld, false);
	type(&t, &ld, "secret\b!\x15pw\r");
	assert_string_equal(t.lines[0], "pw");
	assert_int_equal(t.calls, 0);
	ldisc_set_echo(&ld, true);
	type(&t, &ld, "ok\r");
	assert_string_equal(t.echo, "ok\n");

	struct ldisc quiet;
	ldisc_init(&quiet, NULL, NULL);
	for (const char *s = "ab\bc\r"; *s; s++)
		ldisc_input(&quiet, (unsigned char)*s);
	size_t len;
	assert_string_equal(ldisc_line(&quiet, &len), "ac");
}

static void test_line_valid_until_next_input(void **state)
{
	(void)state;
	struct ldisc ld;
	ldisc_init(&ld, NULL, NULL);
	for (const char *s = "one"; *s; s++)
		assert_int_equal(ldisc_input(&ld, *s), LDISC_NONE);
	assert_int_equal(ldisc_input(&ld, '\r'), LDISC_LINE);
	assert_string_equal(ldisc_line(&ld, NULL), "one");
	assert_int_equal(ldisc_input(&ld, 't'), LDISC_NONE);
	assert_string_equal(ldisc_line(&ld, NULL), "t");
	/* the swallowed '\n' of "\r\n" also starts the next line */
	assert_int_equal(ldisc_input(&ld, '\r'), LDISC_LINE);
	assert_string_equal(ldisc_line(&ld, NULL), "t");
	assert_int_equal(ldisc_input(&ld, '\n'), LDISC_NONE);
	assert_string_equal(ldisc_line(&ld, NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enter_cr_lf_crlf),
	    cmocka_unit_test(test_backspace_and_del),
	    cmocka_unit_test(test_ctrl_c),
	    cmocka_unit_test(test_ctrl_u),
	    cmocka_unit_test(test_ctrl_d),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_ignored_inputs),
	    cmocka_unit_test(test_tab_and_high_bytes),
	    cmocka_unit_test(test_echo_off_and_no_callback),
	    cmocka_unit_test(test_line_valid_until_next_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
