# Host tests of the boot-archive parser (lib/bootfs.c) on archives
# that Debian's cpio writes at test time (newc and crc formats, from files the
# test creates), their truncated prefixes and corrupted copies.
HOST_TESTS += bootfs
bootfs_SRCS := lib/bootfs.c lib/format.c

$(BUILD)/host/test_bootfs: lib/bootfs.h
