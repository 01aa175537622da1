/*
 * A line-buffered output stream: the logic of standard output without the
 * system call, so the host tests run it as is (test_ulib_stdio.c). Text is
 * collected in buf and handed to write() at each '\n' (up to and including
 * it), when the buffer fills, and on stream_flush(); a piece larger than the
 * buffer goes out directly once what is buffered has gone. Output order is
 * always kept. Formatting is the kernel's formatter (lib/format.c).
 *
 * Not thread-safe: the caller serialises (stdio.c holds a lock).
 */
#ifndef ORB_ULIB_STREAM_H
#define ORB_ULIB_STREAM_H

#include <stdarg.h>
#include <stddef.h>

#define STREAM_BUF 256

struct stream {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
	size_t len; /* bytes in buf */
	char buf[STREAM_BUF];
};

void stream_init(struct stream *s, void (*write)(void *, const char *, size_t), void *ctx);
void stream_write(struct stream *s, const char *data, size_t n);
void stream_flush(struct stream *s);
/* Formats into the stream; returns the number of characters produced. */
int stream_vprintf(struct stream *s, const char *fmt, va_list ap);

/*
 * Where standard output (stdio.c, a stream of this kind) goes. A spawner
 * that follows the shell's convention (user/README.md, "Process start-up")
 * gives the child the name-service capability as start capability 0 and
 * ULIB_STDIO_ARG as argv[0]: alone for the console, followed by ">PATH" or
 * ">>PATH" for a file.
 */
#define ULIB_STDIO_ARG "@stdio"
/* crt0 (start.c), before main(): takes the stdio argument off argv, if present. */
void ulib_stdio_start(int *argc, char ***argv);
/* exit(): flushes standard output, closes its file, detaches from the VFS. */
void ulib_stdio_exit(void);

#endif
