HOST_TESTS += vmm_kinfo
vmm_kinfo_SRCS := vmm/boot/kinfo.c vmm/boot/kimage.c vmm/boot/elf.c vmm/boot/multiboot.c \
	vmm/boot/boot_params.c vmm/boot/bzimage.c vmm/mem.c vmm/err.c
vmm_kinfo_CFLAGS := -Ivmm -D_GNU_SOURCE
