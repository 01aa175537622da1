/*
 * The Linux side of `make bench`: the same micro-benchmarks as Orbital's, as
 * a static program run as /init's child in a busybox initramfs under QEMU TCG
 * with -icount shift=0 (the guest TSC then counts retired instructions, so a
 * figure repeats from run to run). Prints `bench NAME VALUE tsc` lines:
 *   yield_roundtrip.linux  two processes on one CPU, sched_yield() ping-pong,
 *                          TSC per round trip (two yields)
 *   null_syscall.linux     getppid(), TSC per call
 *   pipe_roundtrip.linux   one byte there and back over two pipes, TSC per trip
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#define ROUNDS 2000

static void pin_cpu0(void)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* A strict ping-pong: a shared turn word says whose go it is; each side
 * yields until it is its turn, then hands the turn over. So every round trip
 * really is two switches, whatever sched_yield() decides to do. */
static uint64_t yield_roundtrip(void)
{
	pin_cpu0();
	volatile int *turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	if (turn == MAP_FAILED)
		return 0;
	*turn = 0;
	pid_t child = fork();
	if (child == 0) {
		for (int i = 0; i < ROUNDS + 10; i++) {
			while (*turn != 1)
				sched_yield();
			*turn = 0;
		}
		_exit(0);
	}
	uint64_t t0 = 0;
	for (int i = 0; i < ROUNDS + 10; i++) {
		if (i == 10)
			t0 = __rdtsc(); /* after a few warm-up rounds */
		*turn = 1;
		while (*turn != 0)
			sched_yield();
	}
	uint64_t t1 = __rdtsc();
	waitpid(child, NULL, 0);
	return (t1 - t0) / ROUNDS;
}

static uint64_t null_syscall(void)
{
	uint64_t t0 = __rdtsc();
	for (int i = 0; i < ROUNDS * 10; i++)
		(void)getppid();
	return (__rdtsc() - t0) / (ROUNDS * 10);
}

static uint64_t pipe_roundtrip(void)
{
	int ab[2], ba[2];
	char c = 'x';
	if (pipe(ab) || pipe(ba))
		return 0;
	pid_t child = fork();
	if (child == 0) {
		for (int i = 0; i < ROUNDS; i++) {
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				break;
		}
		_exit(0);
	}
	uint64_t t0 = __rdtsc();
	for (int i = 0; i < ROUNDS; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 0;
	}
	uint64_t t1 = __rdtsc();
	waitpid(child, NULL, 0);
	return (t1 - t0) / ROUNDS;
}

int main(void)
{
	printf("bench yield_roundtrip.linux %llu tsc\n", (unsigned long long)yield_roundtrip());
	printf("bench null_syscall.linux %llu tsc\n", (unsigned long long)null_syscall());
	printf("bench pipe_roundtrip.linux %llu tsc\n", (unsigned long long)pipe_roundtrip());
	fflush(stdout);
	return 0;
}
