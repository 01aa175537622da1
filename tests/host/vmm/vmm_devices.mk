HOST_TESTS += vmm_devices
vmm_devices_SRCS := vmm/devices/rtc.c vmm/devices/debug_port.c vmm/devices/terminal.c \
	vmm/devices/serial.c vmm/mem.c vmm/err.c vmm/x86/cpu_setup.c vmm/x86/topology.c \
	vmm/boot/realmode.c
vmm_devices_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
