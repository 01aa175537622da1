/*
 * <stdio.h> of the Orbital user library: formatted output only.
 *
 * Output goes to standard output, which is line-buffered and goes where the
 * program's starter said (user/README.md, "Process start-up"): the console
 * server for programs the shell runs, a file when the shell redirects, else
 * the kernel log through SYS_DEBUG_WRITE. The buffer is flushed at each '\n', when it fills, by
 * fflush_stdout() and at exit(). The formats are those of the kernel's formatter
 * (lib/format.c): %d %i %u %o %x %X %b %p %s %c %%, the hh h l ll z t
 * j modifiers, width and precision (digits or *), the flags - 0 + space #.
 * %p prints "0x" and 16 hex digits; %s of NULL prints "(null)". No floating
 * point, no %n.
 */
#ifndef ORB_STDIO_H
#define ORB_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);

/* Writes out whatever standard output holds. */
void fflush_stdout(void);

#endif
