/*
 * The formatter the kernel and user space share: kvformat() is the one
 * engine; it understands %d %i %u %x %X %p %s %c %%, the hh/h/l/ll/z/t/j
 * length modifiers, a field width (also `*`), a precision for strings and
 * integers, and the `0` and `-` flags. Everything else (ksnprintf for
 * buffers, the kernel's kprintf, user space's printf) is built on it.
 */
#ifndef ORB_LIB_FORMAT_H
#define ORB_LIB_FORMAT_H

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

#endif
