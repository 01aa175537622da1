/*
 * <stdlib.h> of the Orbital user library: memory allocation, exit, and a few
 * conversions.
 *
 * malloc() returns 16-byte aligned blocks from a free list fed with Memory
 * objects that the library creates and maps into the process itself; blocks
 * of 256 KiB or more get a mapping of their own, returned to the kernel by
 * free(). All of it is safe to call from several threads. A corrupted heap
 * or a free() of a pointer malloc did not return aborts the process.
 */
#ifndef ORB_STDLIB_H
#define ORB_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t size);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);

/* Flushes standard output and ends the process (SYS_PROC_EXIT) with status & 0xff. */
__attribute__((__noreturn__)) void exit(int status);
/* Prints "abort" and ends the process with status 134. */
__attribute__((__noreturn__)) void abort(void);

long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int atoi(const char *s);

#endif
