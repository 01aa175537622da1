/*
 * echo ARGS...: prints its arguments separated by spaces and a newline, on
 * standard output (the console, or a file when the shell redirects it).
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	printf("\n");
	return 0;
}
