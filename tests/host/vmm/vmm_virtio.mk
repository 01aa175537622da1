# orbvm's virtio: the virtqueue walker, the virtio-mmio transport and virtio-blk.
HOST_TESTS += vmm_virtq
vmm_virtq_SRCS := vmm/virtio/virtqueue.c vmm/mem.c vmm/err.c tests/host/vmm/virtio_driver.c
vmm_virtq_CFLAGS := -Ivmm -D_GNU_SOURCE

HOST_TESTS += vmm_virtio_mmio
vmm_virtio_mmio_SRCS := vmm/virtio/mmio.c vmm/virtio/virtqueue.c vmm/mem.c vmm/err.c \
	tests/host/vmm/virtio_driver.c
vmm_virtio_mmio_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += vmm_virtio_blk
vmm_virtio_blk_SRCS := vmm/virtio/blk.c vmm/virtio/blk_file.c vmm/virtio/mmio.c \
	vmm/virtio/virtqueue.c vmm/mem.c vmm/err.c tests/host/vmm/virtio_driver.c tests/host/vmm/blk_disk.c
vmm_virtio_blk_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += vmm_virtq_indirect
vmm_virtq_indirect_SRCS := vmm/virtio/virtqueue.c vmm/virtio/mmio.c vmm/mem.c vmm/err.c \
	tests/host/vmm/virtio_driver.c
vmm_virtq_indirect_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
