/*
 * Kernel consoles.
 *
 * A console is anything kernel text can be written to: the serial port, the
 * VGA text screen, a framebuffer. Drivers register one with console_register()
 * and every kprintf goes to all of them, in order of registration.
 *
 * console_lock serializes output so lines from different CPUs do not mix.
 * Once a panic starts, console_panic_mode() makes the lock be ignored (the CPU
 * that panicked may have held it) so the report always gets out.
 */
#ifndef ORB_CONSOLE_CONSOLE_H
#define ORB_CONSOLE_CONSOLE_H

#include "lib/types.h"
#include "base/spinlock.h"

struct console {
	const char *name;
	void (*write)(struct console *c, const char *s, size_t n);
	void *ctx;
	struct console *next; /* guarded by console_lock */
};

void console_register(struct console *c);

/* Takes the console lock (interrupts off) and writes s to every console. */
void console_write(const char *s, size_t n);

/*
 * Text from user space (SYS_DEBUG_WRITE): the same, but no CPU keeps
 * interrupts off for more than CONSOLE_CHUNK bytes of console output (a
 * serial port is polled, a screen may scroll). It is appended to the log in
 * pieces (a line, at most CONSOLE_PIECE bytes), each kept together on the
 * consoles; returns once the text has been written out.
 */
#define CONSOLE_PIECE 256
#define CONSOLE_CHUNK 16
void console_write_user(const char *s, size_t n);

/* Stops writing to c. */
void console_unregister(struct console *c);

/* Copies kernel log text from byte position *pos (bytes ever written; text
 * older than the ring is skipped) into buf; advances *pos; returns the count. */
size_t console_log_read(uint64_t *pos, char *buf, size_t len);

/* For kprintf: hold the lock across several writes. */
irqflags_t console_lock(void);
void console_unlock(irqflags_t f);
void console_write_locked(const char *s, size_t n);

void console_panic_mode(void);

#endif
