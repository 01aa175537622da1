/*
 * reboot: asks init to restart the machine (INIT_POWER_REBOOT); see cmd_power().
 */
#include "cmd.h"

int main(void)
{
	return cmd_power(INIT_POWER_REBOOT, "reboot");
}
