/*
 * t_power: reboots or powers the machine off through SYS_POWER, as the
 * kernel command line says (t_power.op=reboot or t_power.op=halt). Run as
 * init; the QEMU harness checks that QEMU ended (powered off, or reset under
 * -no-reboot) with the kernel's "power: ..." line on the serial port.
 */
#include "t_check.h"

int main(void)
{
	const struct orb_init_info *ii = orb_init_info();
	if (!ii)
		return 2;
	int op = strstr(ii->cmdline, "t_power.op=reboot") ? ORB_POWER_REBOOT : ORB_POWER_HALT;
	printf("t_power: asking for %s\n", op == ORB_POWER_REBOOT ? "a reboot" : "power-off");
	long r = orb_syscall2(SYS_POWER, ii->ioports, op);
	printf("t_power: SYS_POWER returned %ld (%s)\n", r, t_errname(r));
	return 1;
}
