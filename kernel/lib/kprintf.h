/*
 * Formatted kernel output and log levels.
 *
 * kvformat() is the one formatter: it understands %d %i %u %x %X %p %s %c %%,
 * the hh/h/l/ll/z/t/j length modifiers, a field width (also `*`), a precision
 * for strings and integers, and the `0` and `-` flags. Everything else
 * (ksnprintf for buffers, kprintf for the console) is built on it.
 *
 * klog() adds a level. Messages above the current level (set from the boot
 * command line with loglevel=N) are dropped; errors and warnings are prefixed
 * so they stand out on the console.
 */
#ifndef ORB_LIB_KPRINTF_H
#define ORB_LIB_KPRINTF_H

#include "lib/types.h"

/* Where formatted text goes: write(ctx, s, n) is called with pieces of output. */
struct fmt_sink {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
};

/* Formats into sink; returns the number of characters produced. */
int kvformat(const struct fmt_sink *sink, const char *fmt, va_list ap);

/* Like C's vsnprintf: always NUL-terminates when size > 0; returns the full length. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

enum klog_level {
	KLOG_ERR = 0,
	KLOG_WARN = 1,
	KLOG_INFO = 2,
	KLOG_DEBUG = 3,
};

/* Writes to every console; no level, never dropped. */
int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);

/* Writes with a level; dropped when level > klog_level_current. */
void klog(enum klog_level level, const char *fmt, ...) __printf(2, 3);
void klog_set_level(int level);

#define kerr(...)   klog(KLOG_ERR, __VA_ARGS__)
#define kwarn(...)  klog(KLOG_WARN, __VA_ARGS__)
#define kinfo(...)  klog(KLOG_INFO, __VA_ARGS__)
#define kdebug(...) klog(KLOG_DEBUG, __VA_ARGS__)

#endif
