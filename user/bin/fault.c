/*
 * fault: writes through a NULL pointer on purpose. The kernel logs the page
 * fault and kills the process (status ORB_EXIT_FAULT); the shell reports it
 * and stays alive. Used by tests/qemu/shell_test.py.
 */
#include <stdio.h>

int main(void)
{
	printf("fault: writing to address 0\n");
	fflush_stdout();
	/* The compiler must not drop the store: volatile, through a pointer it cannot prove NULL.
	 */
	volatile int *volatile p = NULL;
	*p = 1;
	printf("fault: still alive (the write did not fault)\n");
	return 1;
}
