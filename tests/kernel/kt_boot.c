/*
 * In-kernel tests of the boot path: the parsed boot information, the embedded
 * symbol table, and how bad boot information ends (a clear panic).
 */
#include "tests/kernel/ktest.h"
#include "boot/kmain.h"
#include "debug/ksyms.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "arch/screen.h"

static int kt_boot(void)
{
	const struct boot_info *bi = &boot_info;
	KT_ASSERT(bi->protocol == BOOT_PROTO_MULTIBOOT2 || bi->protocol == BOOT_PROTO_PVH);
	KT_ASSERT(bi->mmap_count > 0);
	KT_ASSERT(bootinfo_cmdline_has(bi, "test"));
	for (size_t i = 1; i < bi->mmap_count; i++)
		KT_ASSERT(bi->mmap[i - 1].base + bi->mmap[i - 1].length <= bi->mmap[i].base);
	KT_ASSERT(bootinfo_max_usable(bi) >= MiB(16));

	/* The symbol table names our own functions. */
	uint64_t off = 1;
	const char *name = ksyms_lookup((uint64_t)kmain, &off);
	KT_ASSERT(name && strcmp(name, "kmain") == 0 && off == 0);
	KT_ASSERT_EQ(ksyms_address("kt_boot"), (uint64_t)kt_boot);
	KT_ASSERT(ksyms_count() > 50);

	kprintf("KTEST info: protocol=%s loader='%s' mmap=%zu modules=%zu rsdp=%s\n",
		bi->protocol == BOOT_PROTO_PVH ? "pvh" : "multiboot2", bi->loader, bi->mmap_count,
		bi->module_count, (bi->rsdp_len || bi->rsdp_addr) ? "yes" : "no");
	int fb = arch_screen_selftest();
	KT_ASSERT(fb >= 0);
	if (fb == 0)
		kprintf("KTEST info: framebuffer console draws text (pixels checked)\n");
	kprintf("KTEST info: framebuffer type=%s %ux%u bpp=%u\n",
		bi->fb.type == BOOT_FB_RGB	  ? "rgb"
		: bi->fb.type == BOOT_FB_EGA_TEXT ? "text"
						  : "none",
		bi->fb.width, bi->fb.height, bi->fb.bpp);
	return 0;
}

/* Re-parses a copy of the real boot information with its memory map damaged:
 * the kernel must stop with a panic that says what is wrong. */
static int kt_bad_mmap(void)
{
	struct boot_info *bi = kzalloc(sizeof(*bi));
	KT_ASSERT(bi);
	if (boot_magic == MULTIBOOT2_BOOTLOADER_MAGIC) {
		const uint32_t *mbi = boot_phys_read(NULL, boot_info_addr, 8);
		KT_ASSERT(mbi && mbi[0] >= 16 && mbi[0] < 65536);
		uint8_t *copy = kmalloc(mbi[0]);
		KT_ASSERT(copy);
		memcpy(copy, mbi, mbi[0]);
		/* Find the memory-map tag (type 6) and give it an impossible entry size. */
		for (uint32_t off = 8; off + 16 <= mbi[0];) {
			uint32_t *tag = (uint32_t *)(void *)(copy + off);
			if (tag[0] == 0)
				break;
			if (tag[0] == 6)
				tag[2] = 4; /* entry_size: smaller than an entry */
			off += ALIGN_UP(tag[1], 8);
		}
		if (bootinfo_parse(bi, boot_magic, virt_to_phys(copy), boot_phys_read, NULL) == 0)
			return -1;
	} else {
		const uint8_t *si = boot_phys_read(NULL, boot_info_addr, 56);
		KT_ASSERT(si);
		uint8_t *copy = kmalloc(64);
		KT_ASSERT(copy);
		memcpy(copy, si, 56);
		memset(copy + 40, 0, 12); /* memmap_paddr and memmap_entries: no map */
		if (bootinfo_parse(bi, boot_magic, virt_to_phys(copy), boot_phys_read, NULL) == 0)
			return -1;
	}
	boot_fail(bi);
}

static int kt_bad_magic(void)
{
	struct boot_info *bi = kzalloc(sizeof(*bi));
	KT_ASSERT(bi);
	if (bootinfo_parse(bi, 0x12345678, boot_info_addr, boot_phys_read, NULL) == 0)
		return -1;
	boot_fail(bi);
}

static int kt_bad_module(void)
{
	struct boot_info *bi = kmalloc(sizeof(*bi));
	KT_ASSERT(bi);
	memcpy(bi, &boot_info, sizeof(*bi));
	KT_ASSERT(bi->module_count < BOOT_MODULES_MAX);
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = bootinfo_max_usable(bi) + GiB(1);
	m->end = m->start + PAGE_SIZE;
	strlcpy(m->name, "lying-module", sizeof(m->name));
	if (bootinfo_normalize(bi) == 0)
		return -1;
	boot_fail(bi);
}

const struct ktest ktests_boot[] = {
    {"boot", kt_boot},
    {"bad_mmap", kt_bad_mmap},
    {"bad_magic", kt_bad_magic},
    {"bad_module", kt_bad_module},
    {NULL, NULL},
};
