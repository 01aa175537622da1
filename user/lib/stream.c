/*
 * The line-buffered output stream (see stream.h).
 */
#include "stream.h"

#include <string.h>
#include "lib/format.h"

void stream_init(struct stream *s, void (*write)(void *, const char *, size_t), void *ctx)
{
	s->write = write;
	s->ctx = ctx;
	s->len = 0;
}

void stream_flush(struct stream *s)
{
	if (s->len) {
		s->write(s->ctx, s->buf, s->len);
		s->len = 0;
	}
}

/* Adds bytes that hold no '\n'. */
static void stream_put(struct stream *s, const char *data, size_t n)
{
	if (n > STREAM_BUF - s->len)
		stream_flush(s);
	if (n >= STREAM_BUF) {
		s->write(s->ctx, data, n);
		return;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
}

void stream_write(struct stream *s, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t k = nl ? (size_t)(nl - data) + 1 : n;
		stream_put(s, data, k);
		if (nl)
			stream_flush(s);
		data += k;
		n -= k;
	}
}

static void stream_sink(void *ctx, const char *data, size_t n)
{
	stream_write(ctx, data, n);
}

int stream_vprintf(struct stream *s, const char *fmt, va_list ap)
{
	struct fmt_sink sink = {stream_sink, s};
	return kvformat(&sink, fmt, ap);
}
