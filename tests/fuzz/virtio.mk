# orbvm's virtio fuzz target: the virtqueue walker and the virtio-blk request parser.
FUZZ_TARGETS += virtq
fuzz_virtq_SRCS := vmm/virtio/virtqueue.c vmm/virtio/blk.c vmm/virtio/mmio.c vmm/mem.c vmm/err.c
fuzz_virtq_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
