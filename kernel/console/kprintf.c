/*
 * kprintf and the kernel log (see console/kprintf.h): formats with kvformat into a
 * small buffer and hands full buffers to the consoles, holding the console
 * lock for the whole message so it is not interleaved with another CPU's.
 */
#include "console/kprintf.h"
#include "console/console.h"

static int log_level = KLOG_INFO;

struct kbuf {
	char buf[128];
	size_t len;
};

static void kbuf_write(void *ctx, const char *s, size_t n)
{
	struct kbuf *b = ctx;
	while (n) {
		size_t room = sizeof(b->buf) - b->len;
		size_t c = n < room ? n : room;
		for (size_t i = 0; i < c; i++)
			b->buf[b->len + i] = s[i];
		b->len += c;
		s += c;
		n -= c;
		if (b->len == sizeof(b->buf)) {
			console_write_locked(b->buf, b->len);
			b->len = 0;
		}
	}
}

static int emit(const char *prefix, const char *fmt, va_list ap)
{
	struct kbuf b = {.len = 0};
	struct fmt_sink sink = {kbuf_write, &b};
	irqflags_t f = console_lock();
	if (prefix)
		kbuf_write(&b, prefix, __builtin_strlen(prefix));
	int n = kvformat(&sink, fmt, ap);
	if (b.len)
		console_write_locked(b.buf, b.len);
	console_unlock(f);
	return n;
}

int kvprintf(const char *fmt, va_list ap)
{
	return emit(NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = emit(NULL, fmt, ap);
	va_end(ap);
	return n;
}

void klog(enum klog_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {"error: ", "warning: ", NULL, NULL};
	if ((int)level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(prefix[level & 3], fmt, ap);
	va_end(ap);
}

void klog_set_level(int level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}
