# Host tests of the boot-information parsers (kernel/boot/bootinfo*.c):
# Multiboot2 (test_bootinfo_mb2.c) and PVH structures, the memory-map repair
# and the queries (test_bootinfo.c), built in a simulated physical memory
# (bootinfo_sim.h).
HOST_TESTS += bootinfo bootinfo_mb2
bootinfo_SRCS := kernel/boot/bootinfo.c kernel/boot/bootinfo_mb2.c kernel/boot/bootinfo_pvh.c \
	lib/format.c
bootinfo_mb2_SRCS := $(bootinfo_SRCS)
