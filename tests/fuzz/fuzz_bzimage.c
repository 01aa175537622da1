/*
 * libFuzzer target for orbvm's Linux boot-protocol code: the bzImage
 * setup-header parser (vmm/boot/bzimage.c) and, for every image it accepts,
 * the boot planner and zero-page builder (vmm/boot/boot_params.c) with
 * several guest memory sizes, initrd sizes and command-line lengths. Any
 * out-of-bounds read, overflow or inconsistent plan is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_params.h"
#include "boot/bzimage.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy, exactly `size` bytes, so ASan sees any overread. */
	uint8_t *img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	struct bzimage bz;
	if (bzimage_parse(img, size, &bz) == 0) {
		if (bz.setup_size + (uint64_t)bz.pm_size > size || bz.hdr_len > 0x26c - 0x1f1)
			abort();
		static const uint64_t rams[] = {16ull << 20, 64ull << 20, 3ull << 30, 8ull << 30};
		static const uint64_t initrds[] = {0, 1, 5ull << 20, 1ull << 31};
		static struct boot_params bp;
		for (size_t i = 0; i < sizeof(rams) / sizeof(rams[0]); i++) {
			for (size_t j = 0; j < sizeof(initrds) / sizeof(initrds[0]); j++) {
				struct boot_layout l;
				uint64_t lo, hi;
				mem_layout(rams[i], &lo, &hi);
				if (boot_plan(&bz, rams[i], size % 4096, initrds[j], &l) != 0)
					continue;
				/* A plan must keep everything inside low RAM and apart. */
				if (l.kernel_end > lo || l.kernel_addr < 0x100000)
					abort();
				if (l.initrd_size &&
				    (l.initrd_addr < l.kernel_end ||
				     l.initrd_addr + l.initrd_size > lo ||
				     l.initrd_addr + l.initrd_size - 1 > bz.initrd_addr_max))
					abort();
				boot_params_build(&bp, &bz, &l, rams[i], 0xe0000);
			}
		}
	}
	free(img);
	return 0;
}
