/*
 * Support for running portable kernel code in a Linux process (the "hosted
 * simulator"): panic() and the logging functions are provided here instead of
 * by the kernel. A panic longjmps back into the test when one is expected
 * (host_expect_panic), and log output is kept in host_log so tests can check
 * that a warning was given.
 */
#ifndef ORB_TEST_HOSTED_H
#define ORB_TEST_HOSTED_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

extern jmp_buf *host_panic_jmp;
extern char host_panic_msg[512];
extern char host_log[16384];

/* Empties host_log. */
void host_log_clear(void);
/* True if host_log contains s. */
bool host_log_contains(const char *s);

/*
 * Runs stmt and evaluates to true if it panicked. The panic message is then in
 * host_panic_msg.
 */
#define host_panics(stmt)                                                                          \
	({                                                                                         \
		jmp_buf jb_;                                                                       \
		jmp_buf *old_ = host_panic_jmp;                                                    \
		volatile bool panicked_ = false;                                                   \
		host_panic_msg[0] = 0;                                                             \
		host_panic_jmp = &jb_;                                                             \
		if (setjmp(jb_) == 0) {                                                            \
			stmt;                                                                      \
		} else {                                                                           \
			panicked_ = true;                                                          \
		}                                                                                  \
		host_panic_jmp = old_;                                                             \
		panicked_;                                                                         \
	})

#endif
