/*
 * Monotonic time (see time.h). ns = (counter - start) * mult >> 32, with the
 * multiplication in 128 bits so it does not overflow for centuries.
 */
#include "sched/time.h"
#include "arch/cpu.h"

static uint64_t start_count;
static uint64_t mult;	 /* ns per count, as a 32.32 fixed-point number */
static uint64_t last_ns; /* largest value returned (atomic) */

void time_init(uint64_t counter_hz)
{
	mult = (1000000000ull << 32) / counter_hz; /* fits: 1e9 * 2^32 < 2^64 */
	start_count = arch_read_tsc();
}

uint64_t time_now_ns(void)
{
	if (!mult)
		return 0;
	uint64_t delta = arch_read_tsc() - start_count;
	uint64_t ns = (uint64_t)(((unsigned __int128)delta * mult) >> 32);
	uint64_t seen = __atomic_load_n(&last_ns, __ATOMIC_RELAXED);
	while (ns > seen) {
		if (__atomic_compare_exchange_n(&last_ns, &seen, ns, true, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return ns;
	}
	return seen > ns ? seen : ns;
}

void time_delay_ns(uint64_t ns)
{
	uint64_t end = time_now_ns() + ns;
	while (time_now_ns() < end)
		arch_cpu_relax();
}
