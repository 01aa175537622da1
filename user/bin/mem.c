/*
 * mem: the kernel's memory counts (SYS_SYSINFO): total, used and free; and
 * the quota this command runs in (SYS_QUOTA_INFO: the shell gives each
 * command a share of its own).
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
	struct orb_quota_info qi;
	r = orb_quota_info(0, &qi);
	if (r < 0) {
		printf("mem: quota: %s\n", cmd_strerror(r));
		return 1;
	}
	printf("quota: used %llu KiB of %llu KiB\n", (unsigned long long)qi.used / 1024,
	       (unsigned long long)qi.limit / 1024);
	return 0;
}
