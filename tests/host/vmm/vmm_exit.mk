HOST_TESTS += vmm_exit
vmm_exit_SRCS := vmm/vcpu.c vmm/bus.c vmm/err.c vmm/devices/serial.c vmm/devices/i8042.c \
	vmm/devices/ps2.c vmm/devices/acpi_pm.c vmm/devices/debug_port.c vmm/devices/debug_exit.c \
	vmm/irq/ioapic.c
vmm_exit_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
