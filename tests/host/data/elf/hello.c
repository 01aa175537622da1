/*
 * An ordinary hosted C program, linked by tests/host/lib/elf.mk as a static
 * glibc executable (accepted: ET_EXEC with TLS, RELRO and note segments), a
 * dynamic non-PIE executable (refused: PT_INTERP) and a PIE (refused: ET_DYN).
 * It is never run.
 */
#include <stdio.h>

int main(void)
{
	puts("hello from an ELF loader test program");
	return 0;
}
