HOST_TESTS += vmm_elf
vmm_elf_SRCS := vmm/boot/elf.c vmm/boot/kimage.c vmm/boot/multiboot.c vmm/mem.c vmm/err.c
vmm_elf_CFLAGS := -Ivmm -D_GNU_SOURCE
