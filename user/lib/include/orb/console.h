/*
 * The console client: text output and line input through the console server
 * (<orb/proto/console.h>), given the badged endpoint capability [SEND, GRANT]
 * the name service returned for "console".
 *
 * Every function returns >= 0 on success and -ERR_* on failure (the
 * server's error, or the IPC error, e.g. -ERR_NOENT if the console died
 * while the call was under way). The functions keep no state: any thread may
 * call them, each call is one or more independent requests.
 */
#ifndef ORB_CONSOLE_H
#define ORB_CONSOLE_H

#include <stddef.h>
#include <orb/proto/console.h>
#include <orb/sys.h>

/* Writes len bytes (split into CON_MSG_BYTES pieces); returns len. */
long con_write(cap_handle_t ep, const void *buf, size_t len);

/* con_write of a NUL-terminated string. */
long con_puts(cap_handle_t ep, const char *s);

/*
 * Waits for the next line typed and stores it, NUL-terminated and without
 * its newline, in buf[0..size) (cut to size - 1 bytes); returns its length.
 * -ERR_AGAIN: Ctrl-C discarded the line; -ERR_BUSY: another reader waits.
 */
long con_readline(cap_handle_t ep, char *buf, size_t size);

/* Makes proc (a Process [MANAGE]; 0 clears) the foreground program Ctrl-C kills. */
long con_set_fg(cap_handle_t ep, cap_handle_t proc);

#endif
