/*
 * halt: asks init to power the machine off (INIT_POWER_HALT); see cmd_power().
 */
#include "cmd.h"

int main(void)
{
	return cmd_power(INIT_POWER_HALT, "halt");
}
