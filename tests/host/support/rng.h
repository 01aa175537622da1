/*
 * The pseudo-random generators of the randomized host tests: Marsaglia's
 * xorshift64 (shifts 13, 7, 17) and xorshift64* (shifts 12, 25, 27, then a
 * multiply that mixes the high bits). Each test keeps its own state, seeded
 * with a fixed value, so a run repeats exactly; a zero state stays zero.
 * Deterministic test inputs only: nothing here is meant to be unpredictable.
 */
#ifndef ORB_TEST_RNG_H
#define ORB_TEST_RNG_H

#include <stdint.h>

/* The next xorshift64 state (also the value returned). */
static inline uint64_t rng_xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* The next xorshift64* value (the state advances by xorshift 12, 25, 27). */
static inline uint64_t rng_xorshift64star(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif
