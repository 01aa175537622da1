# orbvm's fuzz targets (the generic rule and runner are in tests/fuzz/fuzz.mk and run.sh).
FUZZ_TARGETS += bzimage
fuzz_bzimage_SRCS := vmm/boot/bzimage.c vmm/boot/boot_params.c vmm/mem.c vmm/err.c
fuzz_bzimage_CFLAGS := -Ivmm -D_GNU_SOURCE

FUZZ_TARGETS += kimage
fuzz_kimage_SRCS := vmm/boot/elf.c vmm/boot/multiboot.c vmm/boot/kimage.c vmm/boot/kinfo.c \
	vmm/boot/boot_params.c vmm/boot/bzimage.c vmm/mem.c vmm/err.c
fuzz_kimage_CFLAGS := -Ivmm -D_GNU_SOURCE
