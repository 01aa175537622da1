/*
 * Terminal handling for the serial console; see terminal.h.
 *
 * Trust boundary: stdin is user input and goes to the guest unchanged
 * except for the escape key; output bytes come from the guest and are
 * written to stdout unchanged (a guest can send terminal escape sequences,
 * as with any serial console).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../err.h"
#include "terminal.h"

/* Saved terminal state, global so signal handlers and atexit can restore it. */
static struct termios terminal_saved;
static volatile sig_atomic_t terminal_saved_valid;
static int terminal_saved_fd = -1;

void terminal_restore(void)
{
	if (terminal_saved_valid) {
		tcsetattr(terminal_saved_fd, TCSAFLUSH, &terminal_saved);
		terminal_saved_valid = 0;
	}
}

/* Fatal signals: restore the terminal, then die of the same signal. */
static void terminal_fatal_signal(int sig)
{
	terminal_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int terminal_init(struct terminal *t, int in_fd, int out_fd)
{
	memset(t, 0, sizeof(*t));
	t->in_fd = in_fd;
	t->out_fd = out_fd;
	signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill orbvm */
	if (!isatty(in_fd))
		return 0;
	struct termios raw;
	if (tcgetattr(in_fd, &terminal_saved) < 0)
		return err_set(ERR_INVAL, "cannot read terminal settings: %s", strerror(errno));
	terminal_saved_fd = in_fd;
	raw = terminal_saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* keep orbvm's own messages readable */
	terminal_saved_valid = 1;
	atexit(terminal_restore);
	const int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT};
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], terminal_fatal_signal);
	if (tcsetattr(in_fd, TCSAFLUSH, &raw) < 0) {
		terminal_saved_valid = 0;
		return err_set(ERR_INVAL, "cannot set raw terminal mode: %s", strerror(errno));
	}
	t->is_tty = true;
	return 0;
}

size_t terminal_filter(struct terminal *t, const uint8_t *in, size_t n, uint8_t *out, bool *quit)
{
	size_t o = 0;
	*quit = false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		if (t->escape) {
			t->escape = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return o;
			}
			if (c == TERMINAL_ESCAPE)
				out[o++] = c;
			continue;
		}
		if (c == TERMINAL_ESCAPE) {
			t->escape = true;
			continue;
		}
		out[o++] = c;
	}
	return o;
}

bool terminal_wants_input(const struct terminal *t)
{
	return !t->eof && t->pend_off == t->pend_len;
}

int terminal_pump(struct terminal *t, struct serial *uart, bool readable)
{
	if (t->pend_off == t->pend_len && readable && !t->eof) {
		uint8_t buf[TERMINAL_PENDING_MAX];
		ssize_t n = read(t->in_fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
			t->eof = true;
		} else if (n > 0) {
			bool quit;
			t->pend_off = 0;
			t->pend_len = terminal_filter(t, buf, (size_t)n, t->pending, &quit);
			if (quit)
				return 1;
		}
	}
	if (t->pend_off < t->pend_len) {
		t->pend_off +=
		    serial_rx_push(uart, t->pending + t->pend_off, t->pend_len - t->pend_off);
		if (t->pend_off == t->pend_len) {
			t->pend_off = t->pend_len = 0;
			serial_rx_idle(uart); /* input paused: FIFO timeout may fire */
		}
	}
	return 0;
}

void terminal_output(void *ctx, uint8_t byte)
{
	struct terminal *t = ctx;
	for (;;) {
		ssize_t n = write(t->out_fd, &byte, 1);
		if (n == 1 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return; /* written, or stdout is gone: the guest keeps running */
	}
}
