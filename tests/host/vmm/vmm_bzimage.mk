HOST_TESTS += vmm_bzimage
vmm_bzimage_SRCS := vmm/boot/bzimage.c vmm/err.c
vmm_bzimage_CFLAGS := -Ivmm -D_GNU_SOURCE
