/*
 * Standard output: the line-buffered stream of stream.c and where it goes.
 *
 * A process starts writing to the kernel log (SYS_DEBUG_WRITE, at most 4096
 * bytes a call). A process the shell starts is told otherwise by the stdio
 * argument, its argv[0] (user/README.md, "Process start-up"):
 *   "@stdio"          standard output goes to the console server, found
 *                     through the name service (start capability 0) at the
 *                     first write;
 *   "@stdio>PATH"     to the file PATH through the VFS (created, truncated);
 *   "@stdio>>PATH"    the same, appended to.
 * ulib_stdio_start() strips that argument before main() sees argv. A target
 * that cannot be reached falls back to the kernel log, so output is never
 * silently lost. At exit, ulib_stdio_exit() flushes, closes the file and
 * detaches from the VFS (which otherwise keeps a dead client's record).
 *
 * Trust: argv[0] is written by the parent, which also chose our
 * capabilities; it is still parsed defensively (length-bounded, a malformed
 * one is ignored).
 *
 * Locking: one lock over the stream and the target, so lines from several
 * threads do not interleave within a buffer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <orb/console.h>
#include <orb/ns.h>
#include <orb/spawn.h>
#include <orb/vfs.h>

#include "ulib.h" /* before the kernel's headers: see user/README.md */
#include "lib/format.h"
#include "stream.h"

#define STDIO_WRITE_MAX 4096

enum stdio_kind { STDIO_KLOG, STDIO_CONSOLE, STDIO_FILE };

static enum stdio_kind stdio_kind = STDIO_KLOG;
static cap_handle_t stdio_con; /* the console endpoint once looked up */
static bool stdio_con_tried;   /* the lookup was made (success or not) */
static int stdio_fd = -1;      /* STDIO_FILE: the VFS fd */

static void stdio_klog_write(const char *s, size_t n)
{
	while (n) {
		size_t k = n < STDIO_WRITE_MAX ? n : STDIO_WRITE_MAX;
		if (orb_debug_write(s, k) < 0)
			return; /* nowhere else to report it */
		s += k;
		n -= k;
	}
}

/* Writes to the console, looking it up on first use; false if it cannot be reached. */
static bool stdio_console_write(const char *s, size_t n)
{
	if (!stdio_con_tried) {
		stdio_con_tried = true;
		if (ns_lookup(CON_NS_NAME, &stdio_con) < 0)
			stdio_con = 0;
	}
	return stdio_con && con_write(stdio_con, s, n) == (long)n;
}

static void stdio_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (stdio_kind == STDIO_CONSOLE && stdio_console_write(s, n))
		return;
	if (stdio_kind == STDIO_FILE && vfs_write(stdio_fd, s, n) == (long)n)
		return;
	stdio_klog_write(s, n);
}

static struct stream stdio_out = {.write = stdio_write};
static struct ulib_lock stdio_lock;

/* Attaches to the VFS through the name service (already attached is fine). */
static long stdio_vfs_attach(void)
{
	cap_handle_t ep;
	long r = ns_lookup("vfs", &ep);
	if (r < 0)
		return r;
	r = vfs_attach(ep);
	if (r == -ERR_EXIST)
		r = 0;
	if (r < 0)
		orb_cap_delete(ep);
	return r;
}

/* Opens the redirection target "PATH" or ">PATH" (append) for standard output. */
static void stdio_open_file(const char *spec)
{
	unsigned flags = O_WRONLY | O_CREAT | O_TRUNC;
	char msg[96];
	if (*spec == '>') {
		flags = O_WRONLY | O_CREAT | O_APPEND;
		spec++;
	}
	long r = stdio_vfs_attach();
	if (r >= 0)
		r = vfs_open(spec, flags);
	if (r >= 0) {
		stdio_fd = (int)r;
		stdio_kind = STDIO_FILE;
		return;
	}
	/* Say so where the user looks: the console if there is one. */
	stdio_kind = STDIO_CONSOLE;
	int n = snprintf(msg, sizeof(msg), "stdio: cannot open %.40s: error %ld\n", spec, r);
	stdio_write(NULL, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

void ulib_stdio_start(int *argc, char ***argv)
{
	static const char marker[] = ULIB_STDIO_ARG;
	const size_t mlen = sizeof(marker) - 1;

	if (*argc < 1 || !(*argv)[0] || strncmp((*argv)[0], marker, mlen) != 0)
		return;
	const char *rest = (*argv)[0] + mlen;
	if (*rest == '\0')
		stdio_kind = STDIO_CONSOLE;
	else if (*rest == '>' && strnlen(rest, VFS_PATH_MAX + 2) <= VFS_PATH_MAX)
		stdio_open_file(rest + 1);
	else
		return; /* not ours after all: leave argv alone */
	(*argv)++;
	(*argc)--;
}

void ulib_stdio_exit(void)
{
	ulib_lock(&stdio_lock);
	stream_flush(&stdio_out);
	if (stdio_kind == STDIO_FILE) {
		vfs_close(stdio_fd);
		stdio_kind = STDIO_KLOG;
	}
	ulib_unlock(&stdio_lock);
	vfs_detach(); /* -ERR_PERM without a call if never attached */
}

int vprintf(const char *fmt, va_list ap)
{
	ulib_lock(&stdio_lock);
	int n = stream_vprintf(&stdio_out, fmt, ap);
	ulib_unlock(&stdio_lock);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	ulib_lock(&stdio_lock);
	stream_write(&stdio_out, s, strlen(s));
	stream_write(&stdio_out, "\n", 1);
	ulib_unlock(&stdio_lock);
	return 0;
}

int putchar(int c)
{
	char ch = (char)c;
	ulib_lock(&stdio_lock);
	stream_write(&stdio_out, &ch, 1);
	ulib_unlock(&stdio_lock);
	return (unsigned char)c;
}

void fflush_stdout(void)
{
	ulib_lock(&stdio_lock);
	stream_flush(&stdio_out);
	ulib_unlock(&stdio_lock);
}
