/*
 * Tests of the scan code set 1 to US keymap decoder (user/lib/keymap.c).
 *
 * Each case feeds a byte sequence, as an i8042 with translation on delivers
 * it, and compares every non-zero result, in order, with the exact list
 * expected. The layout itself is checked against rows of the US keyboard
 * written out here by hand, independently of the decoder's tables. A random
 * stream then checks that no byte sequence leaves the state unusable.
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

#define MAX_OUT 64

/* Feeds n bytes to s; stores the non-zero results in out[]; returns how many. */
static size_t feed(struct keymap_state *s, const uint8_t *sc, size_t n, int *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int r = keymap_feed(s, sc[i]);
		assert_true(r >= 0 && (r <= 0xff || keymap_is_key(r)));
		if (r) {
			assert_true(k < MAX_OUT);
			out[k++] = r;
		}
	}
	return k;
}

/* Feeds a sequence to a fresh state (or to *s if s is not NULL) and checks the results. */
#define EXPECT_SEQ(s, bytes, ...)                                                                  \
	do {                                                                                       \
		static const uint8_t sc_[] = {bytes};                                              \
		static const int want_[] = {__VA_ARGS__};                                          \
		expect_seq((s), sc_, sizeof(sc_), want_, sizeof(want_) / sizeof(want_[0]));        \
	} while (0)
#define B(...) __VA_ARGS__

static void expect_seq(struct keymap_state *s, const uint8_t *sc, size_t n, const int *want,
		       size_t nwant)
{
	struct keymap_state fresh;
	int out[MAX_OUT];
	if (!s) {
		keymap_init(&fresh);
		s = &fresh;
	}
	size_t k = feed(s, sc, n, out);
	for (size_t i = 0; i < k && i < nwant; i++)
		if (out[i] != want[i])
			fail_msg("result %zu: got 0x%x, want 0x%x", i, out[i], want[i]);
	if (k != nwant)
		fail_msg("got %zu results, want %zu", k, nwant);
}

/* One make code then its break code; the result of the make. */
static int press(struct keymap_state *s, uint8_t code)
{
	int r = keymap_feed(s, code);
	assert_int_equal(keymap_feed(s, (uint8_t)(code | 0x80)), 0);
	return r;
}

/* The US layout, row by row: first scan code, unshifted row, shifted row. */
static const struct {
	uint8_t first;
	const char *plain, *shifted;
} rows[] = {
    {0x02, "1234567890-=", "!@#$%^&*()_+"},
    {0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
    {0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
    {0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
};

static void test_us_layout(void **state)
{
	(void)state;
	struct keymap_state s;
	keymap_init(&s);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (size_t i = 0; rows[r].plain[i]; i++) {
			uint8_t code = (uint8_t)(rows[r].first + i);
			assert_int_equal(press(&s, code), (unsigned char)rows[r].plain[i]);
			assert_int_equal(keymap_feed(&s, 0x2a), 0); /* left Shift down */
			assert_int_equal(press(&s, code), (unsigned char)rows[r].shifted[i]);
			assert_int_equal(keymap_feed(&s, 0xaa), 0); /* and up */
		}
	}
	assert_int_equal(press(&s, 0x39), ' ');
	assert_int_equal(keymap_mods(&s), 0);
}

static void test_plain_letters_and_breaks(void **state)
{
	(void)state;
	/* h down, h up, i down, i up */
	EXPECT_SEQ(NULL, B(0x23, 0xa3, 0x17, 0x97), 'h', 'i');
	/* a key held down repeats its make code, and so its character */
	EXPECT_SEQ(NULL, B(0x1e, 0x1e, 0x1e, 0x9e), 'a', 'a', 'a');
	/* break codes alone give nothing */
	EXPECT_SEQ(NULL, B(0x9e, 0xa3, 0x97));
}

static void test_shift(void **state)
{
	(void)state;
	EXPECT_SEQ(NULL, B(0x2a, 0x1e, 0x9e, 0xaa, 0x1e), 'A', 'a'); /* left Shift */
	EXPECT_SEQ(NULL, B(0x36, 0x1e, 0x9e, 0xb6, 0x1e), 'A', 'a'); /* right Shift */
	EXPECT_SEQ(NULL, B(0x2a, 0x02, 0x82, 0x03, 0xaa), '!', '@'); /* digits */
	/* both Shifts down, left released: still shifted until the right one is up */
	EXPECT_SEQ(NULL, B(0x2a, 0x36, 0xaa, 0x1e, 0xb6, 0x1e), 'A', 'a');
}

static void test_caps_lock(void **state)
{
	(void)state;
	struct keymap_state s;
	keymap_init(&s);
	/* Caps Lock on: letters upper case, digits and symbols unchanged */
	EXPECT_SEQ(&s, B(0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82, 0x0c, 0x8c), 'A', '1', '-');
	assert_int_equal(keymap_mods(&s), KEYMAP_MOD_CAPS);
	/* Shift inverts it for letters only */
	EXPECT_SEQ(&s, B(0x2a, 0x1e, 0x02, 0xaa), 'a', '!');
	/* off again */
	EXPECT_SEQ(&s, B(0x3a, 0xba, 0x1e), 'a');
	assert_int_equal(keymap_mods(&s), 0);
	/* held Caps Lock repeats its make code: it toggles once */
	EXPECT_SEQ(&s, B(0x3a, 0x3a, 0x3a, 0xba, 0x1e), 'A');
}

static void test_ctrl(void **state)
{
	(void)state;
	EXPECT_SEQ(NULL, B(0x1d, 0x2e, 0xae, 0x9d, 0x2e), 3, 'c');    /* Ctrl-C, then c */
	EXPECT_SEQ(NULL, B(0x1d, 0x1e, 0x2c, 0x16, 0x9d), 1, 26, 21); /* Ctrl-A, -Z, -U */
	EXPECT_SEQ(NULL, B(0x1d, 0x2a, 0x2e, 0xaa, 0x9d), 3);	      /* Ctrl-Shift-C */
	EXPECT_SEQ(NULL, B(0x3a, 0xba, 0x1d, 0x2e), 3);		      /* Ctrl-C under Caps Lock */
	EXPECT_SEQ(NULL, B(0x1d, 0x1a, 0x2b, 0x1b), 27, 28, 29);      /* Ctrl-[ \ ] */
	/* right Ctrl (0xE0 0x1D); its release ends it */
	EXPECT_SEQ(NULL, B(0xe0, 0x1d, 0x2e, 0xe0, 0x9d, 0x2e), 3, 'c');
	/* left and right Ctrl are separate keys */
	EXPECT_SEQ(NULL, B(0x1d, 0xe0, 0x1d, 0x9d, 0x2e, 0xe0, 0x9d, 0x2e), 3, 'c');
	/* digits keep their character under Ctrl */
	EXPECT_SEQ(NULL, B(0x1d, 0x02), '1');
}

static void test_special_keys(void **state)
{
	(void)state;
	EXPECT_SEQ(NULL, B(0x0e, 0x8e, 0x1c, 0x9c, 0x0f, 0x8f, 0x01, 0x81), '\b', '\n', '\t', 0x1b);
	EXPECT_SEQ(NULL, B(0x3b, 0x44, 0x57, 0x58), KEYMAP_F1, KEYMAP_F1 + 9, KEYMAP_F1 + 10,
		   KEYMAP_F12);
}

static void test_extended_keys(void **state)
{
	(void)state;
	EXPECT_SEQ(NULL,
		   B(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0xd0, 0xe0, 0x4b, 0xe0, 0xcb, 0xe0,
		     0x4d, 0xe0, 0xcd),
		   KEYMAP_UP, KEYMAP_DOWN, KEYMAP_LEFT, KEYMAP_RIGHT);
	EXPECT_SEQ(NULL, B(0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x49, 0xe0, 0x51, 0xe0, 0x52, 0xe0, 0x53),
		   KEYMAP_HOME, KEYMAP_END, KEYMAP_PGUP, KEYMAP_PGDN, KEYMAP_INSERT, KEYMAP_DELETE);
	/* keypad Enter and keypad / */
	EXPECT_SEQ(NULL, B(0xe0, 0x1c, 0xe0, 0x9c, 0xe0, 0x35, 0xe0, 0xb5), '\n', '/');
	/* the prefix applies to one byte only: 0x48 alone is keypad 8 (Num Lock off: Up) */
	EXPECT_SEQ(NULL, B(0xe0, 0x48, 0x1e), KEYMAP_UP, 'a');
	/* the extended codes are distinct from the letters sharing their low byte */
	EXPECT_SEQ(NULL, B(0xe0, 0x1e, 0x1e), 'a');
	/* right Alt does not change characters */
	EXPECT_SEQ(NULL, B(0xe0, 0x38, 0x1e, 0xe0, 0xb8), 'a');
}

static void test_keypad_num_lock(void **state)
{
	(void)state;
	struct keymap_state s;
	keymap_init(&s);
	/* Num Lock off: 7 8 9 - 4 5 6 + 1 2 3 0 . are the navigation keys (5: none) */
	EXPECT_SEQ(
	    &s,
	    B(0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x37),
	    KEYMAP_HOME, KEYMAP_UP, KEYMAP_PGUP, '-', KEYMAP_LEFT, KEYMAP_RIGHT, '+', KEYMAP_END,
	    KEYMAP_DOWN, KEYMAP_PGDN, KEYMAP_INSERT, KEYMAP_DELETE, '*');
	EXPECT_SEQ(&s, B(0x45, 0xc5), );
	assert_int_equal(keymap_mods(&s), KEYMAP_MOD_NUM);
	EXPECT_SEQ(&s, B(0x47, 0x48, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x50, 0x51, 0x52, 0x53), '7',
		   '8', '9', '4', '5', '6', '1', '2', '3', '0', '.');
	/* the arrow keys are not the keypad: Num Lock does not change them */
	EXPECT_SEQ(&s, B(0xe0, 0x48), KEYMAP_UP);
}

static void test_prefix_sequences(void **state)
{
	(void)state;
	struct keymap_state s;
	keymap_init(&s);
	/* Print Screen: E0 2A E0 37, released E0 B7 E0 AA; the fake Shift does not stick */
	EXPECT_SEQ(&s, B(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, 0x1e), 'a');
	/* Pause: E1 1D 45 E1 9D C5; neither Ctrl nor Num Lock changes */
	EXPECT_SEQ(&s, B(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x2e), 'c');
	assert_int_equal(keymap_mods(&s), 0);
	/* controller error bytes are no keys */
	EXPECT_SEQ(&s, B(0x00, 0xff, 0x1e), 'a');
}

static void test_mods(void **state)
{
	(void)state;
	struct keymap_state s;
	keymap_init(&s);
	assert_int_equal(keymap_mods(&s), 0);
	EXPECT_SEQ(&s, B(0x2a, 0x1d, 0x38), );
	assert_int_equal(keymap_mods(&s), KEYMAP_MOD_SHIFT | KEYMAP_MOD_CTRL | KEYMAP_MOD_ALT);
	EXPECT_SEQ(&s, B(0xaa, 0x9d, 0xb8), );
	assert_int_equal(keymap_mods(&s), 0);
	/* Alt leaves the character as it is */
	EXPECT_SEQ(&s, B(0x38, 0x1e, 0xb8), 'a');
}

/*
 * Random bytes (fixed seed): every result is 0, a byte or a key code; then,
 * with every modifier released and the locks turned off, the state decodes
 * as a fresh one does.
 */
static void test_random_stream(void **state)
{
	(void)state;
	struct keymap_state s;
	int out[MAX_OUT];
	uint32_t x = 0x12345678;
	keymap_init(&s);
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < 50; i++) {
			x = x * 1664525u + 1013904223u;
			uint8_t b = (uint8_t)(x >> 24);
			int r = keymap_feed(&s, b);
			assert_true(r >= 0 && (r <= 0xff || keymap_is_key(r)));
		}
		/* end a pending Pause sequence and prefix, then release every modifier */
		static const uint8_t reset[] = {0x9e, 0x9e, 0x9e, 0xaa, 0xb6, 0x9d, 0xb8,
						0xe0, 0x9d, 0xe0, 0xb8, 0xba, 0xc5};
		assert_true(feed(&s, reset, sizeof(reset), out) == 0);
		if (s.caps_lock)
			feed(&s, (const uint8_t[]){0x3a, 0xba}, 2, out);
		if (s.num_lock)
			feed(&s, (const uint8_t[]){0x45, 0xc5}, 2, out);
		assert_int_equal(keymap_mods(&s), 0);
		EXPECT_SEQ(&s, B(0x23, 0xa3, 0x17, 0x97, 0xe0, 0x48), 'h', 'i', KEYMAP_UP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_us_layout),
	    cmocka_unit_test(test_plain_letters_and_breaks),
	    cmocka_unit_test(test_shift),
	    cmocka_unit_test(test_caps_lock),
	    cmocka_unit_test(test_ctrl),
	    cmocka_unit_test(test_special_keys),
	    cmocka_unit_test(test_extended_keys),
	    cmocka_unit_test(test_keypad_num_lock),
	    cmocka_unit_test(test_prefix_sequences),
	    cmocka_unit_test(test_mods),
	    cmocka_unit_test(test_random_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
