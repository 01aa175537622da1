HOST_TESTS += vmm_boot_params
vmm_boot_params_SRCS := vmm/boot/boot_params.c vmm/boot/bzimage.c vmm/mem.c vmm/err.c
vmm_boot_params_CFLAGS := -Ivmm -D_GNU_SOURCE
