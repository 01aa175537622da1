/*
 * The console list and its lock (see console.h).
 *
 * Every byte goes through the log ring first; out_pos says how much of it the
 * consoles have been given. Kernel text (console_write_locked) is written out
 * at once, after whatever is still pending. Text from user space
 * (console_write_user) is appended one piece at a time, and only when nothing
 * is pending, so the pending text is never more than CONSOLE_PIECE bytes; it
 * is then written out CONSOLE_CHUNK bytes per hold of the lock, with
 * interrupts on in between. Whoever takes the lock next writes the next
 * chunk, so the order of the log is the order on every console.
 */
#include "console/console.h"

static struct spinlock console_lock_ = SPINLOCK_INIT("console");
static struct console *consoles; /* guarded by console_lock_ */
static bool panic_mode;		 /* set once, never cleared */

/* The kernel log: the last CONSOLE_LOG_SIZE bytes written, so a console that
 * registers late (the screen, after memory is mapped) starts with the boot
 * messages it missed. Guarded by console_lock_. */
#define CONSOLE_LOG_SIZE 16384
static char log_ring[CONSOLE_LOG_SIZE];
static size_t log_total; /* bytes ever written */
static size_t out_pos;	 /* bytes of the log given to the consoles (<= log_total) */

static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_total + i) % CONSOLE_LOG_SIZE] = s[i];
	log_total += n;
}

/* Gives log bytes [from, to) still in the ring to c, or to every console if
 * c is NULL (lock held). */
static void log_out(struct console *c, size_t from, size_t to)
{
	size_t oldest = log_total > CONSOLE_LOG_SIZE ? log_total - CONSOLE_LOG_SIZE : 0;
	for (size_t pos = from < oldest ? oldest : from; pos < to;) {
		size_t off = pos % CONSOLE_LOG_SIZE;
		size_t n = MIN(CONSOLE_LOG_SIZE - off, to - pos);
		if (c)
			c->write(c, log_ring + off, n);
		for (struct console *e = c ? NULL : consoles; e; e = e->next)
			e->write(e, log_ring + off, n);
		pos += n;
	}
}

static void log_replay(struct console *c)
{
	log_out(c, 0, out_pos); /* what is pending reaches it with the rest */
}

/* Writes out at most max pending bytes (lock held); false if none was pending. */
static bool log_flush_some(size_t max)
{
	if (out_pos >= log_total)
		return false;
	size_t to = log_total - out_pos > max ? out_pos + max : log_total;
	log_out(NULL, out_pos, to);
	out_pos = to;
	return true;
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
	log_flush_some(SIZE_MAX);
}

/* The length of the next piece of user text: up to a newline, at most CONSOLE_PIECE. */
static size_t piece_len(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && k < CONSOLE_PIECE)
		if (s[k++] == '\n')
			break;
	return k;
}

void console_write_user(const char *s, size_t n)
{
	while (n) {
		size_t k = piece_len(s, n);
		size_t end = 0;
		bool appended = false;
		while (!appended) { /* help write out what is pending, then append */
			irqflags_t f = console_lock();
			if (out_pos >= log_total) {
				log_append(s, k);
				end = log_total;
				appended = true;
			} else {
				log_flush_some(CONSOLE_CHUNK);
			}
			console_unlock(f);
		}
		bool more = true;
		while (more) { /* our piece out, a chunk at a time (someone may help) */
			irqflags_t f = console_lock();
			more = out_pos < end && log_flush_some(CONSOLE_CHUNK);
			console_unlock(f);
		}
		s += k;
		n -= k;
	}
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
