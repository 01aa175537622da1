/*
 * hello: the smallest user program. Prints a greeting and its arguments, so
 * a test can see that a spawned process starts, gets its argv and exits.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from user space\n");
	for (int i = 0; i < argc; i++)
		printf("hello: argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
