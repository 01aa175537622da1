/*
 * help: what the shell offers. Each command is a program in /bin; the text
 * here describes the ones that come with the system.
 */
#include <stdio.h>

static const char *const help_lines[] = {
    "Commands (programs in /bin; paths are absolute):",
    "  help            this text",
    "  ls [DIR...]     list a directory (default /)",
    "  cat FILE...     show files",
    "  echo ARGS...    print the arguments",
    "  mkdir DIR...    make directories (under /tmp)",
    "  rm PATH...      remove files or empty directories",
    "  ps              processes, and the services init supervises",
    "  kill PID...     kill a service (init restarts it); PID from ps's SERVICE table",
    "  mem             memory: total, used, free",
    "  uptime          time since boot",
    "  dmesg           the kernel log",
    "  bench           system-call and IPC micro-benchmarks",
    "  reboot, halt    restart or power off the machine",
    "  fault           a program that crashes (the shell survives it)",
    "CMD ARGS > FILE writes the output to FILE (>> appends).",
    "Line editing: Backspace, Ctrl-U (erase the line), Ctrl-C (discard it, or",
    "stop the running program).",
};

int main(void)
{
	for (unsigned i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
		puts(help_lines[i]);
	return 0;
}
