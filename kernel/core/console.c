/*
 * The console list and its lock (see console.h).
 */
#include "core/console.h"

static struct spinlock console_lock_ = SPINLOCK_INIT("console");
static struct console *consoles; /* guarded by console_lock_ */
static bool panic_mode;		 /* set once, never cleared */

/* The kernel log: the last CONSOLE_LOG_SIZE bytes written, so a console that
 * registers late (the screen, after memory is mapped) starts with the boot
 * messages it missed. Guarded by console_lock_. */
#define CONSOLE_LOG_SIZE 16384
static char log_ring[CONSOLE_LOG_SIZE];
static size_t log_total; /* bytes ever written */

static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_total + i) % CONSOLE_LOG_SIZE] = s[i];
	log_total += n;
}

static void log_replay(struct console *c)
{
	size_t start = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
	for (size_t pos = start; pos < log_total;) {
		size_t off = pos % CONSOLE_LOG_SIZE;
		size_t n = MIN(CONSOLE_LOG_SIZE - off, log_total - pos);
		c->write(c, log_ring + off, n);
		pos += n;
	}
}

void console_register(struct console *c)
{
	irqflags_t f = console_lock();
	struct console **pp = &consoles;
	while (*pp)
		pp = &(*pp)->next;
	c->next = NULL;
	*pp = c;
	log_replay(c);
	console_unlock(f);
}

void console_unregister(struct console *c)
{
	irqflags_t f = console_lock();
	for (struct console **pp = &consoles; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	console_unlock(f);
}

size_t console_log_read(uint64_t *pos, char *buf, size_t len)
{
	irqflags_t f = console_lock();
	uint64_t oldest = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
	uint64_t at = *pos < oldest ? oldest : (*pos > log_total ? log_total : *pos);
	size_t n = 0;
	while (n < len && at < log_total)
		buf[n++] = log_ring[at++ % CONSOLE_LOG_SIZE];
	*pos = at;
	console_unlock(f);
	return n;
}

irqflags_t console_lock(void)
{
	irqflags_t f = arch_irq_save();
	if (!__atomic_load_n(&panic_mode, __ATOMIC_ACQUIRE))
		spin_lock(&console_lock_);
	return f;
}

void console_unlock(irqflags_t f)
{
	if (!__atomic_load_n(&panic_mode, __ATOMIC_ACQUIRE))
		spin_unlock(&console_lock_);
	arch_irq_restore(f);
}

void console_write_locked(const char *s, size_t n)
{
	log_append(s, n);
	for (struct console *c = consoles; c; c = c->next)
		c->write(c, s, n);
}

void console_write(const char *s, size_t n)
{
	irqflags_t f = console_lock();
	console_write_locked(s, n);
	console_unlock(f);
}

void console_panic_mode(void)
{
	__atomic_store_n(&panic_mode, true, __ATOMIC_RELEASE);
}
