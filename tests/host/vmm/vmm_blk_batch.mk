# orbvm's virtio-blk request batches and the io_uring engine behind them.
HOST_TESTS += vmm_blk_batch
vmm_blk_batch_SRCS := vmm/virtio/blk.c vmm/virtio/blk_file.c vmm/virtio/blk_uring.c \
	vmm/virtio/mmio.c vmm/virtio/virtqueue.c vmm/mem.c vmm/err.c tests/host/vmm/virtio_driver.c \
	tests/host/vmm/blk_disk.c
vmm_blk_batch_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
vmm_blk_batch_LDLIBS := -luring
