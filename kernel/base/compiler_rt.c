/*
 * Support routines the compiler may call on its own. The kernel links without
 * libgcc (which is built for user space: red zone, SSE), so the few helpers
 * GCC and clang emit for freestanding x86-64 code are provided here.
 */
#include "lib/types.h"

int __popcountdi2(int64_t a);

/* Bit count of a 64-bit word (what __builtin_popcountll becomes without POPCNT). */
int __popcountdi2(int64_t a)
{
	uint64_t x = (uint64_t)a;
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}
