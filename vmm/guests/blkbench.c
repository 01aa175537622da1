/*
 * blkbench: a tiny static program for the L2 guest's initramfs that measures
 * a block device with O_DIRECT (no guest page cache), for make bench-vm
 * (bench/vm/bench.py; /init runs it under orb.test=blkbench).
 *
 *   blkbench DEV seq_read  MIB      MIB MiB read in 1 MiB requests from offset 0
 *   blkbench DEV seq_write MIB      the same, written (a fixed byte pattern),
 *                                   then fdatasync (inside the timed span)
 *   blkbench DEV rand_read MIB N    N reads of 4 KiB at random 4 KiB-aligned
 *                                   offsets in the first MIB MiB (fixed seed)
 *
 * Prints one line "ORBVM-BLK NAME BYTES OPS NANOSECONDS" (CLOCK_MONOTONIC
 * around the I/O loop) and exits 0, or prints "ORBVM-BLK-FAILED NAME why"
 * and exits 1. Sequential requests are what busybox `dd bs=1M iflag=direct`
 * issues (busybox dd prints no timing, hence this program). Buffers are
 * 4 KiB-aligned as O_DIRECT requires.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BB_MIB	 (1024L * 1024L)
#define BB_BLOCK 4096L

static int64_t bb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int bb_fail(const char *name, const char *why)
{
	printf("ORBVM-BLK-FAILED %s %s\n", name, why);
	return 1;
}

/* xorshift64: a fixed sequence, so every VMM reads the same offsets. */
static uint64_t bb_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return bb_fail("usage", "blkbench DEV seq_read|seq_write|rand_read MIB [N]");
	const char *dev = argv[1], *name = argv[2];
	long mib = atol(argv[3]);
	int is_write = !strcmp(name, "seq_write"), is_rand = !strcmp(name, "rand_read");
	if (!is_write && !is_rand && strcmp(name, "seq_read"))
		return bb_fail(name, "unknown test");
	long n = is_rand ? (argc > 4 ? atol(argv[4]) : 0) : mib;
	if (mib <= 0 || n <= 0)
		return bb_fail(name, "bad size or count");
	int fd = open(dev, (is_write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return bb_fail(name, "open");
	size_t len = is_rand ? BB_BLOCK : BB_MIB;
	void *buf;
	if (posix_memalign(&buf, BB_BLOCK, len) != 0)
		return bb_fail(name, "memory");
	memset(buf, 0x5a, len);

	uint64_t seed = 0x9e3779b97f4a7c15ull;
	long blocks = mib * (BB_MIB / BB_BLOCK);
	int64_t t0 = bb_now_ns();
	for (long i = 0; i < n; i++) {
		off_t off = is_rand ? (off_t)(bb_next(&seed) % (uint64_t)blocks) * BB_BLOCK
				    : (off_t)i * BB_MIB;
		ssize_t r = is_write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
		if (r != (ssize_t)len)
			return bb_fail(name, "short or failed I/O");
	}
	if (is_write && fdatasync(fd) != 0)
		return bb_fail(name, "fdatasync");
	int64_t t = bb_now_ns() - t0;
	printf("ORBVM-BLK %s %ld %ld %lld\n", name, (long)(n * (long)len), n, (long long)t);
	close(fd);
	free(buf);
	return 0;
}
