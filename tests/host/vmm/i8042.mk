# orbvm's i8042 controller with its PS/2 keyboard and mouse, through the bus.
HOST_TESTS += i8042
i8042_SRCS := vmm/devices/i8042.c vmm/devices/ps2.c vmm/bus.c vmm/err.c
i8042_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
