# Host tests of the boot-archive parser (kernel/core/bootfs.c) on archives
# that Debian's cpio writes at test time (newc and crc formats, from files the
# test creates), their truncated prefixes and corrupted copies.
HOST_TESTS += bootfs
bootfs_SRCS := kernel/core/bootfs.c kernel/lib/format.c

$(BUILD)/host/test_bootfs: kernel/core/bootfs.h
