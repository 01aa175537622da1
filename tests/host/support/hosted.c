/*
 * Hosted implementations of panic() and the kernel log for unit tests; see
 * hosted.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "console/kprintf.h"
#include "debug/panic.h"

jmp_buf *host_panic_jmp;
char host_panic_msg[512];
char host_log[16384];

void host_log_clear(void)
{
	host_log[0] = 0;
}

bool host_log_contains(const char *s)
{
	return strstr(host_log, s) != NULL;
}

static void log_append(const char *fmt, va_list ap)
{
	size_t used = strlen(host_log);
	if (used < sizeof(host_log) - 1)
		vsnprintf(host_log + used, sizeof(host_log) - used, fmt, ap);
}

noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(host_panic_msg, sizeof(host_panic_msg), fmt, ap);
	va_end(ap);
	if (host_panic_jmp)
		longjmp(*host_panic_jmp, 1);
	fprintf(stderr, "unexpected panic: %s\n", host_panic_msg);
	abort();
}

int kvprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	log_append(fmt, aq);
	va_end(aq);
	return 0;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	return 0;
}

void klog(enum klog_level level, const char *fmt, ...)
{
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
}

void klog_set_level(int level)
{
	(void)level;
}
