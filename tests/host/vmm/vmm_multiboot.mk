HOST_TESTS += vmm_multiboot
vmm_multiboot_SRCS := vmm/boot/elf.c vmm/boot/kimage.c vmm/boot/multiboot.c vmm/mem.c vmm/err.c
vmm_multiboot_CFLAGS := -Ivmm -D_GNU_SOURCE
