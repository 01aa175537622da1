/*
 * The virtio-blk tests' disk image; see blk_disk.h.
 */
#include <stdlib.h>
#include <unistd.h>

#include "blk_disk.h"

uint8_t disk_pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

void disk_create(char *path, uint64_t bytes)
{
	uint8_t chunk[4096];
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	for (uint64_t off = 0; off < bytes; off += sizeof(chunk)) {
		size_t n = bytes - off < sizeof(chunk) ? (size_t)(bytes - off) : sizeof(chunk);
		for (size_t i = 0; i < n; i++)
			chunk[i] = disk_pattern(off + i);
		if (write(fd, chunk, n) != (ssize_t)n)
			abort();
	}
	close(fd);
}
