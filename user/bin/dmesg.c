/*
 * dmesg: prints what the kernel log still holds (SYS_LOG_READ), oldest
 * first. Reading the log needs a Log capability: the shell gives its own
 * as start capability 1 when it runs /bin/dmesg; without one the kernel
 * refuses (-ERR_PERM) and dmesg says so.
 *
 * The log is read whole before anything is printed: our own output may go
 * to the kernel log too (a console that leaves the screen to the kernel),
 * and reading while printing would then never end.
 */
#include "cmd.h"

#define DMESG_MAX (32u * 1024) /* more than the kernel keeps */

int main(void)
{
	static char buf[DMESG_MAX + 1];
	cap_handle_t log = orb_start_cap(1);
	uint64_t pos = 0;
	size_t len = 0;
	while (len < DMESG_MAX) {
		long n =
		    orb_syscall4(SYS_LOG_READ, log, (long)&pos, (long)(buf + len), DMESG_MAX - len);
		if (n < 0) {
			printf("dmesg: %s\n", cmd_strerror(n));
			return 1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	printf("%s", buf);
	return 0;
}
