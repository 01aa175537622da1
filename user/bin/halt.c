/*
 * halt: asks init to power the machine off (INIT_POWER_HALT), which holds
 * the one capability the kernel's power call needs. Returns only if init
 * refused or cannot be reached.
 */
#include "cmd.h"

int main(void)
{
	struct orb_msg m = {0};
	m.w[0] = INIT_POWER_HALT;
	printf("halt: asking init\n");
	fflush_stdout();
	long r = cmd_init_call(INIT_POWER, 1, &m);
	if (r < 0)
		printf("halt: %s\n", cmd_strerror(r));
	else
		printf("halt: init answered %ld and did not power off\n", r);
	return 1;
}
