/*
 * The disk image of the virtio-blk tests (test_vmm_virtio_blk.c,
 * test_vmm_blk_batch.c): a temporary file whose byte i is disk_pattern(i), so
 * that whatever a request reads can be checked against the pattern and
 * whatever it writes found in the file. Plain C, no cmocka: a failure aborts
 * the test binary.
 */
#ifndef TEST_HOST_VMM_BLK_DISK_H
#define TEST_HOST_VMM_BLK_DISK_H

#include <stdint.h>

/* Byte i of a fresh image. */
uint8_t disk_pattern(uint64_t i);

/* Creates an image of `bytes` bytes: path, a mkstemp template such as
 * "/tmp/NAME.XXXXXX", becomes the file's name. The test unlinks it. */
void disk_create(char *path, uint64_t bytes);

#endif
