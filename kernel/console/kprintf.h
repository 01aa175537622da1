/*
 * Formatted kernel output and log levels: kprintf writes to every console
 * and the kernel log through the shared formatter (lib/format.h).
 *
 * klog() adds a level. Messages above the current level (set from the boot
 * command line with loglevel=N) are dropped; errors and warnings are prefixed
 * so they stand out on the console.
 */
#ifndef ORB_CONSOLE_KPRINTF_H
#define ORB_CONSOLE_KPRINTF_H

#include "lib/format.h"

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
