/*
 * Kernel test of user text on the consoles (console/console.c): console_write_user
 * never hands a console more than CONSOLE_CHUNK bytes per call (each call runs
 * with the console lock held and interrupts off), delivers every byte once and
 * in order, and keeps a line together against kernel messages written in
 * between.
 */
#include "tests/kernel/ktest.h"
#include "console/console.h"
#include "lib/string.h"

#define KT_CON_BUF 4096

static char kt_con_seen[KT_CON_BUF];
static size_t kt_con_len, kt_con_max_write;
static bool kt_con_measuring;

static void kt_con_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	if (!kt_con_measuring)
		return; /* the replay of the log on registration */
	if (n > kt_con_max_write)
		kt_con_max_write = n;
	for (size_t i = 0; i < n && kt_con_len < KT_CON_BUF; i++)
		kt_con_seen[kt_con_len++] = s[i];
}

static struct console kt_con = {.name = "ktest", .write = kt_con_write};

static int kt_console_user(void)
{
	static char text[1000];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	text[299] = '\n'; /* a line longer than a piece, then shorter ones */
	text[599] = '\n';
	text[999] = '\n';
	console_register(&kt_con);
	kt_con_measuring = true;
	console_write_user(text, sizeof(text));
	kt_con_measuring = false;
	console_unregister(&kt_con);
	kprintf("KTEST info: %zu bytes of user text reached the console, at most %zu per call\n",
		kt_con_len, kt_con_max_write);
	KT_ASSERT_EQ(kt_con_len, sizeof(text));
	KT_ASSERT(memcmp(kt_con_seen, text, sizeof(text)) == 0);
	KT_ASSERT(kt_con_max_write <= CONSOLE_CHUNK);
	return 0;
}

const struct ktest ktests_console[] = {
    {"console_user", kt_console_user},
    {NULL, NULL},
};
