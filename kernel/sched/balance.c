/*
 * Load-balancing decisions; see balance.h for the rules. Both functions are
 * single linear scans over the load table with strict comparisons, which is
 * what makes ties go to the lowest index.
 */
#include "sched/balance.h"
#include "sched/runqueue.h" /* sched_affinity_allows */
#include "debug/panic.h"

int balance_pick_source(const uint32_t *loads, unsigned ncpus, unsigned self)
{
	KASSERT(self < ncpus);
	uint64_t self_load = loads[self];
	int best = -1;
	uint32_t best_load = 0;
	for (unsigned c = 0; c < ncpus; c++) {
		if (c == self)
			continue;
		/* 64-bit sum: no wrap-around even for absurd loads. */
		if ((uint64_t)loads[c] < self_load + 2)
			continue;
		if (best < 0 || loads[c] > best_load) {
			best = (int)c;
			best_load = loads[c];
		}
	}
	return best;
}

int balance_pick_cpu(const uint32_t *loads, unsigned ncpus, uint64_t affinity)
{
	int best = -1;
	uint32_t best_load = 0;
	for (unsigned c = 0; c < ncpus; c++) {
		if (!sched_affinity_allows(affinity, c))
			continue;
		if (best < 0 || loads[c] < best_load) {
			best = (int)c;
			best_load = loads[c];
		}
	}
	return best;
}
