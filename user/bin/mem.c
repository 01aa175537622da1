/*
 * mem: the kernel's memory counts (SYS_SYSINFO): total, used and free.
 */
#include "cmd.h"

int main(void)
{
	struct orb_sysinfo si;
	long r = orb_sysinfo(&si);
	if (r < 0) {
		printf("mem: %s\n", cmd_strerror(r));
		return 1;
	}
	unsigned long long total = si.mem_total / 1024, free = si.mem_free / 1024;
	printf("total %llu KiB, used %llu KiB, free %llu KiB\n", total, total - free, free);
	return 0;
}
