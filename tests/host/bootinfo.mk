# Host tests of the boot-information parsers (kernel/core/bootinfo*.c):
# Multiboot2 and PVH structures built in a simulated physical memory.
HOST_TESTS += bootinfo
bootinfo_SRCS := kernel/core/bootinfo.c kernel/core/bootinfo_mb2.c kernel/core/bootinfo_pvh.c \
	kernel/lib/format.c
