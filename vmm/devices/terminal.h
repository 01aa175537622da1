/*
 * The host side of the serial console: stdin to the UART, UART to stdout.
 *
 * When stdin is a terminal it is put in raw mode (no echo, no line editing,
 * no signals from ^C, so every key reaches the guest) and restored on every
 * way out: normal return, error, atexit, fatal signals and SIGINT/SIGTERM/
 * SIGHUP (handled by the event loop). Ctrl-A is the escape key, as in QEMU:
 * Ctrl-A x quits (VMM_STATUS_QUIT), Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A
 * followed by anything else is dropped. A stdin that is not a terminal (a
 * pipe, a file) is read as is, with the same escape handling; at its end
 * orbvm stops reading and the guest keeps running.
 *
 * Input is bounded: at most TERMINAL_PENDING_MAX bytes are read from stdin
 * and held until the UART's receive FIFO takes them; stdin is not read again
 * before they are all delivered. An endless stdin therefore cannot grow
 * orbvm's memory.
 *
 * Locking: the terminal thread (the event loop) owns struct terminal; output
 * comes from the vCPU thread through terminal_output(), which only writes.
 */
#ifndef ORBVM_TERMINAL_H
#define ORBVM_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "serial.h"
#include "../stop.h"

#define TERMINAL_PENDING_MAX 64
#define TERMINAL_ESCAPE	     0x01 /* Ctrl-A */

struct terminal {
	int in_fd, out_fd;
	bool is_tty; /* in_fd is a terminal we put in raw mode */
	bool escape; /* the previous input byte was Ctrl-A */
	bool eof;    /* stdin ended or failed: no more reads */
	uint8_t pending[TERMINAL_PENDING_MAX];
	size_t pend_off, pend_len; /* bytes pending[pend_off..pend_len) wait for the UART */
};

/* Sets up (raw mode if a tty) and registers the restore handlers. */
int terminal_init(struct terminal *t, int in_fd, int out_fd);
/* Restores the terminal mode; safe to call more than once and from signal handlers. */
void terminal_restore(void);

/*
 * Applies the escape handling to n input bytes: writes the bytes for the
 * guest to out (at most n) and returns their count; sets *quit on Ctrl-A x
 * (bytes after it are not processed). Pure apart from t->escape.
 */
size_t terminal_filter(struct terminal *t, const uint8_t *in, size_t n, uint8_t *out, bool *quit);

/*
 * Moves input toward the UART: delivers pending bytes, and when none are
 * pending and `readable`, reads stdin once. Returns 1 if Ctrl-A x was typed,
 * else 0.
 */
int terminal_pump(struct terminal *t, struct serial *uart, bool readable);

/* True when stdin should be polled (nothing pending and not at its end). */
bool terminal_wants_input(const struct terminal *t);

/* UART output callback (ctx is the struct terminal). */
void terminal_output(void *ctx, uint8_t byte);

#endif
