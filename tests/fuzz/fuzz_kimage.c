/*
 * libFuzzer target for orbvm's PVH and Multiboot kernel loaders: the ELF
 * parser (vmm/boot/elf.c), the Multiboot 1 and Multiboot2 header search
 * (vmm/boot/multiboot.c), protocol detection and load regions
 * (vmm/boot/kimage.c) and, for every kernel accepted, the placement for
 * several RAM sizes and module sets and the boot information for its
 * protocol (vmm/boot/kinfo.c). Any out-of-bounds read, overflow or a plan
 * that breaks kimage.h's invariants is a bug. Seeds: tests/fuzz/corpus/kimage/
 * (the test kernels of tests/vmm/kernels/).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/kimage.h"
#include "boot/kinfo.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The invariants kimage_parse() promises. */
static void check_image(const struct kimage *k, size_t size)
{
	int entry_inside = 0;
	if (k->nregions == 0 || k->nregions > ELF_MAX_LOADS)
		abort();
	for (unsigned i = 0; i < k->nregions; i++) {
		const struct kimage_region *r = &k->regions[i];
		if (r->paddr < 0x100000 || r->paddr + r->memsz > MEM_HOLE_START ||
		    r->filesz > r->memsz || r->file_off + r->filesz > size ||
		    r->paddr + r->memsz > k->end)
			abort();
		entry_inside |= k->entry >= r->paddr && k->entry < r->paddr + r->memsz;
	}
	if (!entry_inside)
		abort();
}

static void plan_and_build(const struct kimage *k)
{
	static const uint64_t rams[] = {16ull << 20, 64ull << 20, 8ull << 30};
	static const uint64_t sizes[] = {13, 1ull << 20, 5ull << 20};
	static const struct kinfo_module mods[3] = {{0, 13, ""}, {0, 1, "a"}, {0, 5, "bootfs"}};
	static uint8_t buf[0x4000], rsdp[KINFO_RSDP_V2_LEN];
	for (size_t i = 0; i < sizeof(rams) / sizeof(rams[0]); i++) {
		struct kimage_layout l;
		uint64_t lo, hi;
		mem_layout(rams[i], &lo, &hi);
		if (kimage_plan(k, rams[i], 100, sizes, 3, &l) != 0)
			continue;
		struct kinfo_module m[3];
		for (unsigned j = 0; j < 3; j++) {
			/* Page-aligned, above the kernel, inside low RAM, apart. */
			if ((l.mod_addr[j] & 0xfff) || l.mod_addr[j] < k->end ||
			    l.mod_addr[j] + sizes[j] > lo ||
			    (j && l.mod_addr[j] + sizes[j] > l.mod_addr[j - 1]))
				abort();
			m[j] = mods[j];
			m[j].addr = l.mod_addr[j];
		}
		struct kinfo_in in = {rams[i], l.cmdline_addr, "x", 3, m, 0xe0000, rsdp};
		int n = kinfo_build(k->proto, &in, l.info_addr, buf, sizeof(buf));
		if (n < 0 || (size_t)n > sizeof(buf))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy, exactly `size` bytes, so ASan sees any overread. */
	uint8_t *img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	struct kimage k;
	if (kimage_parse(img, size, &k) == 0) {
		check_image(&k, size);
		plan_and_build(&k);
	}
	free(img);
	return 0;
}
