/*
 * uptime: time since boot, CPUs, processes and threads (SYS_SYSINFO).
 */
#include "cmd.h"

int main(void)
{
	struct orb_sysinfo si;
	long r = orb_sysinfo(&si);
	if (r < 0) {
		printf("uptime: %s\n", cmd_strerror(r));
		return 1;
	}
	unsigned long long ms = si.uptime_ns / 1000000, s = ms / 1000;
	printf("up %llu:%02llu:%02llu.%03llu, %u CPUs, %u processes, %u threads\n", s / 3600,
	       s / 60 % 60, s % 60, ms % 1000, si.ncpus, si.nprocs, si.nthreads);
	return 0;
}
