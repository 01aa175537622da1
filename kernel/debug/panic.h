/*
 * Kernel panic and assertions.
 *
 * panic() is for kernel bugs and for boot-time conditions the kernel cannot
 * survive (no memory map, no usable RAM). It prints the message and a
 * backtrace once, stops the machine, and never returns. Errors a user process,
 * a file or the firmware can cause are returned as error codes instead,
 * wherever the kernel can carry on.
 *
 * In the hosted build (host unit tests) panic() is provided by the test support
 * code, which records the message so tests can assert that a panic happened.
 */
#ifndef ORB_DEBUG_PANIC_H
#define ORB_DEBUG_PANIC_H

#include "lib/types.h"

noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define KASSERT(cond)                                                                              \
	do {                                                                                       \
		if (unlikely(!(cond)))                                                             \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);          \
	} while (0)

#endif
