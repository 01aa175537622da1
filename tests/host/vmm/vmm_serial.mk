HOST_TESTS += vmm_serial
vmm_serial_SRCS := vmm/devices/serial.c
vmm_serial_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
