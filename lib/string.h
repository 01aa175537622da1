/*
 * Memory and string functions.
 *
 * The kernel has no C library, so lib/string.c provides the handful of
 * functions below under their standard names (the compiler also emits calls
 * to memcpy/memset on its own). In the hosted build this header just pulls in
 * the C library's <string.h>, which has the same functions.
 */
#ifndef ORB_LIB_STRING_H
#define ORB_LIB_STRING_H

#ifdef ORB_HOSTED
#include <string.h>
#else
#include "lib/types.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
/* Copies at most size-1 characters and always NUL-terminates (size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
#endif

/*
 * strlcpy's one definition. The kernel and user space export it as strlcpy
 * (lib/string.c); the hosted build, whose C library (glibc 2.36) has none,
 * uses it under that name directly.
 */
static inline size_t lib_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}
#ifdef ORB_HOSTED
#define strlcpy lib_strlcpy
#endif

#endif
