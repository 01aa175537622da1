# orbvm's level-triggered interrupt lines: resampling irqfd or KVM_IRQ_LINE.
HOST_TESTS += vmm_irq_line
vmm_irq_line_SRCS := vmm/irq_line.c vmm/vm.c vmm/irq/ioapic.c vmm/irq/gsi_routes.c vmm/mem.c vmm/err.c vmm/virtio/mmio.c \
	vmm/virtio/virtqueue.c tests/host/vmm/virtio_driver.c
vmm_irq_line_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
