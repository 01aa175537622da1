/*
 * Quotas: what SYS_QUOTA_INFO reports (see docs/syscalls.md, "Quotas").
 *
 * Every kernel allocation a process causes (objects, Memory object frames,
 * page tables, mapping records, capability slots, threads) is charged to a
 * quota; a charge beyond the limit fails with -ERR_QUOTA.
 */
#ifndef ORBITAL_QUOTA_H
#define ORBITAL_QUOTA_H

#include <stdint.h>

struct orb_quota_info {
	uint64_t limit; /* bytes */
	uint64_t used;	/* bytes charged now, the limits of its child quotas included */
};

#endif
