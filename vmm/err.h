/*
 * orbvm's error reporting: the place where a failing function leaves a
 * one-line description of what went wrong.
 *
 * Functions that fail return a negative Orbital error code (-ERR_X, from
 * <orbital/errors.h>) and, through err_set(), record one human-readable line
 * naming the problem ("cannot open kernel 'x': No such file or directory").
 * main() prints that line once, prefixed with "orbvm: ", and exits. Library
 * code never prints errors itself and never exits the process.
 *
 * Invariant: the message is set by the innermost function that knows the
 * cause; callers propagate the code without overwriting it. The buffer is
 * per thread.
 */
#ifndef ORBVM_ERR_H
#define ORBVM_ERR_H

#include <orbital/errors.h>

/* Records the message and returns -code (code is a positive ERR_* value). */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last recorded message ("" if none). */
const char *err_msg(void);
/* Forgets the last message. */
void err_clear(void);

#endif
