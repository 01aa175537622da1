# orbvm's --disk wiring (vmm/devices/disks.c): files, bus windows, ACPI entries.
HOST_TESTS += vmm_disks
vmm_disks_SRCS := vmm/devices/disks.c vmm/irq_line.c vmm/virtio/blk.c vmm/virtio/blk_file.c \
	vmm/virtio/blk_uring.c vmm/virtio/mmio.c vmm/virtio/virtqueue.c vmm/bus.c vmm/vm.c vmm/irq/ioapic.c vmm/irq/gsi_routes.c vmm/mem.c vmm/err.c \
	tests/host/vmm/virtio_driver.c
vmm_disks_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
vmm_disks_LDLIBS := -luring
