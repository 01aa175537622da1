/*
 * <string.h> of the Orbital user library. The mem* functions and strlen,
 * strnlen, strcmp, strncmp, strchr, strstr, strlcpy are the kernel's own
 * (lib/string.c, built into the library); the rest are in
 * user/lib/string.c.
 */
#ifndef ORB_STRING_H
#define ORB_STRING_H

#include <stddef.h>

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
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strdup(const char *s); /* malloc()ed; NULL when out of memory */

#endif
